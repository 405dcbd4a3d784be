"""flask-smorest blueprints, one per resource, plus the problem+json mapping."""
from flask import request

from app.api import appeals, attachments, definitions, errors, health, orders, principals, tasks, testing
from app.errors import BadRequestError

JSON_METHODS = {"POST", "PUT", "PATCH"}
NON_JSON_ENDPOINTS = {"attachments.Attachments", "definitions.Definitions"}


def _require_json_bodies() -> None:
    """A request body must be JSON, except on the upload endpoints (contract: 400 bad_request)."""
    if request.method not in JSON_METHODS or request.endpoint in NON_JSON_ENDPOINTS \
            or not (request.content_length or 0):
        return
    if not request.is_json:
        raise BadRequestError(f"expected application/json, got {request.mimetype or 'no content type'}")
    if request.get_json(silent=True) is None:
        raise BadRequestError("the request body is not well-formed JSON")


def _no_sniffing(response):
    """Browsers take the declared Content-Type at its word (an uploaded HTML file stays a download)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def register(app, api) -> None:
    errors.register(app)
    app.before_request(_require_json_bodies)
    app.after_request(_no_sniffing)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for module in (health, principals, orders, tasks, appeals, attachments, definitions):
        api.register_blueprint(module.blp)
    if app.config["TEST_CLOCK"]:
        api.register_blueprint(testing.blp)

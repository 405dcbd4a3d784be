"""flask-smorest blueprints, one per resource, plus the problem+json mapping."""
from flask import request

from app.api import appeals, attachments, definitions, errors, health, orders, principals, tasks, testing
from app.api.base import register_components
from app.errors import BadRequestError
from app.schemas.common import Money

JSON_METHODS = {"POST", "PUT", "PATCH"}
NON_JSON_ENDPOINTS = {"attachments.Attachments", "definitions.Definitions"}


def _require_json_bodies() -> None:
    """A request body must be JSON, except on the upload endpoints (contract: 400 bad_request)."""
    if request.method not in JSON_METHODS or request.endpoint in NON_JSON_ENDPOINTS \
            or request.routing_exception is not None or not (request.content_length or 0):
        return
    if not request.is_json:
        raise BadRequestError(f"expected application/json, got {request.mimetype or 'no content type'}")
    if request.get_json(silent=True) is None:
        raise BadRequestError("the request body is not well-formed JSON")


def register(app, api) -> None:
    errors.register(app)
    app.before_request(_require_json_bodies)
    register_components(api.spec)
    api.register_field(Money, "string", None)  # the wire carries "1000.00", never a JSON number
    for module in (health, principals, orders, tasks, appeals, attachments, definitions):
        api.register_blueprint(module.blp)
    if app.config["TEST_CLOCK"]:
        api.register_blueprint(testing.blp)

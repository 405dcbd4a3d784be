"""flask-smorest blueprints, one per resource, plus the problem+json mapping."""
from app.api import (appeals, attachments, callbacks, definitions, errors, health, input_guard, invoices,
                     notifications, observability, orders, principals, purchases, refunds, tasks, testing)
from app.api.base import register_components


def _no_sniffing(response):
    """Browsers take the declared Content-Type at its word (an uploaded HTML file stays a download)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def register(app, api) -> None:
    errors.register(app)
    observability.register(app)  # first: the request id exists before any other hook can fail
    app.before_request(input_guard.check_request)
    app.after_request(_no_sniffing)
    register_components(api.spec)
    for module in (health, principals, orders, tasks, appeals, attachments, definitions, invoices, refunds,
                   notifications, purchases, callbacks):
        api.register_blueprint(module.blp)
    if app.config["TEST_CLOCK"]:
        api.register_blueprint(testing.blp)

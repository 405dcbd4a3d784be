"""Every error leaves as application/problem+json (RFC 9457) with the contract's `code`."""
import logging

from flask import Response, current_app, json, request
from werkzeug.exceptions import HTTPException

from app.errors import DomainError, WorkflowError

log = logging.getLogger(__name__)

STATUS = {"unauthenticated": 401, "forbidden": 403, "not_found": 404, "conflict": 409, "order_frozen": 409,
          "action_not_available": 409, "appeal_not_allowed": 409, "payload_too_large": 413,
          "validation_failed": 422, "invalid_bpmn": 422, "bad_request": 400}
HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "bad_request",
              422: "validation_failed"}
TITLES = {"validation_failed": "Validation failed", "invalid_bpmn": "Invalid BPMN", "order_frozen": "Order frozen",
          "action_not_available": "Action not available", "appeal_not_allowed": "Appeal not allowed"}


def problem(status: int, code: str, detail: str, **extra) -> Response:
    body = {"type": f"https://fulfilment.example/problems/{code}", "title": TITLES.get(code) or
            code.replace("_", " ").capitalize(), "status": status, "detail": detail, "code": code, **extra}
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def handle_domain_error(exc: DomainError) -> Response:
    extra = dict(exc.extra)
    if exc.code == "validation_failed":
        extra["errors"] = flatten_errors(extra.get("errors", {}))
    return problem(STATUS.get(exc.code, 409), exc.code, exc.detail or exc.code, **extra)


def handle_http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status == 415:
        status = 400  # the contract answers a wrong content type with 400 bad_request
    code = HTTP_CODES.get(status, "internal_error" if status >= 500 else "bad_request")
    data = getattr(exc, "data", None) or {}
    if status == 422 and "messages" in data:
        return problem(422, code, "Some fields are not valid.", errors=_flatten(data["messages"]))
    response = _body_too_large() if status == 413 else problem(status, code, exc.description or code)
    for name, value in exc.get_headers():  # Allow on a 405 (RFC 9110 §15.5.6), WWW-Authenticate...
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _body_too_large() -> Response:
    """A request body past MAX_CONTENT_LENGTH, refused before it is read: say the limits in bytes."""
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    return problem(413, "payload_too_large", f"attachments are limited to {limit} bytes (request bodies to "
                   f"{current_app.config['MAX_CONTENT_LENGTH']} bytes)", limit_bytes=limit)


def _flatten(messages: dict) -> dict:
    """webargs nests errors by location ({'json': {...}}); the contract wants {field: [messages]}."""
    merged = {}
    for errors in messages.values():
        merged.update(flatten_errors(errors if isinstance(errors, dict) else {"_schema": errors}))
    return merged


def flatten_errors(errors: dict, prefix: str = "") -> dict:
    """Nested marshmallow errors as dotted paths: {'milestones.0.amount': ['Missing data ...']}."""
    flat = {}
    for key, value in errors.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_errors(value, f"{path}."))
        else:
            flat[path] = value if isinstance(value, list) else [value]
    return flat


def handle_workflow_error(exc: WorkflowError) -> Response:
    log.error("engine failure at %s: %s", exc.element_id, exc.message)
    return problem(500, "internal_error", "The order's process failed; it is marked for operations.",
                   element_id=exc.element_id)


def handle_unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "internal_error", "Something went wrong on our side.")


def register(app) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(WorkflowError, handle_workflow_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)

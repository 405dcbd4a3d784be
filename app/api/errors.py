"""Every error leaves as application/problem+json (RFC 9457) with the contract's `code`."""
import logging

from flask import Response, current_app, g, has_request_context, json, request
from werkzeug.exceptions import HTTPException

from app.errors import (BadRequestError, ConflictError, DomainError, ForbiddenError, NotFoundError,
                        PayloadTooLargeError, UnauthenticatedError, ValidationFailedError, WorkflowError)

log = logging.getLogger(__name__)

# what an HTTP error raised outside the services (routing, webargs, werkzeug) is, by its status
HTTP_ERRORS = {cls.status: cls for cls in (BadRequestError, UnauthenticatedError, ForbiddenError, NotFoundError,
                                           ConflictError, PayloadTooLargeError, ValidationFailedError)}
METHOD_NOT_ALLOWED = (405, "method_not_allowed", "Method not allowed")
INTERNAL_ERROR = (500, "internal_error", "Internal error")


def problem(status: int, code: str, title: str, detail: str, **extra) -> Response:
    """The problem document; `instance` names the request (its X-Request-Id, also in the logs)."""
    body = {"type": f"https://fulfilment.example/problems/{code}", "title": title, "status": status,
            "detail": detail, "code": code, **extra}
    if has_request_context():
        g.problem_code = code
        body["instance"] = f"urn:request:{g.get('request_id', '')}"
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def handle_domain_error(exc: DomainError) -> Response:
    extra = dict(exc.extra)
    if isinstance(exc, ValidationFailedError):
        extra["errors"] = flatten_errors(extra.get("errors", {}))
    return problem(exc.status, exc.code, exc.title, exc.detail or exc.title, **extra)


def _http_kind(status: int) -> tuple[int, str, str]:
    """(status, code, title) of a werkzeug error: 415 is the contract's 400; any other status is kept."""
    if status == 405:
        return METHOD_NOT_ALLOWED
    if status >= 500:
        return status, *INTERNAL_ERROR[1:]
    kind = HTTP_ERRORS.get(status, BadRequestError)
    return (kind.status if status == 415 else status), kind.code, kind.title


def handle_http_error(exc: HTTPException) -> Response:
    status, code, title = _http_kind(exc.code or 500)
    data = getattr(exc, "data", None) or {}
    if status == 422 and "messages" in data:
        return problem(422, code, title, "Some fields are not valid.", errors=_flatten(data["messages"]))
    response = _body_too_large() if status == 413 else problem(status, code, title, exc.description or title)
    for name, value in exc.get_headers():  # Allow on a 405 (RFC 9110 §15.5.6), WWW-Authenticate...
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _body_too_large() -> Response:
    """A request body past MAX_CONTENT_LENGTH, refused before it is read: say the limits in bytes."""
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    detail = (f"attachments are limited to {limit} bytes (request bodies to "
              f"{current_app.config['MAX_CONTENT_LENGTH']} bytes)")
    return problem(413, PayloadTooLargeError.code, PayloadTooLargeError.title, detail, limit_bytes=limit)


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
    return problem(*INTERNAL_ERROR, "The order's process failed; it is marked for operations.",
                   element_id=exc.element_id)


def handle_unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(*INTERNAL_ERROR, "Something went wrong on our side.")


def register(app) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(WorkflowError, handle_workflow_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)

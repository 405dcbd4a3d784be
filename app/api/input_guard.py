"""Refuse, before any view runs, input that no column or parser can take: NUL characters and unpaired
surrogates (PostgreSQL cannot store them; SQLite would, so both must refuse), JSON nested deeper than
MAX_JSON_DEPTH, and JSON bodies over MAX_JSON_BYTES."""
import math

from flask import current_app, request

from app.errors import BadRequestError, PayloadTooLargeError, ValidationFailedError
from app.text import UNSTORABLE, UNSTORABLE_MESSAGE, unstorable

JSON_METHODS = {"POST", "PUT", "PATCH"}
NON_JSON_ENDPOINTS = {"attachments.Attachments", "definitions.Definitions"}
MAX_JSON_DEPTH = 32
def check_request() -> None:
    """The before-request hook: URL, query string, then the JSON body."""
    if unstorable(request.path):
        raise BadRequestError(f"the URL path {UNSTORABLE_MESSAGE}")
    bad = sorted({key for key, value in request.args.items(multi=True) if unstorable(key) or unstorable(value)})
    if bad:
        raise ValidationFailedError({_shown(key): [UNSTORABLE_MESSAGE] for key in bad})
    if request.routing_exception is not None:  # 404/405 first: the body of a wrong route is not read
        return
    if request.method in JSON_METHODS and request.endpoint not in NON_JSON_ENDPOINTS and _has_body():
        check_json(_parsed_json())


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _parsed_json():
    """The body as JSON (cached for the view), or a 400/413 problem."""
    limit = current_app.config["MAX_JSON_BYTES"]
    if (request.content_length or 0) > limit:
        raise PayloadTooLargeError(f"JSON bodies are limited to {limit} bytes")
    request.max_content_length = limit  # also bounds a chunked body while it is read
    if not request.is_json:
        raise BadRequestError(f"expected application/json, got {request.mimetype or 'no content type'}")
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise BadRequestError(f"JSON may be nested at most {MAX_JSON_DEPTH} levels deep") from None
    if body is None:
        raise BadRequestError("the request body is not well-formed JSON")
    return body


def check_json(document) -> None:
    """Walk the document without recursion: depth at most MAX_JSON_DEPTH, every key and string storable."""
    bad, stack = [], [(document, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth >= MAX_JSON_DEPTH and isinstance(value, (dict, list)):
            raise BadRequestError(f"JSON may be nested at most {MAX_JSON_DEPTH} levels deep")
        if isinstance(value, str) and unstorable(value):
            bad.append(path or "_schema")
        elif isinstance(value, float) and not math.isfinite(value):
            raise BadRequestError("NaN and Infinity are not JSON numbers")
        elif isinstance(value, dict):
            for key, item in value.items():
                if unstorable(key):
                    bad.append(f"{path}{key}")
                stack.append((item, f"{path}{key}.", depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}{index}.", depth + 1) for index, item in enumerate(value))
    if bad:
        raise ValidationFailedError({_shown(path.rstrip(".")): [UNSTORABLE_MESSAGE] for path in sorted(bad)})


def _shown(name: str) -> str:
    """A field name fit for the problem document (the offending characters replaced by U+FFFD)."""
    return UNSTORABLE.sub("\ufffd", name)

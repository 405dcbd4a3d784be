"""Every domain exception declares its HTTP status, code and title, and the API answers each with them."""
import re

import pytest
import werkzeug.exceptions
from flask import Flask

from app.api.errors import handle_domain_error, handle_http_error
from app.errors import DomainError, InvalidBpmnError, ValidationFailedError


def subclasses(cls) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *subclasses(sub)]
    return found


ALL = subclasses(DomainError)
SNAKE_CASE = re.compile(r"^[a-z]+(_[a-z]+)*$")


def instance(cls) -> DomainError:
    if issubclass(cls, ValidationFailedError):
        return cls({"name": ["required"]})
    if issubclass(cls, InvalidBpmnError):
        return cls([{"element_id": "start", "message": "no outgoing flow"}])
    return cls("what happened")


def test_the_walk_finds_every_error_of_the_contract():
    assert {cls.__name__ for cls in ALL} >= {
        "BadRequestError", "UnauthenticatedError", "ForbiddenError", "NotFoundError", "ConflictError",
        "OrderFrozenError", "ActionNotAvailableError", "AppealNotAllowedError", "PayloadTooLargeError",
        "ValidationFailedError", "InvalidBpmnError"}


@pytest.mark.parametrize("cls", ALL, ids=lambda cls: cls.__name__)
def test_each_error_declares_status_code_and_title(cls):
    assert isinstance(cls.status, int) and 400 <= cls.status <= 599, cls.status
    assert SNAKE_CASE.match(cls.code), cls.code
    assert isinstance(cls.title, str) and cls.title.strip() and cls.title[0].isupper(), cls.title


def test_codes_are_unique():
    codes = [cls.code for cls in ALL]
    assert len(codes) == len(set(codes)), codes


def test_the_base_declares_nothing_so_nothing_defaults_to_409():
    for name in ("status", "code", "title"):
        assert name not in vars(DomainError), name
    with pytest.raises(TypeError, match="must declare status, code, title"):
        type("Forgotten", (DomainError,), {})
    with pytest.raises(TypeError, match="must declare title"):
        type("Untitled", (DomainError,), {"status": 409, "code": "untitled"})


@pytest.mark.parametrize("cls", ALL, ids=lambda cls: cls.__name__)
def test_the_api_answers_each_error_with_its_problem_document(cls):
    with Flask(__name__).app_context():
        response = handle_domain_error(instance(cls))
    body = response.get_json(force=True)
    assert response.status_code == cls.status
    assert response.mimetype == "application/problem+json"
    assert {key: body[key] for key in ("status", "code", "title")} == {
        "status": cls.status, "code": cls.code, "title": cls.title}
    assert body["type"].endswith(f"/problems/{cls.code}") and body["detail"]
    if issubclass(cls, (ValidationFailedError, InvalidBpmnError)):
        assert body["errors"]


@pytest.mark.parametrize("http_error, expected", [
    (werkzeug.exceptions.NotFound(), (404, "not_found", "Not found")),
    (werkzeug.exceptions.RequestEntityTooLarge(), (413, "payload_too_large", "Payload too large")),
    (werkzeug.exceptions.UnsupportedMediaType(), (400, "bad_request", "Bad request")),
    (werkzeug.exceptions.MethodNotAllowed(["POST"]), (405, "method_not_allowed", "Method not allowed")),
    (werkzeug.exceptions.ServiceUnavailable(), (503, "internal_error", "Internal error")),
], ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None)
def test_http_errors_outside_the_services_reuse_the_same_codes_and_titles(http_error, expected):
    bare = Flask(__name__)
    bare.config.update(MAX_ATTACHMENT_BYTES=1000, MAX_CONTENT_LENGTH=2000)  # a 413 says the limits
    with bare.test_request_context():
        response = handle_http_error(http_error)
    body = response.get_json(force=True)
    assert (response.status_code, body["code"], body["title"]) == expected
    assert body["status"] == expected[0] and response.mimetype == "application/problem+json"

"""Domain exceptions. Services raise them; app/api/errors.py maps each to one HTTP problem."""


class DomainError(Exception):
    """Base of every error a caller can cause; `code` is the contract's machine-readable code."""

    code = "conflict"

    def __init__(self, detail: str = "", **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class BadRequestError(DomainError):
    code = "bad_request"


class UnauthenticatedError(DomainError):
    code = "unauthenticated"


class ForbiddenError(DomainError):
    code = "forbidden"


class NotFoundError(DomainError):
    code = "not_found"


class ConflictError(DomainError):
    code = "conflict"


class OrderFrozenError(DomainError):
    code = "order_frozen"


class ActionNotAvailableError(DomainError):
    code = "action_not_available"


class AppealNotAllowedError(DomainError):
    code = "appeal_not_allowed"


class PayloadTooLargeError(DomainError):
    code = "payload_too_large"


class ValidationFailedError(DomainError):
    """Field errors: `errors` is {field: [messages]}."""

    code = "validation_failed"

    def __init__(self, errors: dict, detail: str = "Some fields are not valid."):
        super().__init__(detail, errors=errors)
        self.errors = errors


class InvalidBpmnError(DomainError):
    """A diagram was rejected: `errors` is a list of {element_id, message}."""

    code = "invalid_bpmn"

    def __init__(self, errors: list, detail: str = "The diagram was rejected."):
        super().__init__(detail, errors=errors)
        self.errors = errors


class WorkflowError(Exception):
    """The engine failed while advancing an instance (not the caller's fault)."""

    def __init__(self, message: str, element_id: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.element_id = element_id
        self.line = line
        self.owner: str | None = None  # what the failing instance belongs to (the order id), when known

    def as_dict(self) -> dict:
        return {"message": self.message, "element_id": self.element_id, "line": self.line}

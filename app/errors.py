"""Domain exceptions. Each class declares its HTTP `status`, the contract's `code` and a `title`;
services raise them and app/api/errors.py turns each into one problem+json document."""

DECLARED = ("status", "code", "title")


class DomainError(Exception):
    """Base of every error a caller can cause; it declares nothing, so every subclass must."""

    status: int
    code: str
    title: str

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        missing = [name for name in DECLARED if not hasattr(cls, name)]
        if missing:
            raise TypeError(f"{cls.__name__} must declare {', '.join(missing)}")

    def __init__(self, detail: str = "", **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class BadRequestError(DomainError):
    status, code, title = 400, "bad_request", "Bad request"


class UnauthenticatedError(DomainError):
    status, code, title = 401, "unauthenticated", "Unauthenticated"


class InvalidSignatureError(UnauthenticatedError):
    """An SDK-HMAC-SHA256 signed request whose signature, key or X-Sdk-Date does not hold."""

    status, code, title = 401, "invalid_signature", "Invalid signature"


class ForbiddenError(DomainError):
    status, code, title = 403, "forbidden", "Forbidden"


class NotFoundError(DomainError):
    status, code, title = 404, "not_found", "Not found"


class ConflictError(DomainError):
    status, code, title = 409, "conflict", "Conflict"


class OrderFrozenError(DomainError):
    status, code, title = 409, "order_frozen", "Order frozen"


class ActionNotAvailableError(DomainError):
    status, code, title = 409, "action_not_available", "Action not available"


class AppealNotAllowedError(DomainError):
    status, code, title = 409, "appeal_not_allowed", "Appeal not allowed"


class RefundNotAllowedError(DomainError):
    """The refund rules forbid it now: `reason` is the why_not code of refund-options."""

    status, code, title = 409, "refund_not_allowed", "Refund not allowed"

    def __init__(self, detail: str = "", reason: str = "not_refundable"):
        super().__init__(detail, reason=reason)
        self.reason = reason


class CallbackNotRetryableError(DomainError):
    """Only a failed callback is re-driven (a pending one is on its way, a delivered one is done)."""

    status, code, title = 409, "callback_not_retryable", "Callback not retryable"


class RefundPendingError(DomainError):
    status, code, title = 409, "refund_pending", "Refund pending"


class InvoiceNotReturnedError(DomainError):
    status, code, title = 409, "invoice_not_returned", "Invoice not returned"


class ApplicationNotAllowedError(DomainError):
    """The Weaver store's rules refuse the purchase application; `reason` names the rule, `detail` says it."""

    status, code, title = 409, "application_not_allowed", "Application not allowed"

    def __init__(self, detail: str = "", reason: str = "not_allowed"):
        super().__init__(detail, reason=reason)
        self.reason = reason


class PayloadTooLargeError(DomainError):
    status, code, title = 413, "payload_too_large", "Payload too large"


class ValidationFailedError(DomainError):
    """Field errors: `errors` is {field: [messages]}."""

    status, code, title = 422, "validation_failed", "Validation failed"

    def __init__(self, errors: dict, detail: str = "Some fields are not valid."):
        super().__init__(detail, errors=errors)
        self.errors = errors


class InvalidBpmnError(DomainError):
    """A diagram was rejected: `errors` is a list of {element_id, message}."""

    status, code, title = 422, "invalid_bpmn", "Invalid BPMN"

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

"""Expected failures of the domain, each with a stable code the API exposes."""

import enum


class ErrorCode(enum.StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    TOO_SHORT = "TOO_SHORT"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PHONE = "INVALID_PHONE"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_REUSED = "TOKEN_REUSED"
    INVALID_CODE = "INVALID_CODE"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    ALREADY_VERIFIED = "ALREADY_VERIFIED"
    ROLE_NOT_ALLOWED = "ROLE_NOT_ALLOWED"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    # Files
    FILE_NOT_FOUND = "FILE_NOT_FOUND"
    FILE_NOT_READY = "FILE_NOT_READY"
    FILE_WRONG_PURPOSE = "FILE_WRONG_PURPOSE"
    FILE_EMPTY = "FILE_EMPTY"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    FILE_SIZE_MISMATCH = "FILE_SIZE_MISMATCH"
    FILE_TYPE_MISMATCH = "FILE_TYPE_MISMATCH"
    UNSUPPORTED_CONTENT_TYPE = "UNSUPPORTED_CONTENT_TYPE"
    FILE_UNREADABLE = "FILE_UNREADABLE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    FILE_NOT_UPLOADED = "FILE_NOT_UPLOADED"
    FILE_NOT_PENDING = "FILE_NOT_PENDING"
    FILE_REJECTED = "FILE_REJECTED"
    INVALID_CURSOR = "INVALID_CURSOR"
    INVALID_ID = "INVALID_ID"
    NOT_ALLOWED = "NOT_ALLOWED"
    GIG_NOT_ACTIVE = "GIG_NOT_ACTIVE"
    OWN_GIG = "OWN_GIG"
    ALREADY_APPLIED = "ALREADY_APPLIED"
    # Orders and money
    ORDER_NOT_LATE = "ORDER_NOT_LATE"
    ORDER_EXPIRED = "ORDER_EXPIRED"
    REVISION_LIMIT_REACHED = "REVISION_LIMIT_REACHED"
    INVALID_SPLIT = "INVALID_SPLIT"
    WEBHOOK_DELIVERY_FAILED = "WEBHOOK_DELIVERY_FAILED"
    # Reviews and notifications
    ORDER_NOT_COMPLETED = "ORDER_NOT_COMPLETED"
    REVIEW_WINDOW_CLOSED = "REVIEW_WINDOW_CLOSED"
    ALREADY_REVIEWED = "ALREADY_REVIEWED"
    ALREADY_REPLIED = "ALREADY_REPLIED"
    ALREADY_HIDDEN = "ALREADY_HIDDEN"
    # Live streams: resume from the last cursor seen, at once or shortly
    STREAM_LAGGED = "STREAM_LAGGED"
    PUBSUB_UNAVAILABLE = "PUBSUB_UNAVAILABLE"


class DomainError(Exception):
    """A failure the client caused and can correct; shown to it as a `UserError`."""

    code: ErrorCode = ErrorCode.INVALID

    def __init__(
        self, message: str, *, code: ErrorCode | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field


class ValidationFailed(DomainError):
    code = ErrorCode.INVALID


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class Conflict(DomainError):
    code = ErrorCode.DUPLICATE


class InvalidTransition(DomainError):
    code = ErrorCode.INVALID_TRANSITION


class AccessDenied(Exception):
    """Base of the failures that are top-level GraphQL errors, not payload errors."""

    code = "FORBIDDEN"


class NotAuthenticated(AccessDenied):
    code = "UNAUTHENTICATED"


class Forbidden(AccessDenied):
    code = "FORBIDDEN"

"""How failures reach clients: payload `UserError`s, top-level auth errors, masked bugs."""

import logging
import uuid
from collections.abc import Awaitable, Iterator
from typing import TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from models.errors import AccessDenied, DomainError
from models.errors import ErrorCode as DomainErrorCode
from resolvers.context import Context

logger = logging.getLogger("gigstream.errors")

ErrorCode = strawberry.enum(DomainErrorCode, name="ErrorCode", description="Stable error codes.")

T = TypeVar("T")


@strawberry.type(description="A failure the client can correct, returned in a mutation payload.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "email"].'
    )
    code: ErrorCode
    message: str

    @classmethod
    def from_domain(cls, error: DomainError) -> "UserError":
        path = ["input", *error.field.split(".")] if error.field else None
        return cls(field=path, code=error.code, message=error.message)


async def attempt(ctx: Context, call: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Run a use-case; a domain failure rolls the transaction back and becomes a `UserError`."""
    try:
        return await call, []
    except DomainError as error:
        await ctx.rollback()
        return None, [UserError.from_domain(error)]


def _is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is None or isinstance(original, (GraphQLError, AccessDenied, DomainError))


def describe_errors(errors: list[GraphQLError]) -> None:
    """Give expected errors their code, and log each unexpected one once under a fresh id."""
    for error in errors:
        original = error.original_error
        if isinstance(original, (AccessDenied, DomainError)):
            error.extensions = {**(error.extensions or {}), "code": str(original.code)}
        elif not _is_expected(error):
            error_id = uuid.uuid4().hex
            error.extensions = {**(error.extensions or {}), "errorId": error_id}
            logger.error(
                "unexpected error %s at %s: %s",
                error_id,
                ".".join(map(str, error.path or [])),
                original,
                exc_info=original,
                extra={"error_id": error_id},
            )


class MaskUnexpectedErrors(SchemaExtension):
    """Replace the message of every unexpected error, keeping the id that its log line carries."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            result.errors = [mask(error) for error in result.errors]


def mask(error: GraphQLError) -> GraphQLError:
    """The error as a client may see it: an unexpected one says only that it happened."""
    if _is_expected(error):
        return error
    return GraphQLError(
        "Internal server error",
        nodes=error.nodes,
        path=error.path,
        extensions={
            "code": "INTERNAL_SERVER_ERROR",
            "errorId": (error.extensions or {}).get("errorId"),
        },
    )

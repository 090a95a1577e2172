"""Idempotency keys: a retry with the same key and input gets the first result, once."""

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models.errors import ErrorCode, ValidationFailed
from models.order import IdempotencyRecord
from resolvers.context import Context

KEY_MAX = 255


@dataclass(frozen=True, slots=True)
class Keyed:
    """One keyed call: who made it, to which operation, with which (normalized) input."""

    user_id: uuid.UUID
    operation: str
    key: str
    request_hash: str

    @classmethod
    def of(
        cls, user_id: uuid.UUID, operation: str, key: str | None, request: dict[str, Any]
    ) -> "Keyed | None":
        """`None` without a key; the input is hashed canonically, so field order is no matter."""
        if key is None:
            return None
        key = key.strip()
        if not key or len(key) > KEY_MAX:
            raise ValidationFailed(
                f"idempotencyKey must be 1 to {KEY_MAX} characters", field="idempotencyKey"
            )
        canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        return cls(user_id, operation, key, digest)

    async def earlier(self, ctx: Context) -> uuid.UUID | None:
        """The first result of this key, or `None` if it is new; IDEMPOTENCY_KEY_REUSED if it
        was used with another input."""
        record = await ctx.session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.user_id == self.user_id,
                IdempotencyRecord.operation == self.operation,
                IdempotencyRecord.key == self.key,
            )
        )
        if record is None:
            return None
        if record.request_hash != self.request_hash:
            raise ValidationFailed(
                "This idempotency key was already used with a different input",
                code=ErrorCode.IDEMPOTENCY_KEY_REUSED,
                field="idempotencyKey",
            )
        return record.result_id

    async def claim(self, ctx: Context, result_id: uuid.UUID) -> None:
        """Record the key in the caller's transaction, before its work: a concurrent call with
        the same key waits here for this one to commit, and then fails on the unique key."""
        ctx.session.add(
            IdempotencyRecord(
                user_id=self.user_id,
                operation=self.operation,
                key=self.key,
                request_hash=self.request_hash,
                result_id=result_id,
            )
        )
        await ctx.session.flush()


def is_key_conflict(error: IntegrityError) -> bool:
    """Whether the violated constraint is the idempotency key's."""
    message = str(error.orig)
    return "idempotency_record" in message

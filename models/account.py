"""Credentials that outlive a request: refresh tokens, one-time codes, outgoing mail and SMS."""

import enum
import uuid
from datetime import datetime

from sqlmodel import Field

from models.base import Entity
from models.types import StrEnum, UTCDateTime


class RefreshToken(Entity, table=True):
    """An opaque refresh token, stored as a hash; a family is one login's chain of rotations."""

    __tablename__ = "refresh_token"

    user_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    family_id: uuid.UUID = Field(index=True)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CodePurpose(enum.StrEnum):
    EMAIL_VERIFICATION = "EMAIL_VERIFICATION"
    PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105 -- a purpose, not a password
    PHONE_VERIFICATION = "PHONE_VERIFICATION"


class OneTimeCode(Entity, table=True):
    """A single-use secret sent to an address: stored as a keyed hash, expiring, attempt-capped."""

    __tablename__ = "one_time_code"

    user_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    purpose: CodePurpose = Field(sa_type=StrEnum(CodePurpose))
    target: str = Field(max_length=254)
    code_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = Field(default=0, ge=0)


class Channel(enum.StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


class OutboundMessage(Entity, table=True):
    """Every email and SMS we send, written in the transaction that caused it."""

    __tablename__ = "outbound_message"

    user_id: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )
    channel: Channel = Field(sa_type=StrEnum(Channel))
    recipient: str = Field(max_length=254, index=True)
    subject: str = Field(default="", max_length=200)
    body: str
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=500)

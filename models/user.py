"""People: clients who buy, freelancers who sell, admins who arbitrate."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlmodel import Field

from models.base import Entity
from models.types import StrEnum, UTCDateTime

EMAIL_MAX = 254
NAME_MAX = 100
HEADLINE_MAX = 120
BIO_MAX = 5000
LOCATION_MAX = 100


class UserRole(enum.StrEnum):
    CLIENT = "CLIENT"
    FREELANCER = "FREELANCER"
    ADMIN = "ADMIN"


class User(Entity, table=True):
    email: str = Field(max_length=EMAIL_MAX, unique=True)
    password_hash: str = Field(max_length=255)
    name: str = Field(max_length=NAME_MAX)
    role: UserRole = Field(sa_type=StrEnum(UserRole), index=True)
    headline: str | None = Field(default=None, max_length=HEADLINE_MAX)
    bio: str | None = Field(default=None, max_length=BIO_MAX)
    location: str | None = Field(default=None, max_length=LOCATION_MAX)
    phone: str | None = Field(default=None, max_length=20)
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    phone_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deactivated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # use_alter: user <-> stored_file is a cycle (a file has an owner), so the key comes last.
    avatar_file_id: uuid.UUID | None = Field(
        default=None,
        sa_column_args=[
            ForeignKey("stored_file.id", ondelete="SET NULL", use_alter=True),
        ],
    )
    # Reputation aggregates, kept in the transaction that changes them; never recomputed per read.
    rating_sum: int = Field(default=0, ge=0)
    rating_count: int = Field(default=0, ge=0)
    completed_orders: int = Field(default=0, ge=0)
    on_time_orders: int = Field(default=0, ge=0)

    @property
    def is_admin(self) -> bool:
        return self.role is UserRole.ADMIN

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def phone_verified(self) -> bool:
        return self.phone_verified_at is not None


def normalize_email(email: str) -> str:
    return email.strip().lower()


UserId = uuid.UUID

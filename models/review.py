"""Reviews left after an order, and the badges a seller earns."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, SmallInteger, UniqueConstraint, text
from sqlmodel import Field

from models.base import Entity
from models.types import StrEnum, UTCDateTime, utcnow

COMMENT_MAX = 2000
REPLY_MAX = 2000
HIDDEN_REASON_MAX = 500
_UNPUBLISHED = text("published_at IS NULL")


def _one_to_five(column: str) -> CheckConstraint:
    return CheckConstraint(
        f"{column} IS NULL OR {column} BETWEEN 1 AND 5", name=f"{column}_one_to_five"
    )


class Review(Entity, table=True):
    """One side's review of a finished order; hidden from others until `published_at`."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("order_id", "author_id"),
        Index("ix_review_subject_id_published_at", "subject_id", "published_at"),
        Index("ix_review_gig_id_published_at", "gig_id", "published_at"),
        # The few reviews still waiting for their window to close, scanned by the scheduler.
        Index(
            "ix_review_order_id_unpublished",
            "order_id",
            sqlite_where=_UNPUBLISHED,
            postgresql_where=_UNPUBLISHED,
        ),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_one_to_five"),
        _one_to_five("communication"),
        _one_to_five("quality"),
        _one_to_five("timeliness"),
    )

    order_id: uuid.UUID = Field(foreign_key="orders.id", ondelete="RESTRICT")
    author_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="RESTRICT")
    subject_id: uuid.UUID = Field(foreign_key="user.id", ondelete="RESTRICT")
    gig_id: uuid.UUID = Field(foreign_key="gig.id", ondelete="RESTRICT")
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=COMMENT_MAX)
    communication: int | None = Field(default=None, ge=1, le=5, sa_type=SmallInteger)
    quality: int | None = Field(default=None, ge=1, le=5, sa_type=SmallInteger)
    timeliness: int | None = Field(default=None, ge=1, le=5, sa_type=SmallInteger)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="RESTRICT")
    hidden_reason: str | None = Field(default=None, max_length=HIDDEN_REASON_MAX)
    reply: str | None = Field(default=None, max_length=REPLY_MAX)
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class BadgeKind(enum.StrEnum):
    FIRST_ORDER_COMPLETED = "FIRST_ORDER_COMPLETED"
    TEN_ORDERS_COMPLETED = "TEN_ORDERS_COMPLETED"
    TOP_RATED = "TOP_RATED"
    ON_TIME = "ON_TIME"
    VERIFIED = "VERIFIED"


class Badge(Entity, table=True):
    __tablename__ = "user_badge"
    # Unique, so awarding is idempotent: a concurrent second award fails instead of duplicating.
    __table_args__ = (UniqueConstraint("user_id", "badge"),)

    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE")
    badge: BadgeKind = Field(sa_type=StrEnum(BadgeKind))
    awarded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

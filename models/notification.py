"""In-app notifications, and which of them a user also wants by email."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from models.base import Entity
from models.types import StrEnum, UTCDateTime

TEXT_MAX = 500


class NotificationType(enum.StrEnum):
    APPLICATION_RECEIVED = "APPLICATION_RECEIVED"
    APPLICATION_ACCEPTED = "APPLICATION_ACCEPTED"
    APPLICATION_DECLINED = "APPLICATION_DECLINED"
    ORDER_UPDATED = "ORDER_UPDATED"
    MESSAGE_RECEIVED = "MESSAGE_RECEIVED"
    REVIEW_RECEIVED = "REVIEW_RECEIVED"
    REVIEW_PUBLISHED = "REVIEW_PUBLISHED"
    PAYMENT_SUCCEEDED = "PAYMENT_SUCCEEDED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    PAYOUT = "PAYOUT"
    DISPUTE_OPENED = "DISPUTE_OPENED"
    DISPUTE_RESOLVED = "DISPUTE_RESOLVED"
    BADGE_AWARDED = "BADGE_AWARDED"


class Notification(Entity, table=True):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_id_created_at", "user_id", "created_at"),
        Index("ix_notification_user_id_read_at", "user_id", "read_at"),
    )

    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE")
    type: NotificationType = Field(sa_type=StrEnum(NotificationType))
    text: str = Field(max_length=TEXT_MAX)
    # A Relay global id, so a client can open the target with `node(id:)`.
    target_id: str | None = Field(default=None, max_length=200)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set while the notification waits for its user's next email digest (chat messages).
    digest_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class NotificationPreference(Entity, table=True):
    """An override of the default (email on) for one type; no row means the default."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "type"),)

    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE")
    type: NotificationType = Field(sa_type=StrEnum(NotificationType))
    email: bool = Field(default=True)

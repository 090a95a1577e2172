"""Payments taken through a provider, and the provider's webhooks, each processed once."""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, UniqueConstraint
from sqlmodel import Field

from models.base import Entity
from models.types import StrEnum, UTCDateTime


class PaymentStatus(enum.StrEnum):
    REQUIRES_CONFIRMATION = "REQUIRES_CONFIRMATION"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class Payment(Entity, table=True):
    """A provider's payment intent funding an order; money reaches the ledger only on success."""

    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("provider", "provider_payment_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    order_id: uuid.UUID = Field(foreign_key="orders.id", index=True, ondelete="RESTRICT")
    provider: str = Field(max_length=32)
    provider_payment_id: str = Field(max_length=255)
    amount: int = Field(sa_type=BigInteger, gt=0)
    currency: str = Field(default="USD", max_length=3)
    status: PaymentStatus = Field(
        default=PaymentStatus.REQUIRES_CONFIRMATION, sa_type=StrEnum(PaymentStatus)
    )
    # The client secret is handed out once; keeping only its hash makes a database leak harmless.
    client_secret_hash: str | None = Field(default=None, max_length=64)
    failure_reason: str | None = Field(default=None, max_length=500)


class WebhookEvent(Entity, table=True):
    """A verified provider event; the unique key turns redelivery into a no-op."""

    __tablename__ = "webhook_event"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    provider: str = Field(max_length=32)
    event_id: str = Field(max_length=255)
    type: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # What the event did (FUNDED, FAILED, IGNORED_UNKNOWN_PAYMENT...), for whoever investigates.
    outcome: str | None = Field(default=None, max_length=64)
    # The signature (v1) of the delivery that was recorded: the same request again is a replay.
    signature: str | None = Field(default=None, max_length=64)

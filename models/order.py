"""Orders and what happens to them: events, deliveries, disputes, idempotent requests, timers."""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field

from models.base import Entity
from models.types import StrEnum, UTCDateTime, utcnow

REQUIREMENTS_MAX = 5000
REASON_MAX = 2000
MESSAGE_MAX = 5000


class OrderStatus(enum.StrEnum):
    PENDING_PAYMENT = "PENDING_PAYMENT"
    IN_PROGRESS = "IN_PROGRESS"
    DELIVERED = "DELIVERED"
    REVISION_REQUESTED = "REVISION_REQUESTED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"
    DISPUTED = "DISPUTED"


class Order(Entity, table=True):
    """A purchase in escrow; `status` moves only through the transition table, under `version`."""

    # ORDER is a reserved word in SQL.
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_buyer_id_status", "buyer_id", "status"),
        Index("ix_orders_seller_id_status", "seller_id", "status"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("fee IS NULL OR (fee >= 0 AND fee <= price)", name="fee_within_price"),
        CheckConstraint("revisions_used >= 0", name="revisions_used_not_negative"),
        CheckConstraint("buyer_fee >= 0", name="buyer_fee_not_negative"),
        CheckConstraint("fee_bps >= 0 AND fee_bps <= 10000", name="fee_bps_within_whole"),
    )

    # RESTRICT everywhere money was involved: an order is a financial record and outlives its parts.
    gig_id: uuid.UUID = Field(foreign_key="gig.id", index=True, ondelete="RESTRICT")
    package_id: uuid.UUID | None = Field(
        default=None, foreign_key="gig_package.id", ondelete="SET NULL"
    )
    # Unique: accepting the same application twice must not hire twice.
    application_id: uuid.UUID | None = Field(
        default=None, foreign_key="application.id", unique=True, ondelete="RESTRICT"
    )
    buyer_id: uuid.UUID = Field(foreign_key="user.id", ondelete="RESTRICT")
    seller_id: uuid.UUID = Field(foreign_key="user.id", ondelete="RESTRICT")
    status: OrderStatus = Field(default=OrderStatus.PENDING_PAYMENT, sa_type=StrEnum(OrderStatus))
    # Snapshots: the gig and its packages may change after the purchase.
    title: str = Field(max_length=120)
    requirements: str = Field(default="", max_length=REQUIREMENTS_MAX)
    price: int = Field(sa_type=BigInteger, ge=0)
    currency: str = Field(default="USD", max_length=3)
    # The platform's commission, taken from the seller's share: `fee_bps` of `price`, rounded
    # down, both fixed when the order is placed.
    fee: int | None = Field(default=None, sa_type=BigInteger, ge=0)
    fee_bps: int = Field(default=0, ge=0, le=10_000)
    # What the buyer pays on top of the price; the payment and the escrow hold price + buyer_fee.
    buyer_fee: int = Field(default=0, sa_type=BigInteger, ge=0)
    delivery_days: int = Field(gt=0)
    revisions_included: int = Field(default=0, ge=0)
    revisions_used: int = Field(default=0, ge=0)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    funded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Scanned by the scheduler: release after the review window, cancel unpaid orders.
    auto_complete_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # Compare-and-set: UPDATE ... WHERE version = :seen, so concurrent transitions cannot both win.
    version: int = Field(default=1, ge=1)


class OrderEvent(Entity, table=True):
    """One transition of an order; the order's history and the payload of `orderUpdated`."""

    __tablename__ = "order_event"
    __table_args__ = (Index("ix_order_event_order_id_at", "order_id", "at"),)

    order_id: uuid.UUID = Field(foreign_key="orders.id", ondelete="CASCADE")
    # None: the system moved it (payment webhook, scheduler).
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    from_status: OrderStatus | None = Field(default=None, sa_type=StrEnum(OrderStatus))
    to_status: OrderStatus = Field(sa_type=StrEnum(OrderStatus))
    reason: str | None = Field(default=None, max_length=REASON_MAX)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Delivery(Entity, table=True):
    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("order_id", "number"),)

    order_id: uuid.UUID = Field(foreign_key="orders.id", ondelete="CASCADE")
    message: str = Field(max_length=MESSAGE_MAX)
    # 1 for the first delivery, 2 after the first revision...; unique so a retry cannot add one.
    number: int = Field(ge=1)


class DeliveryFile(Entity, table=True):
    __tablename__ = "delivery_file"
    __table_args__ = (UniqueConstraint("delivery_id", "file_id"),)

    delivery_id: uuid.UUID = Field(foreign_key="delivery.id", ondelete="CASCADE")
    file_id: uuid.UUID = Field(foreign_key="stored_file.id", index=True, ondelete="RESTRICT")


class DisputeStatus(enum.StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


class DisputeOutcome(enum.StrEnum):
    RELEASE = "RELEASE"
    REFUND = "REFUND"
    SPLIT = "SPLIT"


class Dispute(Entity, table=True):
    __tablename__ = "dispute"
    __table_args__ = (
        Index("ix_dispute_status_created_at", "status", "created_at"),
        CheckConstraint(
            "seller_share_minor IS NULL OR seller_share_minor >= 0",
            name="seller_share_not_negative",
        ),
    )

    order_id: uuid.UUID = Field(foreign_key="orders.id", unique=True, ondelete="RESTRICT")
    opened_by_id: uuid.UUID = Field(foreign_key="user.id", ondelete="RESTRICT")
    reason: str = Field(max_length=REASON_MAX)
    evidence: str = Field(default="", max_length=10_000)
    status: DisputeStatus = Field(default=DisputeStatus.OPEN, sa_type=StrEnum(DisputeStatus))
    outcome: DisputeOutcome | None = Field(default=None, sa_type=StrEnum(DisputeOutcome))
    # The amount, not the basis points, so the ledger posts exactly what was decided.
    seller_share_minor: int | None = Field(default=None, sa_type=BigInteger, ge=0)
    resolved_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", ondelete="RESTRICT"
    )
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=REASON_MAX)


class DisputeFile(Entity, table=True):
    __tablename__ = "dispute_file"
    __table_args__ = (UniqueConstraint("dispute_id", "file_id"),)

    dispute_id: uuid.UUID = Field(foreign_key="dispute.id", ondelete="CASCADE")
    file_id: uuid.UUID = Field(foreign_key="stored_file.id", index=True, ondelete="RESTRICT")


class IdempotencyRecord(Entity, table=True):
    """The first result of a keyed mutation; a retry returns it, a different input is refused."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("user_id", "operation", "key"),)

    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE")
    key: str = Field(max_length=255)
    operation: str = Field(max_length=64)
    # SHA-256 hex of the canonical input, to tell a retry from a reuse of the key.
    request_hash: str = Field(max_length=64)
    result_id: uuid.UUID | None = None


class ScheduledJob(Entity, table=True):
    """Work due at a time, claimed by any process by setting `locked_until` (a lease)."""

    __tablename__ = "scheduled_job"

    kind: str = Field(max_length=64)
    run_at: datetime = Field(sa_type=UTCDateTime, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # e.g. "auto_complete:<order id>": rescheduling replaces a job instead of adding a second one.
    dedupe_key: str | None = Field(default=None, max_length=128, unique=True)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = Field(default=0, ge=0)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=2000)

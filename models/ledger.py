"""The double-entry ledger: every movement of money, append-only, balanced to zero."""

import enum
import uuid

from sqlalchemy import BigInteger, CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field

from models.base import Entity
from models.types import StrEnum


class AccountKind(enum.StrEnum):
    """Where money sits: an ESCROW per order, a WALLET per user, the rest one per currency.

    EXTERNAL_FUNDING, REFUNDS and PAYOUTS stand for the world outside (money in from the
    provider, back to buyers, out to sellers): they carry the other side of every movement
    across the platform's edge. Funding is drawn from the world, so its balance is negative;
    refunds and payouts are paid out to it, so theirs grow positive.
    """

    EXTERNAL_FUNDING = "EXTERNAL_FUNDING"
    ESCROW = "ESCROW"
    WALLET = "WALLET"
    PLATFORM_FEES = "PLATFORM_FEES"
    REFUNDS = "REFUNDS"
    PAYOUTS = "PAYOUTS"


def owner_key(
    kind: AccountKind, *, user_id: uuid.UUID | None = None, order_id: uuid.UUID | None = None
) -> str:
    """Name the one account of `kind`: `wallet:<user>`, `escrow:<order>`, or e.g. `payouts`."""
    if kind is AccountKind.WALLET:
        if user_id is None or order_id is not None:
            raise ValueError("a wallet belongs to a user and to no order")
        return f"wallet:{user_id}"
    if kind is AccountKind.ESCROW:
        if order_id is None or user_id is not None:
            raise ValueError("an escrow belongs to an order and to no user")
        return f"escrow:{order_id}"
    if user_id is not None or order_id is not None:
        raise ValueError(f"{kind} is a platform account, it has no owner")
    return kind.value.lower()


class LedgerAccount(Entity, table=True):
    """An account; its balance is the sum of its postings, never a stored number."""

    __tablename__ = "ledger_account"
    # owner_key rather than (kind, user_id, order_id): NULLs are distinct in unique constraints.
    __table_args__ = (UniqueConstraint("owner_key", "currency"),)

    kind: AccountKind = Field(sa_type=StrEnum(AccountKind))
    owner_key: str = Field(max_length=100)
    user_id: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="RESTRICT"
    )
    order_id: uuid.UUID | None = Field(
        default=None, foreign_key="orders.id", index=True, ondelete="RESTRICT"
    )
    currency: str = Field(default="USD", max_length=3)


class LedgerTransaction(Entity, table=True):
    """A set of postings that sum to zero, written together or not at all."""

    __tablename__ = "ledger_transaction"

    kind: str = Field(max_length=32)  # FUND, RELEASE, REFUND, SPLIT, PAYOUT...
    order_id: uuid.UUID | None = Field(
        default=None, foreign_key="orders.id", index=True, ondelete="RESTRICT"
    )
    # e.g. "release:<order id>": the unique key is what makes posting a movement twice impossible.
    idempotency: str = Field(max_length=128, unique=True)
    memo: str = Field(default="", max_length=500)


class LedgerPosting(Entity, table=True):
    """One leg of a transaction. Positive `amount` moves money into the account, negative out.

    Append-only: rows are never updated or deleted; a mistake is corrected by a reversing
    transaction. The postings of a transaction sum to zero, so the sum over all accounts is zero
    at every moment, and the external accounts (funding, refunds, payouts) carry the balancing
    entries for money that enters or leaves the platform.
    """

    __tablename__ = "ledger_posting"
    __table_args__ = (
        Index("ix_ledger_posting_account_id_created_at", "account_id", "created_at"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
    )

    transaction_id: uuid.UUID = Field(
        foreign_key="ledger_transaction.id", index=True, ondelete="RESTRICT"
    )
    account_id: uuid.UUID = Field(foreign_key="ledger_account.id", ondelete="RESTRICT")
    amount: int = Field(sa_type=BigInteger)
    currency: str = Field(default="USD", max_length=3)

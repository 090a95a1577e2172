"""A user's wallet: what their sales paid them, what escrow still holds for them, and how."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from models.ledger import AccountKind, LedgerAccount, LedgerPosting, LedgerTransaction
from models.money import CURRENCY
from models.order import Order
from models.order_state import FUNDED
from resolvers.context import Context
from resolvers.ledger import balance_of
from resolvers.pagination import Ordering, Page, SortKey, paginate
from resolvers.users import may_see_private_fields

ENTRIES = Ordering(
    "wallet",
    (
        SortKey("t", LedgerPosting.created_at, descending=True, kind=datetime),
        SortKey("id", LedgerPosting.id, descending=True, kind=uuid.UUID),
    ),
)


@dataclass(frozen=True, slots=True)
class Wallet:
    user_id: uuid.UUID
    balance: int
    pending: int
    currency: str = CURRENCY


async def wallet(ctx: Context, *, user: object) -> Wallet | None:
    """The wallet of `user`, for themself and admins; `None` for anyone else."""
    if not await may_see_private_fields(ctx, user):
        return None
    user_id = user.id  # type: ignore[attr-defined]
    balance = await ctx.session.scalar(balance_of(f"wallet:{user_id}"))
    in_flight = select(Order.id).where(Order.seller_id == user_id, Order.status.in_(FUNDED))
    pending = await ctx.session.scalar(
        select(func.coalesce(func.sum(LedgerPosting.amount), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
        .where(LedgerAccount.kind == AccountKind.ESCROW, LedgerAccount.order_id.in_(in_flight))
    )
    return Wallet(user_id, int(balance or 0), int(pending or 0))


async def entries(
    ctx: Context, *, user_id: uuid.UUID, first: int | None, after: str | None
) -> Page:
    """Every movement of a wallet, newest first, with the transaction it was part of."""
    statement = (
        select(
            LedgerPosting.id,
            LedgerPosting.amount,
            LedgerPosting.currency,
            LedgerPosting.created_at,
            LedgerTransaction.kind,
            LedgerTransaction.memo,
            LedgerTransaction.order_id,
        )
        .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(LedgerAccount.owner_key == f"wallet:{user_id}")
    )
    return await paginate(ctx.session, statement, ENTRIES, first=first, after=after)

"""Write and read the ledger: balanced postings, each movement at most once, balances by sum."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.errors import InvalidTransition
from models.escrow import Leg, Movement
from models.ledger import AccountKind, LedgerAccount, LedgerPosting, LedgerTransaction
from models.money import CURRENCY


async def post(
    session: AsyncSession,
    movement: Movement,
    *,
    order_id: uuid.UUID | None,
    currency: str = CURRENCY,
    memo: str = "",
) -> LedgerTransaction:
    """Write `movement` in the session's transaction; a second posting of it is refused."""
    legs = [leg for leg in movement.legs if leg.amount]
    if not legs or sum(leg.amount for leg in legs) != 0:
        raise ValueError(f"refusing an unbalanced or empty {movement.kind}: {legs}")
    accounts = await account_ids(session, legs, currency)
    transaction = LedgerTransaction(
        kind=movement.kind, order_id=order_id, idempotency=movement.idempotency, memo=memo[:500]
    )
    session.add(transaction)
    try:
        await session.flush()
    except IntegrityError as error:
        if "idempotency" not in str(error.orig):
            raise
        # The caller rolls back: the whole use-case that wanted to move the money is refused.
        raise InvalidTransition(
            f"This money has already moved ({movement.idempotency.split(':')[0]})",
            field="orderId",
        ) from None
    session.add_all(
        LedgerPosting(
            transaction_id=transaction.id,
            account_id=accounts[leg.owner_key],
            amount=leg.amount,
            currency=currency,
        )
        for leg in legs
    )
    await session.flush()
    return transaction


async def account_ids(
    session: AsyncSession, legs: Sequence[Leg], currency: str
) -> dict[str, uuid.UUID]:
    """The accounts the legs name, created on first use (concurrent creators agree on one)."""
    wanted = {leg.owner_key: leg for leg in legs}
    found = await _find(session, list(wanted), currency)
    missing = sorted(key for key in wanted if key not in found)  # one order: no deadlocks
    if missing:
        rows = [
            LedgerAccount(
                kind=wanted[key].kind,
                owner_key=key,
                user_id=wanted[key].user_id,
                order_id=wanted[key].order_id,
                currency=currency,
            ).model_dump()
            for key in missing
        ]
        insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            insert(LedgerAccount)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["owner_key", "currency"])
        )
        found |= await _find(session, missing, currency)
    return found


async def _find(session: AsyncSession, keys: list[str], currency: str) -> dict[str, uuid.UUID]:
    rows = await session.execute(
        select(LedgerAccount.owner_key, LedgerAccount.id).where(
            LedgerAccount.owner_key.in_(keys), LedgerAccount.currency == currency
        )
    )
    return dict(rows.all())


def balance_of(*keys: str, currency: str = CURRENCY) -> Any:
    """A statement for the summed balance of the accounts named by `keys`."""
    return (
        select(func.coalesce(func.sum(LedgerPosting.amount), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
        .where(LedgerAccount.owner_key.in_(keys), LedgerAccount.currency == currency)
    )


async def balance(session: AsyncSession, leg_kind: AccountKind, **owner: uuid.UUID) -> int:
    """The balance of one account: the sum of its postings."""
    key = Leg(leg_kind, 0, **owner).owner_key
    return int(await session.scalar(balance_of(key)) or 0)

"""The ledger's invariants, checked against the database after every step that moves money."""

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select

from models.escrow import FUND, REFUND, RELEASE, RETURN, SPLIT, total
from models.ledger import AccountKind, LedgerAccount, LedgerPosting, LedgerTransaction
from models.order import Order
from models.order_state import FUNDED

SETTLEMENTS = {RELEASE, SPLIT, REFUND}


async def assert_ledger_invariants(db: Any) -> None:
    """Fail unless the ledger is balanced and every order's escrow is what its status says.

    - every transaction, and so the whole ledger, sums to zero, in one currency per account;
    - each order's escrow = funded - released - refunded, never below zero, and it holds the
      order's total exactly while the order is funded and nothing otherwise;
    - no wallet is below zero;
    - an order is funded at most once and settled (released, split or refunded) at most once,
      and a completed or refunded order was settled.
    """
    accounts = {a.id: a for a in await db.scalars(select(LedgerAccount))}
    transactions = {t.id: t for t in await db.scalars(select(LedgerTransaction))}
    postings = await db.scalars(select(LedgerPosting))
    orders = {o.id: o for o in await db.scalars(select(Order))}

    by_transaction: dict[Any, int] = defaultdict(int)
    by_currency: dict[str, int] = defaultdict(int)
    balances: dict[Any, int] = defaultdict(int)
    escrow_moves: dict[Any, Counter[str]] = defaultdict(Counter)
    for posting in postings:
        account = accounts[posting.account_id]
        assert posting.amount != 0
        assert posting.currency == account.currency, f"posting {posting.id} in another currency"
        by_transaction[posting.transaction_id] += posting.amount
        by_currency[posting.currency] += posting.amount
        balances[posting.account_id] += posting.amount
        if account.kind is AccountKind.ESCROW:
            kind = transactions[posting.transaction_id].kind
            escrow_moves[account.order_id][kind] += posting.amount

    unbalanced = {key: value for key, value in by_transaction.items() if value}
    assert not unbalanced, f"transactions that do not sum to zero: {unbalanced}"
    assert all(value == 0 for value in by_currency.values()), f"ledger total {dict(by_currency)}"
    assert set(by_transaction) == set(transactions), "a transaction without postings"

    for account_id, amount in balances.items():
        account = accounts[account_id]
        if account.kind is AccountKind.WALLET:
            assert amount >= 0, f"{account.owner_key} is at {amount}"

    kinds = Counter((t.order_id, t.kind) for t in transactions.values())
    for order in orders.values():
        moves = escrow_moves.get(order.id, Counter())
        funded = moves[FUND]
        released = -(moves[RELEASE] + moves[SPLIT])
        refunded = -moves[REFUND]
        escrow = sum(moves.values())
        assert escrow == funded - released - refunded, f"escrow of {order.id} moved otherwise"
        assert escrow >= 0, f"escrow of {order.id} is at {escrow}"
        expected = total(order) if order.status in FUNDED else 0
        assert escrow == expected, f"{order.status} order {order.id} holds {escrow} in escrow"
        assert kinds[order.id, FUND] <= 1, f"order {order.id} funded twice"
        settled = sum(kinds[order.id, kind] for kind in SETTLEMENTS)
        assert settled <= 1, f"order {order.id} settled {settled} times"
        if order.status.value in {"COMPLETED", "REFUNDED"} and order.funded_at is not None:
            assert settled == 1, f"{order.status} order {order.id} was never settled"
        assert kinds[order.id, RELEASE] + kinds[order.id, SPLIT] <= 1
    returns = [t for t in transactions.values() if t.kind == RETURN]
    assert len({t.idempotency for t in returns}) == len(returns)

"""The demo marketplace keeps the ledger's invariants, before and after the timers run on it."""

import io

import pytest
from sqlalchemy import update

from models.catalog import Category
from models.db import open_session
from resolvers.seed import seed_marketplace
from tests.orders.ledger_invariants import assert_ledger_invariants


@pytest.fixture(autouse=True)
async def flatten_categories(services):
    """Let the clean-up delete the category tree in one statement (see tests/test_seed.py)."""
    yield
    async with open_session(services.sessions) as session:
        await session.execute(update(Category).values(parent_id=None))
        await session.commit()


async def test_the_seeded_orders_balance_and_the_timers_keep_them_so(services, db, clock):
    await seed_marketplace(services.settings, scale=1, out=io.StringIO())
    await assert_ledger_invariants(db)

    clock.advance(days=30)
    moved = await services.scheduler.tick()

    assert moved["auto_complete"] > 0
    assert moved["expire"] > 0
    await assert_ledger_invariants(db)

"""Timers: a delivery left unanswered completes, an unpaid order expires; time is moved."""

import asyncio
import os

import pytest
from sqlalchemy import select

from models.ledger import LedgerTransaction
from models.order import Order, OrderEvent, OrderStatus
from models.payment import Payment, PaymentStatus
from resolvers.scheduler import Scheduler
from schema.relay import decode_id
from tests.orders.ledger_invariants import assert_ledger_invariants

POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")


@pytest.fixture
def scheduler(services, clock):
    return services.scheduler


async def delivered_order(api, market):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.pay(market.buyer, order_id)
    await api.deliver(market.seller, order_id)
    return order_id


async def status(db, order_id):
    return (await db.get(Order, decode_id(order_id)[1])).status


async def test_a_delivery_left_unanswered_completes_after_the_review_window(
    api, db, market, scheduler, clock
):
    order_id = await delivered_order(api, market)

    clock.advance(days=3, seconds=-5)
    assert await scheduler.tick() == {
        "auto_complete": 0,
        "expire": 0,
        "publish_reviews": 0,
        "email_digests": 0,
    }
    assert await status(db, order_id) is OrderStatus.DELIVERED

    clock.advance(seconds=10)
    assert await scheduler.tick() == {
        "auto_complete": 1,
        "expire": 0,
        "publish_reviews": 0,
        "email_digests": 0,
    }

    order = await api.order(market.buyer, order_id)
    assert order["status"] == "COMPLETED"
    assert order["events"][-1]["actor"] is None
    assert order["events"][-1]["reason"] == "The buyer did not answer within the review window"
    assert (await api.wallet(market.seller))["balance"] == {"amount": "45.00"}
    await assert_ledger_invariants(db)


async def test_a_tick_with_nothing_due_changes_nothing(api, db, market, scheduler, clock):
    await delivered_order(api, market)

    assert await scheduler.tick() == {
        "auto_complete": 0,
        "expire": 0,
        "publish_reviews": 0,
        "email_digests": 0,
    }
    assert await scheduler.tick() == {
        "auto_complete": 0,
        "expire": 0,
        "publish_reviews": 0,
        "email_digests": 0,
    }


async def test_an_answered_delivery_is_not_completed_by_the_timer(
    api, db, market, scheduler, clock
):
    order_id = await delivered_order(api, market)
    await api.revise(market.buyer, order_id)

    clock.advance(days=10)
    await scheduler.tick()

    assert await status(db, order_id) is OrderStatus.REVISION_REQUESTED


async def test_a_redelivery_starts_a_new_review_window(api, db, market, scheduler, clock):
    order_id = await delivered_order(api, market)
    clock.advance(days=2)
    await api.revise(market.buyer, order_id)
    await api.deliver(market.seller, order_id, message="Again")

    clock.advance(days=2)
    await scheduler.tick()
    assert await status(db, order_id) is OrderStatus.DELIVERED

    clock.advance(days=1, seconds=1)
    await scheduler.tick()
    assert await status(db, order_id) is OrderStatus.COMPLETED


async def test_a_disputed_order_is_frozen(api, db, market, scheduler, clock):
    order_id = await delivered_order(api, market)
    await api.open_dispute(market.buyer, order_id)

    clock.advance(days=30)
    await scheduler.tick()

    assert await status(db, order_id) is OrderStatus.DISPUTED
    await assert_ledger_invariants(db)


async def test_an_unpaid_order_expires_after_a_day(api, db, market, scheduler, clock):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.fund(market.buyer, order_id)

    clock.advance(hours=23)
    await scheduler.tick()
    assert await status(db, order_id) is OrderStatus.PENDING_PAYMENT

    clock.advance(hours=1, seconds=1)
    assert await scheduler.tick() == {
        "auto_complete": 0,
        "expire": 1,
        "publish_reviews": 0,
        "email_digests": 0,
    }

    order = await api.order(market.buyer, order_id)
    assert order["status"] == "CANCELLED"
    assert order["events"][-1]["reason"] == "The order was not paid in time"
    [payment] = await db.scalars(select(Payment))
    assert payment.status is PaymentStatus.CANCELLED
    assert await db.scalars(select(LedgerTransaction)) == []
    await assert_ledger_invariants(db)


async def test_a_paid_order_never_expires(api, db, market, scheduler, clock):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.pay(market.buyer, order_id)

    clock.advance(days=2)
    await scheduler.tick()

    assert await status(db, order_id) is OrderStatus.IN_PROGRESS


async def test_a_tick_moves_every_due_order(api, db, market, scheduler, clock):
    ids = [await delivered_order(api, market) for _ in range(3)]

    clock.advance(days=4)
    assert await scheduler.tick() == {
        "auto_complete": 3,
        "expire": 0,
        "publish_reviews": 0,
        "email_digests": 0,
    }

    assert [await status(db, i) for i in ids] == [OrderStatus.COMPLETED] * 3
    await assert_ledger_invariants(db)


async def test_the_running_loop_ticks_by_itself(services, api, db, market, clock):
    order_id = await delivered_order(api, market)
    clock.advance(days=4)
    loop = Scheduler(services, interval=0.01)

    loop.start()
    try:
        for _ in range(200):
            if await status(db, order_id) is OrderStatus.COMPLETED:
                break
            await asyncio.sleep(0.01)
    finally:
        await loop.stop()

    assert await status(db, order_id) is OrderStatus.COMPLETED


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="row locks need PostgreSQL")
async def test_concurrent_ticks_complete_each_order_once(api, db, market, scheduler, clock):
    ids = [await delivered_order(api, market) for _ in range(4)]
    clock.advance(days=4)

    results = await asyncio.gather(*(scheduler.tick() for _ in range(4)))

    assert sum(r["auto_complete"] for r in results) == 4
    assert [await status(db, i) for i in ids] == [OrderStatus.COMPLETED] * 4
    completions = await db.scalars(
        select(OrderEvent).where(OrderEvent.to_status == OrderStatus.COMPLETED)
    )
    assert len(completions) == 4
    await assert_ledger_invariants(db)

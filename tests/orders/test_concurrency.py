"""Races: row locks and compare-and-set keep every money movement single.

They run on both backends; on PostgreSQL the requests truly overlap (SELECT ... FOR UPDATE
waits, ON CONFLICT waits on the unique key), on SQLite BEGIN IMMEDIATE takes them in turn.
"""

import asyncio
import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from models.ledger import LedgerTransaction
from models.order import Order, OrderEvent, OrderStatus
from models.payment import Payment
from resolvers.payments.signing import sign
from resolvers.payments.simulator import SIGNATURE_HEADER
from schema.relay import decode_id, encode_id
from tests.orders.ledger_invariants import assert_ledger_invariants

pytestmark = pytest.mark.postgres

URL = "/webhooks/payments/simulator"


async def delivered_order(api, market):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.pay(market.buyer, order_id)
    await api.deliver(market.seller, order_id)
    return order_id


async def kinds(db, order_id):
    rows = await db.scalars(
        select(LedgerTransaction.kind).where(LedgerTransaction.order_id == decode_id(order_id)[1])
    )
    return Counter(rows)


def outcome(payload):
    return "ok" if payload["errors"] == [] else payload["errors"][0]["code"]


async def test_twenty_concurrent_approvals_release_once(api, db, market):
    order_id = await delivered_order(api, market)

    payloads = await asyncio.gather(*(api.approve(market.buyer, order_id) for _ in range(20)))

    assert Counter(outcome(p) for p in payloads) == {"ok": 1, "INVALID_TRANSITION": 19}
    assert await kinds(db, order_id) == {"FUND": 1, "RELEASE": 1}
    completions = await db.scalar(
        select(func.count())
        .select_from(OrderEvent)
        .where(OrderEvent.to_status == OrderStatus.COMPLETED)
    )
    assert completions == 1
    assert (await api.wallet(market.seller))["balance"] == {"amount": "45.00"}
    await assert_ledger_invariants(db)


async def test_approval_racing_cancellation_exactly_one_wins(api, db, market):
    order_id = await delivered_order(api, market)

    approved, cancelled = await asyncio.gather(
        api.approve(market.buyer, order_id), api.cancel(market.seller, order_id)
    )

    assert sorted([outcome(approved), outcome(cancelled)]) == ["INVALID_TRANSITION", "ok"]
    await assert_ledger_invariants(db)


async def test_approval_racing_a_dispute_exactly_one_wins(api, db, market):
    for _ in range(3):
        order_id = await delivered_order(api, market)

        approved, disputed = await asyncio.gather(
            api.approve(market.buyer, order_id), api.open_dispute(market.seller, order_id)
        )

        assert sorted([outcome(approved), outcome(disputed)]) == ["INVALID_TRANSITION", "ok"]
        order = await db.get(Order, decode_id(order_id)[1])
        winner = OrderStatus.COMPLETED if outcome(approved) == "ok" else OrderStatus.DISPUTED
        assert order.status is winner
        await assert_ledger_invariants(db)


async def test_a_late_buyers_cancellation_racing_the_delivery_exactly_one_wins(
    api, db, market, clock
):
    for _ in range(3):
        order_id = (await api.place(market.buyer, market.service))["order"]["id"]
        await api.pay(market.buyer, order_id)
        clock.advance(days=4)

        cancelled, delivered = await asyncio.gather(
            api.cancel(market.buyer, order_id), api.deliver(market.seller, order_id)
        )

        assert sorted([outcome(cancelled), outcome(delivered)]) == ["INVALID_TRANSITION", "ok"]
        await assert_ledger_invariants(db)


async def test_many_orders_settling_at_once_share_the_platform_accounts(api, db, market):
    order_ids = [await delivered_order(api, market) for _ in range(6)]

    payloads = await asyncio.gather(*(api.approve(market.buyer, o) for o in order_ids))

    assert [outcome(p) for p in payloads] == ["ok"] * 6
    assert (await api.wallet(market.seller))["balance"] == {"amount": "270.00"}
    await assert_ledger_invariants(db)


async def open_payment(api, db, market):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    intent = (await api.fund(market.buyer, order_id))["paymentIntent"]
    return await db.get(Payment, decode_id(intent["id"])[1])


def signed(services, clock, event, *, skew=0):
    body = json.dumps(event).encode()
    timestamp = int(clock.now().timestamp()) - skew
    header = sign(body, services.settings.webhook_secrets[0], timestamp)
    return body, {SIGNATURE_HEADER: header}


def success(services, clock, payment):
    return services.payments.event(
        reference=payment.provider_payment_id,
        amount=payment.amount,
        currency=payment.currency,
        succeeded=True,
        now=clock.now(),
    )


async def test_the_same_webhook_ten_times_at_once_funds_once(
    api, db, client, services, market, clock
):
    payment = await open_payment(api, db, market)
    body, headers = signed(services, clock, success(services, clock, payment))

    responses = await asyncio.gather(
        *(client.post(URL, content=body, headers=headers) for _ in range(10))
    )

    assert Counter(r.status_code for r in responses) == {200: 1, 400: 9}  # 9 replays
    assert await kinds(db, _order_gid(payment)) == {"FUND": 1}
    await assert_ledger_invariants(db)


async def test_ten_redeliveries_of_one_event_at_once_fund_once(
    api, db, client, services, market, clock
):
    payment = await open_payment(api, db, market)
    event = success(services, clock, payment)
    deliveries = [signed(services, clock, event, skew=n) for n in range(10)]

    responses = await asyncio.gather(
        *(client.post(URL, content=body, headers=headers) for body, headers in deliveries)
    )

    assert [r.status_code for r in responses] == [200] * 10
    assert Counter(r.json().get("outcome", "duplicate") for r in responses) == {
        "FUNDED": 1,
        "duplicate": 9,
    }
    assert await kinds(db, _order_gid(payment)) == {"FUND": 1}
    await assert_ledger_invariants(db)


async def test_two_different_events_for_one_payment_at_once_fund_once(
    api, db, client, services, market, clock
):
    payment = await open_payment(api, db, market)
    first = signed(services, clock, success(services, clock, payment))
    second = signed(services, clock, success(services, clock, payment))

    responses = await asyncio.gather(
        *(client.post(URL, content=body, headers=headers) for body, headers in (first, second))
    )

    assert sorted(r.json()["outcome"] for r in responses) == ["ALREADY_APPLIED", "FUNDED"]
    assert await kinds(db, _order_gid(payment)) == {"FUND": 1}
    await assert_ledger_invariants(db)


def _order_gid(payment):
    return encode_id("Order", payment.order_id)


async def test_two_hires_on_one_request_at_once_make_one_order(api, db, market, applications):
    hired, rival = applications

    payloads = await asyncio.gather(
        api.accept(market.client, hired), api.accept(market.client, rival)
    )

    assert sorted(outcome(p) for p in payloads) == ["INVALID_TRANSITION", "ok"]
    assert await db.scalar(select(func.count()).select_from(Order)) == 1
    await assert_ledger_invariants(db)


async def test_two_resolutions_of_one_dispute_at_once_settle_once(api, db, market):
    order_id = await delivered_order(api, market)
    dispute_id = (await api.open_dispute(market.buyer, order_id))["dispute"]["id"]

    payloads = await asyncio.gather(
        api.resolve(market.admin, dispute_id, "RELEASE"),
        api.resolve(market.admin, dispute_id, "REFUND"),
    )

    assert sorted(outcome(p) for p in payloads) == ["INVALID_TRANSITION", "ok"]
    settled = await kinds(db, order_id)
    assert settled["FUND"] == 1
    assert settled["RELEASE"] + settled["REFUND"] == 1
    await assert_ledger_invariants(db)

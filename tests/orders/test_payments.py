"""Paying: fundOrder's payment intent, the simulator's confirmation, and who may pay."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from models.ledger import LedgerTransaction
from models.order import Order, OrderStatus
from models.payment import Payment, PaymentStatus
from schema.relay import decode_id
from tests.orders.ledger_invariants import assert_ledger_invariants


async def placed(api, market):
    return (await api.place(market.buyer, market.service))["order"]["id"]


async def test_funding_makes_an_intent_for_the_price_and_keeps_only_its_secrets_hash(
    api, db, market
):
    order_id = await placed(api, market)

    payload = await api.fund(market.buyer, order_id)

    intent = payload["paymentIntent"]
    assert payload["errors"] == []
    assert payload["order"]["status"] == "PENDING_PAYMENT"
    assert intent["amount"] == {"amount": "50.00"}
    [payment] = await db.scalars(select(Payment))
    assert payment.status is PaymentStatus.REQUIRES_CONFIRMATION
    assert payment.client_secret_hash is not None
    assert intent["clientSecret"] not in payment.client_secret_hash
    order = await api.order(market.buyer, order_id)
    assert order["payment"]["id"] == intent["id"]
    await assert_ledger_invariants(db)


async def test_the_client_secret_is_shown_only_once(api, market):
    order_id = await placed(api, market)
    intent = (await api.fund(market.buyer, order_id))["paymentIntent"]

    result = await api.call(
        market.buyer,
        "query($id: ID!) { node(id: $id) { ... on PaymentIntent { clientSecret status } } }",
        id=intent["id"],
    )

    assert result["data"]["node"] == {"clientSecret": None, "status": "REQUIRES_CONFIRMATION"}


async def test_a_confirmed_payment_funds_the_escrow_and_starts_the_work(api, db, market, clock):
    order_id = await placed(api, market)

    confirmed = await api.pay(market.buyer, order_id)

    order = confirmed["order"]
    assert order["status"] == "IN_PROGRESS"
    funded_at = datetime.fromisoformat(order["fundedAt"])
    assert datetime.fromisoformat(order["dueAt"]) == funded_at + timedelta(days=3)
    assert order["isLate"] is False
    assert order["events"][-1]["actor"] is None  # the system, on the provider's word
    assert order["events"][-1]["reason"] == "The payment was confirmed"
    assert order["availableActions"] == ["OPEN_DISPUTE"]
    kinds = await db.scalars(select(LedgerTransaction.kind))
    assert kinds == ["FUND"]
    await assert_ledger_invariants(db)


async def test_a_failed_payment_leaves_the_order_unpaid_with_the_failure_shown(api, db, market):
    order_id = await placed(api, market)
    intent = (await api.fund(market.buyer, order_id))["paymentIntent"]

    failed = await api.confirm(market.buyer, intent["id"], outcome="FAILED")

    assert failed["errors"] == []
    assert failed["order"]["status"] == "PENDING_PAYMENT"
    assert failed["paymentIntent"]["status"] == "FAILED"
    assert "declined" in failed["paymentIntent"]["failureReason"]
    assert failed["order"]["payment"]["failureReason"] == failed["paymentIntent"]["failureReason"]
    assert failed["order"]["availableActions"] == ["FUND", "CANCEL"]
    assert await db.scalar(select(func.count()).select_from(LedgerTransaction)) == 0
    await assert_ledger_invariants(db)


async def test_after_a_failure_the_buyer_pays_again(api, db, market):
    order_id = await placed(api, market)
    intent = (await api.fund(market.buyer, order_id))["paymentIntent"]
    await api.confirm(market.buyer, intent["id"], outcome="FAILED")

    confirmed = await api.pay(market.buyer, order_id)

    assert confirmed["order"]["status"] == "IN_PROGRESS"
    await assert_ledger_invariants(db)


async def test_a_new_intent_retires_the_one_left_open(api, db, market):
    order_id = await placed(api, market)
    first = (await api.fund(market.buyer, order_id))["paymentIntent"]
    await api.fund(market.buyer, order_id)

    payload = await api.confirm(market.buyer, first["id"])

    assert [e["code"] for e in payload["errors"]] == ["INVALID_TRANSITION"]
    statuses = [p.status for p in await db.scalars(select(Payment).order_by(Payment.created_at))]
    assert statuses == [PaymentStatus.CANCELLED, PaymentStatus.REQUIRES_CONFIRMATION]


async def test_a_funded_order_takes_no_more_payment(api, db, market):
    order_id = await placed(api, market)
    await api.pay(market.buyer, order_id)

    payload = await api.fund(market.buyer, order_id)

    assert payload["paymentIntent"] is None
    assert [e["code"] for e in payload["errors"]] == ["INVALID_TRANSITION"]
    await assert_ledger_invariants(db)


async def test_an_expired_order_takes_no_payment(api, market, clock):
    order_id = await placed(api, market)
    clock.advance(hours=24, seconds=1)

    payload = await api.fund(market.buyer, order_id)

    assert [e["code"] for e in payload["errors"]] == ["ORDER_EXPIRED"]


async def test_the_seller_does_not_pay(api, market):
    order_id = await placed(api, market)

    result = await api.call(
        market.seller,
        "mutation($id: ID!) { fundOrder(input: {orderId: $id}) { errors { code } } }",
        id=order_id,
    )

    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_stranger_finds_no_order_to_pay(api, market):
    order_id = await placed(api, market)

    payload = await api.fund(market.stranger, order_id)

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("NOT_FOUND", ["input", "orderId"])
    ]


async def test_only_the_buyer_confirms_a_payment(api, db, market):
    order_id = await placed(api, market)
    intent = (await api.fund(market.buyer, order_id))["paymentIntent"]

    seller = await api.call(
        market.seller,
        "mutation($id: ID!) { confirmPayment(input: {paymentIntentId: $id, outcome: SUCCEEDED})"
        " { errors { code } } }",
        id=intent["id"],
    )
    stranger = await api.confirm(market.stranger, intent["id"])

    assert seller["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert [e["code"] for e in stranger["errors"]] == ["NOT_FOUND"]
    order = await db.get(Order, _key(order_id))
    assert order.status is OrderStatus.PENDING_PAYMENT


async def test_a_payment_is_confirmed_once(api, db, market):
    order_id = await placed(api, market)
    intent = (await api.fund(market.buyer, order_id))["paymentIntent"]
    await api.confirm(market.buyer, intent["id"])

    again = await api.confirm(market.buyer, intent["id"])

    assert [e["code"] for e in again["errors"]] == ["INVALID_TRANSITION"]
    assert await db.scalar(select(func.count()).select_from(LedgerTransaction)) == 1


async def test_an_undeliverable_webhook_is_a_payload_error(api, db, services, market):
    order_id = await placed(api, market)
    intent = (await api.fund(market.buyer, order_id))["paymentIntent"]
    services.payments.transport = None  # nothing listens at the configured PUBLIC_URL

    payload = await api.confirm(market.buyer, intent["id"])

    assert [e["code"] for e in payload["errors"]] == ["WEBHOOK_DELIVERY_FAILED"]
    order = await db.get(Order, _key(order_id))
    assert order.status is OrderStatus.PENDING_PAYMENT


def _key(global_id):
    return decode_id(global_id)[1]

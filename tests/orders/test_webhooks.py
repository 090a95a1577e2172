"""The payment webhook: signed over the raw body, recorded once, idempotent in any order."""

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.ledger import LedgerTransaction
from models.order import Order, OrderStatus
from models.payment import Payment, PaymentStatus, WebhookEvent
from resolvers.payments.signing import SignatureError, sign, signature, verify
from resolvers.payments.simulator import SIGNATURE_HEADER
from schema.relay import decode_id, encode_id
from tests.orders.ledger_invariants import assert_ledger_invariants

URL = "/webhooks/payments/simulator"


class Provider:
    """Sends webhooks as the simulator would, or as an attacker might."""

    def __init__(self, client, services, clock):
        self.client, self.services, self.clock = client, services, clock

    def event(self, payment, *, succeeded=True, **overrides):
        event = self.services.payments.event(
            reference=payment.provider_payment_id,
            amount=payment.amount,
            currency=payment.currency,
            succeeded=succeeded,
            now=self.clock.now(),
        )
        event["data"]["object"].update(overrides)
        return event

    def signed(self, body, *, secret=None, at=None):
        secret = secret or self.services.settings.webhook_secrets[0]
        timestamp = int((at or self.clock.now()).timestamp())
        return {SIGNATURE_HEADER: sign(body, secret, timestamp)}

    async def post(self, body, headers):
        return await self.client.post(URL, content=body, headers=headers)

    async def send(self, event, **signing):
        body = json.dumps(event).encode()
        return await self.post(body, self.signed(body, **signing))


@pytest.fixture
def provider(client, services, clock):
    return Provider(client, services, clock)


@pytest.fixture
async def payment(api, db, market):
    """An order with an open payment intent."""
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    intent = (await api.fund(market.buyer, order_id))["paymentIntent"]
    return await db.get(Payment, decode_id(intent["id"])[1])


async def state(db, payment):
    order = await db.get(Order, payment.order_id)
    current = await db.get(Payment, payment.id)
    funds = await db.scalar(select(func.count()).select_from(LedgerTransaction))
    return order.status, order.version, current.status, funds


async def events(db):
    return await db.scalars(select(WebhookEvent).order_by(WebhookEvent.created_at))


async def test_a_signed_success_funds_the_order(provider, db, payment):
    response = await provider.send(provider.event(payment))

    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": "FUNDED"}
    assert await state(db, payment) == (OrderStatus.IN_PROGRESS, 2, PaymentStatus.SUCCEEDED, 1)
    [event] = await events(db)
    assert (event.outcome, event.processed_at is not None) == ("FUNDED", True)
    await assert_ledger_invariants(db)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing"),
        ({SIGNATURE_HEADER: "v1=abc"}, "needs t="),
        ({SIGNATURE_HEADER: "t=now,v1=abc"}, "not a number"),
    ],
)
async def test_an_unsigned_or_malformed_signature_is_400(provider, db, payment, headers, reason):
    before = await state(db, payment)
    body = json.dumps(provider.event(payment)).encode()

    response = await provider.post(body, headers)

    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert await state(db, payment) == before
    assert await events(db) == []


async def test_a_wrongly_signed_webhook_is_400(provider, db, payment):
    before = await state(db, payment)

    response = await provider.send(provider.event(payment), secret="whsec_not-ours")

    assert response.status_code == 400
    assert response.json() == {"error": "No signature matches the body"}
    assert await state(db, payment) == before


async def test_a_body_changed_after_signing_is_400(provider, db, payment):
    body = json.dumps(provider.event(payment)).encode()
    headers = provider.signed(body)

    response = await provider.post(body.replace(b"5000", b"9999"), headers)

    assert response.status_code == 400
    assert await state(db, payment) == (
        OrderStatus.PENDING_PAYMENT,
        1,
        *(await state(db, payment))[2:],
    )


async def test_a_stale_webhook_is_400(provider, db, payment, clock):
    before = await state(db, payment)
    event = provider.event(payment)

    response = await provider.send(event, at=clock.now() - timedelta(minutes=5, seconds=2))

    assert response.status_code == 400
    assert "more than 300 s" in response.json()["error"]
    assert await state(db, payment) == before


async def test_a_captured_webhook_replayed_later_is_400(provider, db, payment, clock):
    body = json.dumps(provider.event(payment)).encode()
    headers = provider.signed(body)
    assert (await provider.post(body, headers)).status_code == 200
    after = await state(db, payment)
    clock.advance(minutes=6)

    response = await provider.post(body, headers)

    assert response.status_code == 400
    assert await state(db, payment) == after


async def test_the_same_request_replayed_at_once_is_400_and_changes_nothing(provider, db, payment):
    body = json.dumps(provider.event(payment)).encode()
    headers = provider.signed(body)
    assert (await provider.post(body, headers)).status_code == 200
    after = await state(db, payment)

    response = await provider.post(body, headers)

    assert response.status_code == 400
    assert response.json() == {"error": "This delivery was already received"}
    assert await state(db, payment) == after


async def test_a_redelivery_is_acknowledged_and_changes_nothing(provider, db, payment, clock):
    event = provider.event(payment)
    await provider.send(event)
    after = await state(db, payment)
    clock.advance(minutes=30)  # providers retry later, signing each delivery afresh

    response = await provider.send(event)

    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": True}
    assert await state(db, payment) == after
    assert len(await events(db)) == 1
    await assert_ledger_invariants(db)


async def test_malformed_json_is_400(provider, db, payment):
    body = b'{"id": "evt_1", "type": '

    response = await provider.post(body, provider.signed(body))

    assert response.status_code == 400
    assert await events(db) == []


async def test_an_event_without_the_intents_fields_is_400(provider, db, payment):
    event = provider.event(payment)
    del event["data"]["object"]["amount"]

    response = await provider.send(event)

    assert response.status_code == 400
    assert await events(db) == []


async def test_a_webhook_for_an_unknown_payment_is_recorded_and_changes_nothing(
    provider, db, payment
):
    before = await state(db, payment)
    event = provider.event(payment, id="sim_pi_nobody_knows")

    response = await provider.send(event)

    assert response.status_code == 200
    assert response.json()["outcome"] == "UNKNOWN_PAYMENT"
    assert await state(db, payment) == before
    [recorded] = await events(db)
    assert recorded.event_id == event["id"]


async def test_an_event_of_another_type_is_recorded_and_ignored(provider, db, payment):
    event = provider.event(payment)
    event["type"] = "charge.refund.updated"

    response = await provider.send(event)

    assert response.json()["outcome"] == "IGNORED"
    assert (await state(db, payment))[0] is OrderStatus.PENDING_PAYMENT


async def test_an_amount_that_is_not_the_payments_changes_nothing(provider, db, payment):
    before = await state(db, payment)

    response = await provider.send(provider.event(payment, amount=1))

    assert response.json()["outcome"] == "AMOUNT_MISMATCH"
    assert await state(db, payment) == before


async def test_two_different_events_for_one_payment_fund_it_once(provider, db, payment):
    first = await provider.send(provider.event(payment))
    second = await provider.send(provider.event(payment))

    assert [first.json()["outcome"], second.json()["outcome"]] == ["FUNDED", "ALREADY_APPLIED"]
    assert (await state(db, payment))[3] == 1
    await assert_ledger_invariants(db)


async def test_a_failure_arriving_after_the_success_undoes_nothing(provider, db, payment):
    await provider.send(provider.event(payment))
    after = await state(db, payment)

    response = await provider.send(provider.event(payment, succeeded=False))

    assert response.json()["outcome"] == "IGNORED"
    assert await state(db, payment) == after


async def test_a_success_arriving_after_a_failure_funds_the_order(provider, db, payment):
    await provider.send(provider.event(payment, succeeded=False))

    response = await provider.send(provider.event(payment))

    assert response.json()["outcome"] == "FUNDED"
    assert (await state(db, payment))[0] is OrderStatus.IN_PROGRESS


async def test_money_for_a_cancelled_order_goes_straight_back(api, provider, db, market, payment):
    await api.cancel(market.buyer, encode_id("Order", payment.order_id))

    response = await provider.send(provider.event(payment))

    assert response.json()["outcome"] == "RETURNED"
    order = await db.get(Order, payment.order_id)
    assert order.status is OrderStatus.CANCELLED
    assert await db.scalars(select(LedgerTransaction.kind)) == ["RETURN"]
    await assert_ledger_invariants(db)


async def test_a_second_payment_for_a_paid_order_goes_straight_back(api, provider, db, market):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    intents = [(await api.fund(market.buyer, order_id))["paymentIntent"] for _ in range(2)]
    first, second = [await db.get(Payment, decode_id(i["id"])[1]) for i in intents]

    outcomes = [(await provider.send(provider.event(p))).json()["outcome"] for p in (first, second)]

    assert outcomes == ["FUNDED", "RETURNED"]
    await assert_ledger_invariants(db)


async def test_a_provider_the_server_does_not_use_is_404(client):
    response = await client.post("/webhooks/payments/stripe", content=b"{}")

    assert response.status_code == 404


async def test_redeliveries_at_once_fund_once(provider, db, payment, clock):
    event = provider.event(payment)

    responses = await asyncio.gather(*(provider.send(event) for _ in range(10)))

    assert all(r.status_code in {200, 400} for r in responses)
    assert [r.json().get("outcome") for r in responses].count("FUNDED") == 1
    assert (await state(db, payment))[3] == 1
    await assert_ledger_invariants(db)


# The signature scheme itself


def test_any_listed_secret_verifies_so_a_secret_can_be_rotated():
    body = b'{"id": "evt_1"}'
    header = sign(body, "whsec_old", 1_000_000)

    assert verify(body, header, secrets=["whsec_new", "whsec_old"], now=1_000_000, tolerance=300)
    with pytest.raises(SignatureError):
        verify(body, header, secrets=["whsec_new"], now=1_000_000, tolerance=300)


def test_any_of_several_signatures_may_match():
    body = b"{}"
    good = signature(body, "whsec_a", 1_000_000)
    header = f"t=1000000,v1={'0' * 64},v1={good}"

    assert verify(body, header, secrets=["whsec_a"], now=1_000_000, tolerance=300) == good


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_timestamp_outside_the_tolerance_is_refused_either_way(skew):
    header = sign(b"{}", "whsec_a", 1_000_000)

    with pytest.raises(SignatureError, match="300 s"):
        verify(b"{}", header, secrets=["whsec_a"], now=1_000_000 + skew, tolerance=300)

"""Both ways to an order, walked end to end, with the ledger checked after every step."""

from tests.orders.api import gid
from tests.orders.ledger_invariants import assert_ledger_invariants


def statuses(order):
    return [(e["previousStatus"], e["status"]) for e in order["events"]]


async def test_a_service_purchase_from_order_to_payout(api, db, market, clock):
    placed = await api.place(market.buyer, market.service, requirements="A fox, in orange.")
    assert placed["errors"] == []
    order = placed["order"]
    order_id = order["id"]
    assert order["status"] == "PENDING_PAYMENT"
    assert order["price"] == {"amount": "50.00", "currency": "USD"}
    assert order["fee"] == {"amount": "5.00"}
    assert order["sellerNet"] == {"amount": "45.00"}
    assert order["availableActions"] == ["FUND", "CANCEL"]
    assert order["conversationId"] is not None
    await assert_ledger_invariants(db)

    funded = await api.fund(market.buyer, order_id)
    assert funded["errors"] == []
    intent = funded["paymentIntent"]
    assert intent["status"] == "REQUIRES_CONFIRMATION"
    assert intent["clientSecret"].startswith("sim_pi_")
    assert intent["amount"] == {"amount": "50.00"}
    await assert_ledger_invariants(db)

    confirmed = await api.confirm(market.buyer, intent["id"])
    assert confirmed["errors"] == []
    order = confirmed["order"]
    assert order["status"] == "IN_PROGRESS"
    assert order["dueAt"] is not None
    assert order["payment"]["status"] == "SUCCEEDED"
    await assert_ledger_invariants(db)

    delivered = await api.deliver(market.seller, order_id, message="First draft")
    assert delivered["errors"] == []
    assert delivered["order"]["status"] == "DELIVERED"
    await assert_ledger_invariants(db)

    revised = await api.revise(market.buyer, order_id, reason="Make the fox smile.")
    assert revised["errors"] == []
    assert revised["order"]["status"] == "REVISION_REQUESTED"
    assert revised["order"]["revisionsUsed"] == 1
    await assert_ledger_invariants(db)

    redelivered = await api.deliver(market.seller, order_id, message="Smiling fox")
    assert redelivered["errors"] == []
    assert [d["number"] for d in redelivered["order"]["deliveries"]] == [1, 2]
    await assert_ledger_invariants(db)

    approved = await api.approve(market.buyer, order_id)
    assert approved["errors"] == []
    order = approved["order"]
    assert order["status"] == "COMPLETED"
    await assert_ledger_invariants(db)
    assert statuses(order) == [
        (None, "PENDING_PAYMENT"),
        ("PENDING_PAYMENT", "IN_PROGRESS"),
        ("IN_PROGRESS", "DELIVERED"),
        ("DELIVERED", "REVISION_REQUESTED"),
        ("REVISION_REQUESTED", "IN_PROGRESS"),
        ("IN_PROGRESS", "DELIVERED"),
        ("DELIVERED", "COMPLETED"),
    ]
    wallet = await api.wallet(market.seller)
    assert wallet["balance"] == {"amount": "45.00"}
    assert wallet["pending"] == {"amount": "0.00"}
    [entry] = [e["node"] for e in wallet["transactions"]["edges"]]
    assert entry == {"kind": "RELEASE", "amount": {"amount": "45.00"}, "orderId": order_id}
    assert order["gig"]["id"] == gid("Gig", market.service)


async def test_a_request_hire_from_application_to_payout(api, db, market, applications, clock):
    hired, _rival = applications

    accepted = await api.accept(market.client, hired, idempotencyKey="hire-fin")
    assert accepted["errors"] == []
    order_id = accepted["order"]["id"]
    assert accepted["order"]["price"] == {"amount": "400.00", "currency": "USD"}
    assert accepted["order"]["revisionsIncluded"] == 2
    await assert_ledger_invariants(db)

    paid = await api.pay(market.client, order_id)
    assert paid["order"]["status"] == "IN_PROGRESS"
    await assert_ledger_invariants(db)
    assert (await api.wallet(market.freelancer))["pending"] == {"amount": "400.00"}

    await api.deliver(market.freelancer, order_id, message="Site is live on staging")
    await assert_ledger_invariants(db)
    await api.revise(market.client, order_id, reason="Add a booking calendar")
    await assert_ledger_invariants(db)
    await api.deliver(market.freelancer, order_id, message="Calendar added")
    await assert_ledger_invariants(db)

    approved = await api.approve(market.client, order_id)
    assert approved["order"]["status"] == "COMPLETED"
    await assert_ledger_invariants(db)
    wallet = await api.wallet(market.freelancer)
    assert wallet["balance"] == {"amount": "360.00"}
    assert wallet["pending"] == {"amount": "0.00"}


async def test_the_cancellation_paths(api, db, market):
    unpaid = (await api.place(market.buyer, market.service))["order"]["id"]
    cancelled = await api.cancel(market.buyer, unpaid, reason="Found someone else")
    assert cancelled["order"]["status"] == "CANCELLED"
    assert cancelled["order"]["availableActions"] == []
    await assert_ledger_invariants(db)

    paid = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.pay(market.buyer, paid)
    await assert_ledger_invariants(db)
    refunded = await api.cancel(market.seller, paid, reason="I am ill")
    assert refunded["order"]["status"] == "REFUNDED"
    await assert_ledger_invariants(db)
    assert (await api.wallet(market.seller))["balance"] == {"amount": "0.00"}


async def test_the_expiry_path(api, db, services, market, clock):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.fund(market.buyer, order_id)
    await assert_ledger_invariants(db)

    clock.advance(hours=25)
    await services.scheduler.tick()

    order = await api.order(market.buyer, order_id)
    assert order["status"] == "CANCELLED"
    assert statuses(order)[-1] == ("PENDING_PAYMENT", "CANCELLED")
    await assert_ledger_invariants(db)


async def test_the_auto_complete_path(api, db, services, market, clock):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.pay(market.buyer, order_id)
    await api.deliver(market.seller, order_id)
    await assert_ledger_invariants(db)

    clock.advance(days=3, minutes=1)
    await services.scheduler.tick()

    order = await api.order(market.seller, order_id)
    assert order["status"] == "COMPLETED"
    assert order["events"][-1]["actor"] is None
    await assert_ledger_invariants(db)
    assert (await api.wallet(market.seller))["balance"] == {"amount": "45.00"}


async def test_the_dispute_path(api, db, market, clock):
    order_id = (await api.place(market.buyer, market.service, package="STANDARD"))["order"]["id"]
    await api.pay(market.buyer, order_id)
    await api.deliver(market.seller, order_id)
    await assert_ledger_invariants(db)

    opened = await api.open_dispute(market.buyer, order_id, evidence="Half of it is missing.")
    assert opened["order"]["status"] == "DISPUTED"
    await assert_ledger_invariants(db)

    resolved = await api.resolve(
        market.admin, opened["dispute"]["id"], "SPLIT", sellerShareBps=5000, note="Half done"
    )
    assert resolved["order"]["status"] == "COMPLETED"
    await assert_ledger_invariants(db)
    assert (await api.wallet(market.seller))["balance"] == {"amount": "54.00"}  # 60 less 10%
    assert statuses(resolved["order"])[-2:] == [
        ("DELIVERED", "DISPUTED"),
        ("DISPUTED", "COMPLETED"),
    ]

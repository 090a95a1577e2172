"""Both ways to an order, walked end to end, with the ledger checked after every step."""

from decimal import Decimal

from models.order import OrderStatus
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
    assert OrderStatus(order["status"]) is OrderStatus.COMPLETED
    assert Decimal(order["price"]["amount"]) == Decimal("50.00")
    assert gid("Gig", market.service) == order["gig"]["id"]

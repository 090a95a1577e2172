"""The work on a paid order: deliver, ask for revisions, approve, cancel, and who may."""

import pytest
from sqlalchemy import select

from models.file import FilePurpose, FileStatus
from models.ledger import LedgerTransaction
from models.order import Order, OrderStatus
from models.user import User
from schema.relay import decode_id, encode_id
from tests.orders.conftest import make_file
from tests.orders.ledger_invariants import assert_ledger_invariants

FILE = "query($id: ID!) { file(id: $id) { id } }"


@pytest.fixture
async def paid(api, market):
    """A paid order for the $50 package: 3 days, 1 revision."""
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.pay(market.buyer, order_id)
    return order_id


@pytest.fixture
async def delivered(api, market, paid):
    await api.deliver(market.seller, paid)
    return paid


async def order_row(db, order_id):
    return await db.get(Order, decode_id(order_id)[1])


def codes(payload):
    return [e["code"] for e in payload["errors"]]


async def top_level_code(api, user, mutation, order_id):
    result = await api.call(
        user,
        f'mutation($id: ID!) {{ {mutation}(input: {{orderId: $id, reason: "r"}})'
        " { errors { code } } }",
        id=order_id,
    )
    return result["errors"][0]["extensions"]["code"]


# Delivering


async def test_the_seller_delivers_with_a_message_and_files(api, db, services, market, paid):
    work = await make_file(services, owner=market.seller, purpose=FilePurpose.DELIVERY)
    file_id = encode_id("File", work.id)

    payload = await api.deliver(
        market.seller, paid, message="The logo, in three sizes.", files=[file_id]
    )

    order = payload["order"]
    assert payload["errors"] == []
    assert order["status"] == "DELIVERED"
    assert order["deliveries"] == [
        {"number": 1, "message": "The logo, in three sizes.", "files": [{"id": file_id}]}
    ]
    assert order["autoCompleteAt"] is not None
    assert order["availableActions"] == ["OPEN_DISPUTE"]
    await assert_ledger_invariants(db)


async def test_the_buyer_may_read_what_was_delivered_and_a_stranger_may_not(
    api, services, market, paid
):
    work = await make_file(services, owner=market.seller, purpose=FilePurpose.DELIVERY)
    file_id = encode_id("File", work.id)
    before = await api.call(market.buyer, FILE, id=file_id)
    await api.deliver(market.seller, paid, files=[file_id])

    buyer = await api.call(market.buyer, FILE, id=file_id)
    stranger = await api.call(market.stranger, FILE, id=file_id)

    assert before["data"]["file"] is None
    assert buyer["data"]["file"] == {"id": file_id}
    assert stranger["data"]["file"] is None


async def test_a_file_not_yours_or_not_ready_is_refused(api, db, services, market, paid):
    theirs = await make_file(services, owner=market.buyer, purpose=FilePurpose.DELIVERY)
    pending = await make_file(
        services, owner=market.seller, purpose=FilePurpose.DELIVERY, status=FileStatus.PENDING
    )

    not_yours = await api.deliver(market.seller, paid, files=[encode_id("File", theirs.id)])
    not_ready = await api.deliver(market.seller, paid, files=[encode_id("File", pending.id)])

    assert codes(not_yours) == ["FILE_NOT_FOUND"]
    assert codes(not_ready) == ["FILE_NOT_READY"]
    assert not_ready["errors"][0]["field"] == ["input", "fileIds", "0"]
    assert (await order_row(db, paid)).status is OrderStatus.IN_PROGRESS


async def test_a_delivery_needs_a_message(api, db, market, paid):
    payload = await api.deliver(market.seller, paid, message="  ")

    assert codes(payload) == ["REQUIRED"]
    assert (await order_row(db, paid)).status is OrderStatus.IN_PROGRESS


async def test_nothing_is_delivered_before_the_order_is_paid(api, db, market):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]

    payload = await api.deliver(market.seller, order_id)

    assert codes(payload) == ["INVALID_TRANSITION"]
    assert "not paid" in payload["errors"][0]["message"]
    assert (await order_row(db, order_id)).status is OrderStatus.PENDING_PAYMENT
    await assert_ledger_invariants(db)


async def test_only_the_seller_delivers(api, db, market, paid):
    result = await api.call(
        market.buyer,
        'mutation($id: ID!) { deliverOrder(input: {orderId: $id, message: "m"})'
        " { errors { code } } }",
        id=paid,
    )

    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await order_row(db, paid)).status is OrderStatus.IN_PROGRESS


# Revisions


async def test_a_revision_sends_the_work_back_and_counts(api, db, market, delivered):
    payload = await api.revise(market.buyer, delivered, reason="Make it blue.")

    order = payload["order"]
    assert order["status"] == "REVISION_REQUESTED"
    assert order["revisionsUsed"] == 1
    assert order["events"][-1]["reason"] == "Make it blue."
    assert order["availableActions"] == ["OPEN_DISPUTE"]  # the buyer's; not late yet
    await assert_ledger_invariants(db)


async def test_a_revision_past_the_ones_included_is_refused(api, db, market, delivered):
    await api.revise(market.buyer, delivered)
    await api.deliver(market.seller, delivered, message="Second try")

    payload = await api.revise(market.buyer, delivered)

    assert payload["order"] is None
    assert codes(payload) == ["REVISION_LIMIT_REACHED"]
    row = await order_row(db, delivered)
    assert (row.status, row.revisions_used) == (OrderStatus.DELIVERED, 1)
    await assert_ledger_invariants(db)


async def test_a_revision_needs_a_reason(api, market, delivered):
    payload = await api.revise(market.buyer, delivered, reason="")

    assert codes(payload) == ["REQUIRED"]


# Approving


async def test_approval_pays_the_seller_less_the_fee(api, db, market, delivered):
    payload = await api.approve(market.buyer, delivered)

    assert payload["order"]["status"] == "COMPLETED"
    assert payload["order"]["completedAt"] is not None
    assert (await api.wallet(market.seller))["balance"] == {"amount": "45.00"}
    seller = await db.get(User, market.seller.id)
    assert (seller.completed_orders, seller.on_time_orders) == (1, 1)
    await assert_ledger_invariants(db)


async def test_an_order_is_approved_once(api, db, market, delivered):
    await api.approve(market.buyer, delivered)

    payload = await api.approve(market.buyer, delivered)

    assert codes(payload) == ["INVALID_TRANSITION"]
    kinds = await db.scalars(select(LedgerTransaction.kind).order_by(LedgerTransaction.created_at))
    assert kinds == ["FUND", "RELEASE"]
    await assert_ledger_invariants(db)


async def test_approving_undelivered_work_is_refused(api, db, market, paid):
    payload = await api.approve(market.buyer, paid)

    assert codes(payload) == ["INVALID_TRANSITION"]
    await assert_ledger_invariants(db)


async def test_the_seller_cannot_approve_their_own_work(api, db, market, delivered):
    result = await api.call(
        market.seller,
        "mutation($id: ID!) { approveOrder(input: {orderId: $id}) { errors { code } } }",
        id=delivered,
    )

    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await order_row(db, delivered)).status is OrderStatus.DELIVERED


async def test_someone_elses_order_cannot_be_approved(api, db, market, delivered):
    payload = await api.approve(market.stranger, delivered)

    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("NOT_FOUND", ["input", "orderId"])
    ]
    assert (await order_row(db, delivered)).status is OrderStatus.DELIVERED
    await assert_ledger_invariants(db)


async def test_an_admin_cannot_approve_for_the_buyer(api, market, delivered):
    result = await api.call(
        market.admin,
        "mutation($id: ID!) { approveOrder(input: {orderId: $id}) { errors { code } } }",
        id=delivered,
    )

    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# Cancelling


async def test_an_unpaid_order_is_cancelled_by_either_side(api, db, market):
    for who in (market.buyer, market.seller):
        order_id = (await api.place(market.buyer, market.service))["order"]["id"]

        payload = await api.cancel(who, order_id, reason="Changed my mind")

        assert payload["order"]["status"] == "CANCELLED"
        assert payload["order"]["events"][-1]["reason"] == "Changed my mind"
    assert await db.scalars(select(LedgerTransaction)) == []
    await assert_ledger_invariants(db)


async def test_the_seller_cancels_a_paid_order_with_a_full_refund(api, db, market, paid):
    payload = await api.cancel(market.seller, paid, reason="Too busy")

    assert payload["order"]["status"] == "REFUNDED"
    kinds = await db.scalars(select(LedgerTransaction.kind).order_by(LedgerTransaction.created_at))
    assert kinds == ["FUND", "REFUND"]
    await assert_ledger_invariants(db)


async def test_the_buyer_cancels_a_paid_order_only_once_it_is_late(api, db, market, paid, clock):
    early = await api.cancel(market.buyer, paid)
    assert codes(early) == ["ORDER_NOT_LATE"]
    assert (await api.order(market.buyer, paid))["isLate"] is False

    clock.advance(days=3, seconds=1)
    order = await api.order(market.buyer, paid)
    assert order["isLate"] is True
    assert order["availableActions"] == ["CANCEL", "OPEN_DISPUTE"]
    late = await api.cancel(market.buyer, paid, reason="Nothing came")

    assert late["order"]["status"] == "REFUNDED"
    await assert_ledger_invariants(db)


async def test_a_delivered_order_is_not_cancelled(api, db, market, delivered):
    payload = await api.cancel(market.seller, delivered)

    assert codes(payload) == ["INVALID_TRANSITION"]
    await assert_ledger_invariants(db)


async def test_a_finished_order_is_not_cancelled(api, market, delivered):
    await api.approve(market.buyer, delivered)

    payload = await api.cancel(market.seller, delivered)

    assert codes(payload) == ["INVALID_TRANSITION"]


async def test_an_admin_does_not_cancel_orders(api, market, paid):
    assert await top_level_code(api, market.admin, "cancelOrder", paid) == "FORBIDDEN"

"""Disputes: either side freezes the escrow; an admin releases, refunds or splits it."""

import pytest
from sqlalchemy import select

from models.audit import AuditLog
from models.file import FilePurpose
from models.ledger import LedgerTransaction
from models.order import Dispute, DisputeStatus, Order, OrderStatus
from schema.relay import decode_id, encode_id
from tests.orders.conftest import make_file
from tests.orders.ledger_invariants import assert_ledger_invariants

DISPUTES = """
query($status: DisputeStatus) {
  disputes(status: $status) { totalCount edges { node { id status order { id } } } }
}"""


@pytest.fixture
async def delivered(api, market):
    """A paid, delivered order for the $50 package."""
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.pay(market.buyer, order_id)
    await api.deliver(market.seller, order_id)
    return order_id


@pytest.fixture
async def disputed(api, market, delivered):
    payload = await api.open_dispute(market.buyer, delivered, evidence="The logo is a cat.")
    assert payload["errors"] == []
    return payload["dispute"]["id"]


def codes(payload):
    return [e["code"] for e in payload["errors"]]


async def ledger_kinds(db):
    query = select(LedgerTransaction.kind).order_by(LedgerTransaction.created_at)
    return await db.scalars(query)


async def test_either_side_opens_a_dispute_that_freezes_the_order(
    api, db, services, market, delivered
):
    evidence = await make_file(services, owner=market.buyer, purpose=FilePurpose.DISPUTE_EVIDENCE)
    file_id = encode_id("File", evidence.id)

    payload = await api.open_dispute(
        market.buyer,
        delivered,
        reason="Wrong animal",
        evidence="I asked for a fox.",
        fileIds=[file_id],
    )

    dispute, order = payload["dispute"], payload["order"]
    assert payload["errors"] == []
    assert (dispute["status"], dispute["outcome"]) == ("OPEN", None)
    assert (dispute["reason"], dispute["evidence"]) == ("Wrong animal", "I asked for a fox.")
    assert dispute["openedBy"]["id"] == encode_id("User", market.buyer.id)
    assert dispute["files"] == [{"id": file_id}]
    assert order["status"] == "DISPUTED"
    assert order["dispute"]["id"] == dispute["id"]
    assert order["availableActions"] == []
    seller_view = await api.order(market.seller, delivered)
    assert seller_view["availableActions"] == []
    assert (await api.call(market.seller, "query($id: ID!) { file(id: $id) { id } }", id=file_id))[
        "data"
    ]["file"] == {"id": file_id}
    await assert_ledger_invariants(db)


async def test_the_seller_may_open_one_too(api, market, delivered):
    payload = await api.open_dispute(market.seller, delivered)

    assert payload["dispute"]["openedBy"]["id"] == encode_id("User", market.seller.id)


async def test_an_unpaid_order_cannot_be_disputed(api, db, market):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]

    payload = await api.open_dispute(market.buyer, order_id)

    assert codes(payload) == ["INVALID_TRANSITION"]
    assert await db.scalars(select(Dispute)) == []


async def test_an_order_is_disputed_once(api, market, delivered, disputed):
    payload = await api.open_dispute(market.seller, delivered)

    assert codes(payload) == ["INVALID_TRANSITION"]


async def test_a_stranger_cannot_dispute_an_order(api, market, delivered):
    payload = await api.open_dispute(market.stranger, delivered)

    assert codes(payload) == ["NOT_FOUND"]


async def test_a_dispute_needs_a_reason(api, market, delivered):
    payload = await api.open_dispute(market.buyer, delivered, reason=" ")

    assert codes(payload) == ["REQUIRED"]


async def test_a_release_completes_the_order_and_pays_the_seller(api, db, market, disputed):
    payload = await api.resolve(
        market.admin, disputed, "RELEASE", note="The work matches the brief."
    )

    assert payload["errors"] == []
    assert (payload["dispute"]["status"], payload["dispute"]["outcome"]) == ("RESOLVED", "RELEASE")
    assert payload["dispute"]["resolvedBy"]["id"] == encode_id("User", market.admin.id)
    assert payload["dispute"]["sellerShare"] == {"amount": "50.00"}
    assert payload["order"]["status"] == "COMPLETED"
    assert payload["order"]["events"][-1]["actor"]["id"] == encode_id("User", market.admin.id)
    assert (await api.wallet(market.seller))["balance"] == {"amount": "45.00"}
    assert await ledger_kinds(db) == ["FUND", "RELEASE"]
    await assert_ledger_invariants(db)


async def test_a_refund_returns_the_money_to_the_buyer(api, db, market, disputed):
    payload = await api.resolve(market.admin, disputed, "REFUND")

    assert payload["order"]["status"] == "REFUNDED"
    assert payload["dispute"]["sellerShare"] == {"amount": "0.00"}
    assert (await api.wallet(market.seller))["balance"] == {"amount": "0.00"}
    assert await ledger_kinds(db) == ["FUND", "REFUND"]
    await assert_ledger_invariants(db)


async def test_a_split_in_basis_points_pays_each_side_its_part(api, db, market, disputed):
    payload = await api.resolve(market.admin, disputed, "SPLIT", sellerShareBps=6000)

    assert payload["errors"] == []
    assert payload["order"]["status"] == "COMPLETED"
    assert payload["dispute"]["sellerShare"] == {"amount": "30.00"}
    assert (await api.wallet(market.seller))["balance"] == {"amount": "27.00"}  # less 10%
    assert await ledger_kinds(db) == ["FUND", "SPLIT"]
    await assert_ledger_invariants(db)


async def test_a_split_in_minor_units_pays_exactly_that(api, db, market, disputed):
    payload = await api.resolve(market.admin, disputed, "SPLIT", sellerShareAmount="12.34")

    assert payload["dispute"]["sellerShare"] == {"amount": "12.34"}
    assert (await api.wallet(market.seller))["balance"] == {"amount": "11.11"}  # 12.34 - 1.23
    await assert_ledger_invariants(db)


@pytest.mark.parametrize(
    ("outcome", "extra"),
    [
        ("SPLIT", {}),
        ("SPLIT", {"sellerShareBps": 10001}),
        ("SPLIT", {"sellerShareBps": -1}),
        ("SPLIT", {"sellerShareAmount": "50.01"}),
        ("SPLIT", {"sellerShareBps": 5000, "sellerShareAmount": "25.00"}),
        ("RELEASE", {"sellerShareBps": 5000}),
    ],
)
async def test_a_split_that_does_not_add_up_is_refused(api, db, market, disputed, outcome, extra):
    payload = await api.resolve(market.admin, disputed, outcome, **extra)

    assert payload["dispute"] is None
    assert codes(payload) == ["INVALID_SPLIT"]
    dispute = await db.get(Dispute, decode_id(disputed)[1])
    assert dispute.status is DisputeStatus.OPEN
    assert (await db.get(Order, dispute.order_id)).status is OrderStatus.DISPUTED
    await assert_ledger_invariants(db)


async def test_a_participant_who_is_no_admin_cannot_resolve(api, db, market, disputed):
    result = await api.call(
        market.buyer,
        "mutation($id: ID!) { resolveDispute(input: {disputeId: $id, outcome: REFUND})"
        " { errors { code } } }",
        id=disputed,
    )

    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await db.get(Dispute, decode_id(disputed)[1])).status is DisputeStatus.OPEN
    await assert_ledger_invariants(db)


async def test_a_stranger_finds_no_dispute_to_resolve(api, market, disputed):
    payload = await api.resolve(market.stranger, disputed, "REFUND")

    assert codes(payload) == ["NOT_FOUND"]


async def test_a_dispute_is_resolved_once(api, db, market, disputed):
    await api.resolve(market.admin, disputed, "RELEASE")

    payload = await api.resolve(market.admin, disputed, "REFUND")

    assert codes(payload) == ["INVALID_TRANSITION"]
    assert await ledger_kinds(db) == ["FUND", "RELEASE"]
    await assert_ledger_invariants(db)


async def test_the_resolution_is_recorded_with_its_admin(api, db, market, disputed):
    await api.resolve(market.admin, disputed, "SPLIT", sellerShareBps=2500, note="Half done.")

    [entry] = await db.scalars(select(AuditLog))
    assert (entry.actor_id, entry.action, entry.target_type) == (
        market.admin.id,
        "dispute.resolve",
        "Dispute",
    )
    assert entry.detail["outcome"] == "SPLIT"
    assert entry.detail["seller_share_minor"] == 1250
    assert entry.detail["note"] == "Half done."


async def test_admins_list_the_disputes_and_nobody_else(api, market, disputed):
    listed = await api.call(market.admin, DISPUTES, status="OPEN")
    none_resolved = await api.call(market.admin, DISPUTES, status="RESOLVED")
    buyer = await api.call(market.buyer, DISPUTES)

    assert listed["data"]["disputes"]["totalCount"] == 1
    assert listed["data"]["disputes"]["edges"][0]["node"]["id"] == disputed
    assert none_resolved["data"]["disputes"]["totalCount"] == 0
    assert buyer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_dispute_is_a_node_for_its_parties_only(api, market, disputed):
    query = "query($id: ID!) { node(id: $id) { id ... on Dispute { status } } }"

    seen = await api.call(market.seller, query, id=disputed)
    hidden = await api.call(market.stranger, query, id=disputed)

    assert seen["data"]["node"] == {"id": disputed, "status": "OPEN"}
    assert hidden["data"]["node"] is None

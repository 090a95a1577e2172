"""Reading orders: order(id), myOrders, the wallet, nodes; all through loaders."""

from datetime import timedelta

from sqlalchemy import select

from models.catalog import GigPackage
from models.order import Order, OrderEvent, OrderStatus
from models.types import utcnow
from schema.relay import encode_id
from tests.orders.ledger_invariants import assert_ledger_invariants
from tests.statements import counting_statements

MY_ORDERS = """
query($first: Int, $after: String, $role: OrderRole, $status: [OrderStatus!]) {
  myOrders(first: $first, after: $after, role: $role, status: $status) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status } }
  }
}"""
FEED = """
query {
  myOrders(first: 20) {
    edges { node {
      gig { title } buyer { name } seller { name } price { amount } events { status }
      package { tier } deliveries { number } dispute { id } payment { status }
      conversationId availableActions isLate reviews { rating } reviewState { canReview }
    } }
  }
}"""
NODE = "query($id: ID!) { node(id: $id) { id ... on Order { status } } }"
USER_WALLET = "query($id: ID!) { user(id: $id) { wallet { balance { amount } } } }"


async def make_orders(services, market, count, *, status=OrderStatus.PENDING_PAYMENT):
    """Orders written straight to the database, each with its first event: many, fast."""
    now = utcnow()
    async with services.sessions() as session:
        package_id = await session.scalar(
            select(GigPackage.id).where(GigPackage.gig_id == market.service.id).limit(1)
        )
        orders = [
            Order(
                gig_id=market.service.id,
                package_id=package_id,
                buyer_id=market.buyer.id,
                seller_id=market.seller.id,
                title=f"Order {n}",
                price=1000 + n,
                fee=100,
                fee_bps=1000,
                delivery_days=3,
                status=status,
                created_at=now - timedelta(minutes=count - n),
            )
            for n in range(count)
        ]
        session.add_all(orders)
        await session.flush()
        session.add_all(
            OrderEvent(order_id=o.id, actor_id=market.buyer.id, to_status=status) for o in orders
        )
        await session.commit()
    return [encode_id("Order", o.id) for o in orders]


def ids(result):
    return [edge["node"]["id"] for edge in result["data"]["myOrders"]["edges"]]


async def test_an_order_is_seen_by_its_two_sides_and_admins_only(api, market):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]

    seen = [await api.order(user, order_id) for user in (market.buyer, market.seller, market.admin)]
    stranger = await api.order(market.stranger, order_id)
    anonymous = await api.order(None, order_id)

    assert [o["id"] for o in seen] == [order_id] * 3
    assert [o["viewerRole"] for o in seen] == ["BUYER", "SELLER", "ADMIN"]
    assert stranger is None
    assert anonymous is None


async def test_an_order_is_a_node_for_whoever_may_see_it(api, market):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]

    seen = await api.call(market.seller, NODE, id=order_id)
    hidden = await api.call(market.stranger, NODE, id=order_id)

    assert seen["data"]["node"] == {"id": order_id, "status": "PENDING_PAYMENT"}
    assert hidden["data"]["node"] is None


async def test_an_order_event_and_a_delivery_are_nodes_too(api, market):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.pay(market.buyer, order_id)
    await api.deliver(market.seller, order_id)
    query = """query($id: ID!) { order(id: $id) { events { id } deliveries { id } } }"""
    order = (await api.call(market.buyer, query, id=order_id))["data"]["order"]
    node = "query($id: ID!) { node(id: $id) { id } }"

    for key in (order["events"][0]["id"], order["deliveries"][0]["id"]):
        assert (await api.call(market.seller, node, id=key))["data"]["node"] == {"id": key}
        assert (await api.call(market.stranger, node, id=key))["data"]["node"] is None


async def test_my_orders_are_newest_first_in_pages(api, services, market):
    created = await make_orders(services, market, 5)

    first = await api.call(market.buyer, MY_ORDERS, first=3)
    cursor = first["data"]["myOrders"]["pageInfo"]["endCursor"]
    second = await api.call(market.buyer, MY_ORDERS, first=3, after=cursor)

    assert ids(first) + ids(second) == list(reversed(created))
    assert first["data"]["myOrders"]["totalCount"] == 5
    assert first["data"]["myOrders"]["pageInfo"]["hasNextPage"] is True
    assert second["data"]["myOrders"]["pageInfo"]["hasNextPage"] is False


async def test_my_orders_by_role(api, services, market):
    created = await make_orders(services, market, 2)

    as_buyer = await api.call(market.buyer, MY_ORDERS, role="BUYER")
    as_seller = await api.call(market.buyer, MY_ORDERS, role="SELLER")
    seller_all = await api.call(market.seller, MY_ORDERS)
    stranger = await api.call(market.stranger, MY_ORDERS)

    assert sorted(ids(as_buyer)) == sorted(created)
    assert ids(as_seller) == []
    assert sorted(ids(seller_all)) == sorted(created)
    assert ids(stranger) == []


async def test_my_orders_by_status(api, services, market):
    pending = await make_orders(services, market, 2)
    done = await make_orders(services, market, 1, status=OrderStatus.CANCELLED)

    only_done = await api.call(market.buyer, MY_ORDERS, status=["CANCELLED"])
    both = await api.call(market.buyer, MY_ORDERS, status=["CANCELLED", "PENDING_PAYMENT"])

    assert ids(only_done) == done
    assert sorted(ids(both)) == sorted(pending + done)


async def test_my_orders_need_a_signed_in_user(api):
    result = await api.call(None, MY_ORDERS)

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_bad_cursor_is_an_error_with_a_code(api, market):
    result = await api.call(market.buyer, MY_ORDERS, after="not-a-cursor")

    assert result["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_my_orders_cost_the_same_statements_for_5_or_20_orders(api, services, market):
    await make_orders(services, market, 5)
    with counting_statements(services) as statements:
        five = await api.call(market.buyer, FEED)
    count_for_5 = len(statements)
    await make_orders(services, market, 15)

    with counting_statements(services) as statements:
        twenty = await api.call(market.buyer, FEED)

    assert "errors" not in five, five
    assert "errors" not in twenty, twenty
    assert len(twenty["data"]["myOrders"]["edges"]) == 20
    assert len(statements) == count_for_5, statements
    assert count_for_5 <= 14, statements


async def test_the_wallet_shows_earnings_escrow_and_every_movement(api, db, market):
    first = (await api.place(market.buyer, market.service))["order"]["id"]
    second = (await api.place(market.buyer, market.service, package="STANDARD"))["order"]["id"]
    for order_id in (first, second):
        await api.pay(market.buyer, order_id)
    await api.deliver(market.seller, first)
    await api.approve(market.buyer, first)

    wallet = await api.wallet(market.seller)

    assert wallet["balance"] == {"amount": "45.00"}
    assert wallet["pending"] == {"amount": "120.00"}  # what escrow holds for the second
    assert [e["node"]["kind"] for e in wallet["transactions"]["edges"]] == ["RELEASE"]
    buyer = await api.wallet(market.buyer)
    assert (buyer["balance"], buyer["pending"]) == ({"amount": "0.00"}, {"amount": "0.00"})
    await assert_ledger_invariants(db)


async def test_a_wallet_is_private_to_its_owner_and_admins(api, market):
    target = encode_id("User", market.seller.id)

    stranger = await api.call(market.stranger, USER_WALLET, id=target)
    admin = await api.call(market.admin, USER_WALLET, id=target)

    assert stranger["data"]["user"]["wallet"] is None
    assert admin["data"]["user"]["wallet"] == {"balance": {"amount": "0.00"}}

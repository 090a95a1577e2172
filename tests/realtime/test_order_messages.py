"""System messages: each order move noted in the order's conversation, stored and live."""
# ruff: noqa: F811 -- the fixtures imported below are taken as parameters of the same name

from datetime import datetime

from sqlalchemy import select

from models.chat import Message, MessageKind
from models.notification import Notification, NotificationType
from schema.relay import decode_id
from tests.factories import token_for
from tests.orders.conftest import (  # noqa: F401 -- fixtures
    api,
    clock,
    market,
    webhooks_into_the_app,
)
from tests.realtime.test_subscriptions import (  # noqa: F401 -- fixtures
    connect,
    nexts,
    subscribed,
    ws_url,
)

THREAD = """
query($c: ID!) { conversation(id: $c) { unreadCount messageCount
  lastMessage { body }
  messages(first: 50) { edges { node { seq kind body sender { id } } } } } }
"""
LIVE = """
subscription($c: ID!) { messageAdded(conversationId: $c) { seq kind body sender { id } } }
"""


async def thread(api, user, conversation_id):
    result = await api.call(user, THREAD, c=conversation_id)
    assert "errors" not in result, result["errors"]
    return result["data"]["conversation"]


def bodies(conversation) -> list[tuple[str, str]]:
    nodes = [edge["node"] for edge in conversation["messages"]["edges"]]
    return [(node["kind"], node["body"]) for node in nodes]


async def paid_order(api, market):
    order = (await api.place(market.buyer, market.service))["order"]
    await api.pay(market.buyer, order["id"])
    return order


async def test_every_move_of_an_order_is_one_system_message_in_its_conversation(api, market):
    order = (await api.place(market.buyer, market.service))["order"]
    confirmed = await api.pay(market.buyer, order["id"])
    await api.deliver(market.seller, order["id"], message="First draft")
    await api.revise(market.buyer, order["id"], reason="Make the fox smile.")
    await api.deliver(market.seller, order["id"], message="Smiling fox")
    await api.approve(market.buyer, order["id"])

    conversation = await thread(api, market.buyer, order["conversationId"])
    due = confirmed["order"]["dueAt"]
    assert bodies(conversation) == [
        ("SYSTEM", "Order placed: Logo design. Waiting for payment."),
        ("SYSTEM", f"Payment received. The order is in progress, due {_day(due)}."),
        ("SYSTEM", "Delivery #1 submitted. The buyer has 3 days to review it."),
        ("SYSTEM", "Revision requested: Make the fox smile."),
        # The seller's rework (back to IN_PROGRESS) says nothing: the redelivery does.
        ("SYSTEM", "Delivery #2 submitted. The buyer has 3 days to review it."),
        ("SYSTEM", "Order completed. The payment was released to the seller."),
    ]
    nodes = [edge["node"] for edge in conversation["messages"]["edges"]]
    assert [node["seq"] for node in nodes] == [1, 2, 3, 4, 5, 6]
    assert {node["sender"] is None for node in nodes} == {True}
    assert conversation["messageCount"] == 6
    assert conversation["lastMessage"] == {"body": nodes[-1]["body"]}


def _day(iso: str) -> str:
    return f"{datetime.fromisoformat(iso):%-d %b %Y}"


async def test_a_refused_move_leaves_no_system_message(api, market, db):
    order = await paid_order(api, market)

    refused = await api.approve(market.buyer, order["id"])  # nothing delivered yet

    assert refused["errors"] != []
    rows = await db.scalars(select(Message.body).order_by(Message.seq))
    assert len(rows) == 2
    assert rows[0].startswith("Order placed")
    assert rows[1].startswith("Payment received")


async def test_a_system_message_arrives_live_through_message_added(ws_url, services, api, market):
    order = await paid_order(api, market)
    conversation_id = order["conversationId"]
    connection, ws = await connect(ws_url, token_for(services, market.buyer))
    async with connection:
        await ws.subscribe("1", LIVE, {"c": conversation_id})
        await subscribed(services, f"conversation:{_key(conversation_id)}")
        await api.deliver(market.seller, order["id"])
        [payload] = await nexts(ws, "1", 1)

    assert payload["data"]["messageAdded"] == {
        "seq": 3,
        "kind": "SYSTEM",
        "body": "Delivery #1 submitted. The buyer has 3 days to review it.",
        "sender": None,
    }


def _key(global_id: str) -> str:
    return str(decode_id(global_id)[1])


async def test_a_system_message_is_unread_for_both_sides_and_marks_nothing_read(api, market):
    # The buyer placed the order: its note is read for them; the payment's is unread for both.
    order = await paid_order(api, market)
    buyer_before = (await thread(api, market.buyer, order["conversationId"]))["unreadCount"]
    seller_before = (await thread(api, market.seller, order["conversationId"]))["unreadCount"]

    await api.deliver(market.seller, order["id"])

    buyer = await thread(api, market.buyer, order["conversationId"])
    seller = await thread(api, market.seller, order["conversationId"])
    assert (buyer_before, seller_before) == (1, 2)
    # The seller had not read the payment note: delivering does not mark it read either.
    assert (buyer["unreadCount"], seller["unreadCount"]) == (2, 3)


async def test_who_caused_a_move_with_everything_read_has_nothing_unread(api, market, services):
    order = await paid_order(api, market)
    conversation_id = order["conversationId"]
    # The seller replies: what you send, you have read, so the seller is caught up.
    await api.call(
        market.seller,
        """mutation($c: ID!) { sendMessage(input: {conversationId: $c, body: "On it"}) {
             errors { code } } }""",
        c=conversation_id,
    )

    await api.deliver(market.seller, order["id"])

    assert (await thread(api, market.seller, conversation_id))["unreadCount"] == 0
    assert (await thread(api, market.buyer, conversation_id))["unreadCount"] == 3


async def test_system_messages_notify_nobody_of_a_new_message(api, market, db, services):
    order = await paid_order(api, market)
    await api.deliver(market.seller, order["id"])
    await api.approve(market.buyer, order["id"])

    kinds = await db.scalars(select(Notification.type))
    assert NotificationType.MESSAGE_RECEIVED not in kinds
    messages = await db.scalars(select(Message.kind))
    assert messages == [MessageKind.SYSTEM] * 4


async def test_a_message_after_system_ones_takes_the_next_seq(api, market, services):
    order = await paid_order(api, market)
    await api.deliver(market.seller, order["id"])

    conversation_id = order["conversationId"]
    sent = await api.call(
        market.buyer,
        """mutation($c: ID!) { sendMessage(input: {conversationId: $c, body: "Thanks!"}) {
             message { seq } errors { code } } }""",
        c=conversation_id,
    )

    assert sent["data"]["sendMessage"] == {"message": {"seq": 4}, "errors": []}

"""What a stream does with each event: reload it, re-check the viewer, fill gaps."""

import asyncio
import gc

from sqlalchemy import update

from models.chat import ConversationParticipant
from models.order import Order, OrderEvent, OrderStatus
from resolvers import chat
from schema.relay import encode_id
from tests.factories import make_message, make_user, token_for
from tests.realtime.test_subscriptions import (  # noqa: F401 -- fixtures
    MESSAGE_ADDED,
    answer,
    chat_room,
    connect,
    gid,
    nexts,
    subscribed,
    ws_url,
)

ORDER_UPDATED = """
subscription($o: ID) { orderUpdated(orderId: $o) { status previousStatus order { id } } }
"""


async def test_a_gap_is_filled_from_the_database(ws_url, services, chat_room):  # noqa: F811
    buyer, seller, conversation = chat_room
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, chat.message_channel(conversation.id))
        channel = chat.message_channel(conversation.id)
        first = await make_message(services, conversation=conversation, sender=seller)
        await services.broadcast.publish(channel, {"message": str(first.id), "seq": 1})
        await nexts(ws, "1", 1)  # live now
        await make_message(services, conversation=conversation, sender=seller)  # not published
        await make_message(services, conversation=conversation, sender=seller)
        await services.broadcast.publish(channel, {"gap": True})
        payloads = await nexts(ws, "1", 2)

    assert [p["data"]["messageAdded"]["seq"] for p in payloads] == [2, 3]


async def test_a_participant_removed_meanwhile_gets_no_more_messages(
    ws_url,  # noqa: F811
    services,
    db,
    chat_room,  # noqa: F811
):
    buyer, seller, conversation = chat_room
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, chat.message_channel(conversation.id))
        channel = chat.message_channel(conversation.id)
        first = await make_message(services, conversation=conversation, sender=seller)
        await services.broadcast.publish(channel, {"message": str(first.id), "seq": 1})
        await nexts(ws, "1", 1)  # live now
        await db.execute(
            update(ConversationParticipant)
            .where(ConversationParticipant.user_id == buyer.id)
            .values(removed_at=ConversationParticipant.created_at)
        )
        second = await make_message(services, conversation=conversation, sender=seller)
        await services.broadcast.publish(channel, {"message": str(second.id), "seq": 2})
        ended = await answer(ws, "1")

    assert [e["extensions"]["code"] for e in ended["payload"]["errors"]] == ["NOT_FOUND"]
    assert ended["payload"].get("data") is None


async def _order(services, buyer, seller, gig) -> Order:
    order = Order(
        gig_id=gig.id,
        buyer_id=buyer.id,
        seller_id=seller.id,
        status=OrderStatus.IN_PROGRESS,
        title="Work",
        price=5000,
        delivery_days=3,
    )
    async with services.sessions() as session:
        session.add(order)
        await session.flush()
        session.add(
            OrderEvent(
                order_id=order.id,
                from_status=OrderStatus.PENDING_PAYMENT,
                to_status=OrderStatus.IN_PROGRESS,
            )
        )
        await session.commit()
    return order


async def test_order_updated_reloads_the_order_for_its_buyer(ws_url, services, db, chat_room):  # noqa: F811
    buyer, seller, conversation = chat_room
    from models.catalog import Gig

    gig = await db.get(Gig, conversation.gig_id)
    order = await _order(services, buyer, seller, gig)
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", ORDER_UPDATED, {"o": encode_id("Order", order.id)})
        await subscribed(services, f"order:{order.id}")
        await services.broadcast.publish(f"order:{order.id}", {"order": str(order.id)})
        [payload] = await nexts(ws, "1", 1)

    assert payload["data"]["orderUpdated"] == {
        "status": "IN_PROGRESS",
        "previousStatus": "PENDING_PAYMENT",
        "order": {"id": encode_id("Order", order.id)},
    }


async def test_order_updated_refuses_someone_elses_order(ws_url, services, db, chat_room):  # noqa: F811
    buyer, seller, conversation = chat_room
    from models.catalog import Gig

    gig = await db.get(Gig, conversation.gig_id)
    order = await _order(services, buyer, seller, gig)
    connection, ws = await connect(ws_url, token_for(services, await make_user(services)))
    async with connection:
        await ws.subscribe("1", ORDER_UPDATED, {"o": encode_id("Order", order.id)})
        refused = await answer(ws, "1")

    assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["NOT_FOUND"]


async def test_a_completed_subscription_lets_go_of_its_channel_at_once(
    ws_url,  # noqa: F811
    services,
    chat_room,  # noqa: F811
):
    buyer, seller, conversation = chat_room
    channel = chat.message_channel(conversation.id)
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, channel)
        message = await make_message(services, conversation=conversation, sender=seller)
        await services.broadcast.publish(channel, {"message": str(message.id), "seq": 1})
        await nexts(ws, "1", 1)
        gc.disable()  # closing must not wait for the garbage collector
        try:
            await ws.send({"id": "1", "type": "complete"})
            released = await _released(services, channel)
        finally:
            gc.enable()

    assert released


async def _released(services, channel: str, within: float = 2) -> bool:
    for _ in range(int(within / 0.01)):
        if channel not in services.broadcast._channels:
            return True
        await asyncio.sleep(0.01)
    return False

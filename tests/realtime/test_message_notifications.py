"""A new message is stored as a notification for a participant who is not watching the
conversation: one with a live `messageAdded` subscription on it, in any process, gets none."""
# ruff: noqa: F811 -- the fixtures imported below are taken as parameters of the same name

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from models.notification import Notification, NotificationType
from models.settings import Settings
from resolvers import chat
from resolvers.presence import conversation_key
from server import create_app
from tests.factories import token_for
from tests.realtime.conftest import eventually, serving
from tests.realtime.test_subscriptions import (  # noqa: F401 -- fixtures
    MESSAGE_ADDED,
    SEND,
    chat_room,
    connect,
    gid,
    nexts,
    subscribed,
    ws_url,
)


async def send(gql, services, sender, conversation, body="Hello there") -> None:
    result = await gql(
        SEND, {"c": gid(conversation), "body": body}, token=token_for(services, sender)
    )
    assert result["data"]["sendMessage"]["errors"] == [], result


async def stored(db) -> list[Notification]:
    return await db.scalars(select(Notification).order_by(Notification.created_at))


async def watching(services, user, conversation) -> bool:
    [here] = await services.presence.present([conversation_key(conversation.id, user.id)])
    return here


async def test_a_recipient_not_watching_gets_one_notification_stored_and_announced(
    services, gql, db, chat_room, inbox
):
    buyer, seller, conversation = chat_room
    await inbox.listen(buyer, seller)

    await send(gql, services, seller, conversation, body="Hello   there,\nbuyer")

    [note] = await stored(db)
    assert (note.user_id, note.type, note.text, note.target_id) == (
        buyer.id,
        NotificationType.MESSAGE_RECEIVED,
        "Seller: Hello there, buyer",
        gid(conversation),
    )
    assert await inbox.heard(buyer, 1) == [str(note.id)]
    assert await inbox.heard(seller, 0) == []  # nobody hears about what they sent


async def test_a_long_message_is_cut_to_a_snippet(services, gql, db, chat_room):
    _buyer, seller, conversation = chat_room

    await send(gql, services, seller, conversation, body="word " * 100)

    [note] = await stored(db)
    assert note.text.startswith("Seller: word word")
    assert note.text.endswith("…")
    assert len(note.text) == len("Seller: ") + 140


async def test_a_retried_message_notifies_once(services, gql, db, chat_room):
    buyer, seller, conversation = chat_room
    document = """mutation($c: ID!) { sendMessage(input: {conversationId: $c, body: "Hi",
      clientMessageId: "once"}) { errors { code } } }"""

    for _ in range(2):
        await gql(document, {"c": gid(conversation)}, token=token_for(services, seller))

    assert [note.user_id for note in await stored(db)] == [buyer.id]


async def test_a_recipient_watching_the_conversation_gets_no_notification(
    ws_url, services, gql, db, chat_room, inbox
):
    buyer, seller, conversation = chat_room
    await inbox.listen(buyer)
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, chat.message_channel(conversation.id))
        assert await watching(services, buyer, conversation)

        await send(gql, services, seller, conversation)
        await nexts(ws, "1", 1)  # seen live

    assert await stored(db) == []
    assert await inbox.heard(buyer, 0) == []


async def test_notifications_resume_once_the_subscription_ends(
    ws_url, services, gql, db, chat_room
):
    buyer, seller, conversation = chat_room
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, chat.message_channel(conversation.id))
        await send(gql, services, seller, conversation, body="While you watch")
        await nexts(ws, "1", 1)

        await ws.send({"id": "1", "type": "complete"})
        await eventually(lambda: _not_watching(services, buyer, conversation))
        await send(gql, services, seller, conversation, body="After you left")

    assert [note.text for note in await stored(db)] == ["Seller: After you left"]


async def _not_watching(services, user, conversation) -> bool:
    return not await watching(services, user, conversation)


async def test_a_closed_connection_stops_watching(ws_url, services, gql, db, chat_room):
    buyer, seller, conversation = chat_room
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, chat.message_channel(conversation.id))

    await eventually(lambda: _not_watching(services, buyer, conversation))
    await send(gql, services, seller, conversation)
    assert len(await stored(db)) == 1


async def test_watching_another_conversation_does_not_count(ws_url, services, gql, db, chat_room):
    buyer, seller, conversation = chat_room
    connection, ws = await connect(ws_url, token_for(services, seller))
    async with connection:
        # The seller watches the conversation; the buyer, who is not watching, is notified.
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, chat.message_channel(conversation.id))
        await send(gql, services, seller, conversation)

    assert [note.user_id for note in await stored(db)] == [buyer.id]


@pytest.fixture(scope="module")
async def second_process(settings: Settings) -> AsyncIterator[str]:
    """Another instance of the app on the same database and Redis, as a second process is."""
    if not settings.redis_url:
        pytest.skip("presence is shared between processes through Redis")
    async with serving(create_app(settings), lifespan="on") as url:
        yield url


async def test_watching_through_one_process_silences_messages_sent_through_another(
    ws_url, second_process, services, db, chat_room
):
    buyer, seller, conversation = chat_room
    headers = {"Authorization": f"Bearer {token_for(services, seller)}"}
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection, httpx.AsyncClient(base_url=second_process, timeout=10) as http:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, chat.message_channel(conversation.id))
        variables = {"c": gid(conversation), "body": "From the other process"}
        response = await http.post(
            "/graphql", json={"query": SEND, "variables": variables}, headers=headers
        )
        assert response.json()["data"]["sendMessage"]["errors"] == []
        await nexts(ws, "1", 1)

        await ws.send({"id": "1", "type": "complete"})
        await eventually(lambda: _not_watching(services, buyer, conversation))
        variables["body"] = "Now you are away"
        response = await http.post(
            "/graphql", json={"query": SEND, "variables": variables}, headers=headers
        )
        assert response.json()["data"]["sendMessage"]["errors"] == []

    assert [note.text for note in await stored(db)] == ["Seller: Now you are away"]

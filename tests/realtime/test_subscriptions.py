"""Subscriptions over a real WebSocket (graphql-transport-ws), served in this process by
uvicorn on the tests' own event loop, so the test can also count tasks and pub/sub channels."""

import asyncio
import gc
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from starlette.applications import Starlette

from models.user import UserRole
from resolvers import chat
from schema.relay import encode_id
from tests.e2e.harness import open_websocket
from tests.factories import (
    make_category,
    make_conversation,
    make_gig,
    make_message,
    make_user,
    token_for,
)
from tests.realtime.conftest import serving

MESSAGE_ADDED = """
subscription($c: ID!, $after: String) { messageAdded(conversationId: $c, after: $after) {
  seq body cursor sender { name } } }
"""
TYPING = """
subscription($c: ID!) { typing(conversationId: $c) { isTyping conversationId user { name } } }
"""
READS = """
subscription($c: ID!) { conversationRead(conversationId: $c) {
  conversationId user { name } lastReadMessage { seq } } }
"""
SEND = """
mutation($c: ID!, $body: String!) { sendMessage(input: {conversationId: $c, body: $body}) {
  message { seq } errors { code } } }
"""
SET_TYPING = """
mutation($c: ID!, $t: Boolean!) { setTyping(input: {conversationId: $c, isTyping: $t}) {
  errors { code } } }
"""
MARK_READ = """
mutation($c: ID!, $m: ID!) { markConversationRead(input: {conversationId: $c, upToMessageId: $m}) {
  errors { code } } }
"""


@pytest.fixture(scope="session")
async def ws_url(app: Starlette) -> AsyncIterator[str]:
    """The app behind a real uvicorn on a free port, in this event loop."""
    async with serving(app) as url:
        yield url


@pytest.fixture
async def chat_room(services):
    buyer = await make_user(services, name="Buyer")
    seller = await make_user(services, role=UserRole.FREELANCER, name="Seller")
    gig = await make_gig(services, owner=seller, category=await make_category(services))
    conversation = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    return buyer, seller, conversation


def gid(entity) -> str:
    return encode_id(type(entity).__name__, entity.id)


async def connect(ws_url: str, token: str | None):
    connection, ws = await open_websocket(ws_url)
    assert (await ws.init(token))["type"] == "connection_ack"
    return connection, ws


async def nexts(ws, op_id: str, count: int, within: float = 5) -> list[dict]:
    """The next `count` payloads of operation `op_id`."""
    payloads = []
    while len(payloads) < count:
        message = await ws.receive(within)
        assert message.get("id") == op_id, message
        assert message["type"] == "next", message
        payloads.append(message["payload"])
    return payloads


async def subscribed(services, channel: str, within: float = 5, settle: float = 0.2) -> None:
    """Wait until this process has a live subscriber on `channel`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    channels = services.broadcast._channels
    while channel not in channels or not channels[channel].ready.done():
        assert loop.time() < deadline, f"nobody subscribed to {channel}"
        await asyncio.sleep(0.01)
    # The backend confirmed; let the stream take its starting point from the database too.
    await asyncio.sleep(settle)


async def test_messages_sent_while_subscribing_arrive_once_in_order(
    ws_url, services, gql, chat_room
):
    buyer, seller, conversation = chat_room
    first = await make_message(services, conversation=conversation, sender=seller)
    token = token_for(services, seller)
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        sending = asyncio.create_task(_send_many(gql, token, conversation, 2, 15))
        await ws.subscribe(
            "1", MESSAGE_ADDED, {"c": gid(conversation), "after": chat.message_cursor(first)}
        )
        await sending
        payloads = await nexts(ws, "1", 14)

    assert [p["data"]["messageAdded"]["seq"] for p in payloads] == list(range(2, 16))
    assert payloads[-1]["data"]["messageAdded"]["sender"] == {"name": "Seller"}


async def _send_many(gql, token, conversation, start: int, end: int) -> None:
    for n in range(start, end + 1):
        result = await gql(SEND, {"c": gid(conversation), "body": f"m{n}"}, token=token)
        assert result["data"]["sendMessage"]["errors"] == []
        await asyncio.sleep(0)


async def test_without_a_cursor_only_new_messages_arrive(ws_url, services, gql, chat_room):
    buyer, seller, conversation = chat_room
    await make_message(services, conversation=conversation, sender=seller)
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, chat.message_channel(conversation.id))
        await _send_many(gql, token_for(services, seller), conversation, 2, 2)
        [payload] = await nexts(ws, "1", 1)

    assert payload["data"]["messageAdded"]["seq"] == 2


async def test_a_foreign_conversation_is_refused_like_a_missing_one(ws_url, services, chat_room):
    _buyer, _seller, conversation = chat_room
    stranger = await make_user(services)
    connection, ws = await connect(ws_url, token_for(services, stranger))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        refused = await answer(ws, "1")
        missing = encode_id("Conversation", stranger.id)
        await ws.subscribe("2", MESSAGE_ADDED, {"c": missing})
        unknown = await answer(ws, "2")

    assert refused["type"] in {"next", "error"}, refused
    assert _codes(refused) == _codes(unknown) == ["NOT_FOUND"]
    assert _messages(refused) == _messages(unknown)
    assert "data" not in refused["payload"] or refused["payload"]["data"] is None


async def answer(ws, op_id: str) -> dict:
    """The first `next` or `error` message of operation `op_id`."""
    while True:
        message = await ws.receive()
        if message.get("id") == op_id and message["type"] in {"next", "error"}:
            return message


def _errors(message: dict) -> list[dict]:
    payload = message["payload"]
    return payload if isinstance(payload, list) else payload.get("errors", [])


def _codes(message: dict) -> list[str]:
    return [(e.get("extensions") or {}).get("code") for e in _errors(message)]


def _messages(message: dict) -> list[str]:
    return [e["message"] for e in _errors(message)]


@pytest.mark.parametrize("which", ["bogus", "foreign", "beyond"])
async def test_a_bad_cursor_is_refused_before_any_event(ws_url, services, chat_room, which):
    buyer, seller, conversation = chat_room
    other = await make_conversation(services, buyer=await make_user(services), seller=seller)
    foreign = await make_message(services, conversation=other, sender=seller)
    cursors = {
        "bogus": "not-a-cursor",
        "foreign": chat.message_cursor(foreign),
        "beyond": chat.message_cursor(SimpleNamespace(conversation_id=conversation.id, seq=9)),
    }
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation), "after": cursors[which]})
        refused = await answer(ws, "1")

    assert _codes(refused) == ["INVALID_CURSOR"]


async def test_typing_is_reported_and_reported_stopped_after_5_seconds(
    ws_url, services, gql, chat_room
):
    buyer, seller, conversation = chat_room
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", TYPING, {"c": gid(conversation)})
        await subscribed(services, chat.typing_channel(conversation.id))
        loop = asyncio.get_running_loop()
        result = await gql(
            SET_TYPING, {"c": gid(conversation), "t": True}, token=token_for(services, seller)
        )
        started_at = loop.time()
        [started] = await nexts(ws, "1", 1)
        [stopped] = await nexts(ws, "1", 1, within=8)
        waited = loop.time() - started_at

    assert result["data"]["setTyping"]["errors"] == []
    assert started["data"]["typing"] == {
        "isTyping": True,
        "conversationId": gid(conversation),
        "user": {"name": "Seller"},
    }
    assert stopped["data"]["typing"]["isTyping"] is False
    assert 4.5 <= waited <= 7


async def test_a_stranger_cannot_watch_typing(ws_url, services, chat_room):
    _buyer, _seller, conversation = chat_room
    connection, ws = await connect(ws_url, token_for(services, await make_user(services)))
    async with connection:
        await ws.subscribe("1", TYPING, {"c": gid(conversation)})
        refused = await answer(ws, "1")

    assert _codes(refused) == ["NOT_FOUND"]


async def test_read_receipts_reach_the_other_side(ws_url, services, gql, chat_room):
    buyer, seller, conversation = chat_room
    message = await make_message(services, conversation=conversation, sender=seller)
    connection, ws = await connect(ws_url, token_for(services, seller))
    async with connection:
        await ws.subscribe("1", READS, {"c": gid(conversation)})
        await subscribed(services, chat.read_channel(conversation.id))
        marked = await gql(
            MARK_READ,
            {"c": gid(conversation), "m": encode_id("Message", message.id)},
            token=token_for(services, buyer),
        )
        assert marked["data"]["markConversationRead"]["errors"] == [], marked
        [receipt] = await nexts(ws, "1", 1)

    assert receipt["data"]["conversationRead"] == {
        "conversationId": gid(conversation),
        "user": {"name": "Buyer"},
        "lastReadMessage": {"seq": 1},
    }


async def test_a_duplicate_operation_id_closes_the_connection_with_4409(
    ws_url, services, chat_room
):
    buyer, _seller, conversation = chat_room
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, chat.message_channel(conversation.id))
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})

        assert await ws.close_code() == 4409


async def test_connect_and_disconnect_1000_times_leaves_no_task_or_channel_behind(
    ws_url, services, chat_room
):
    buyer, _seller, conversation = chat_room
    token = token_for(services, buyer)
    broadcast = services.broadcast
    await _cycle(ws_url, token, conversation, services)  # warm up: pools, caches
    await _settle()
    tasks, channels = len(asyncio.all_tasks()), broadcast.channel_count

    for _ in range(1000):
        await _cycle(ws_url, token, conversation, services)
    await _settle()

    assert broadcast.channel_count == channels == 0
    assert broadcast.subscriber_count == 0
    assert len(asyncio.all_tasks()) <= tasks


async def _cycle(ws_url, token, conversation, services) -> None:
    connection, ws = await connect(ws_url, token)
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, chat.message_channel(conversation.id), settle=0)


async def _settle(within: float = 10) -> None:
    """Let closed connections finish unwinding on the server side."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    previous = -1
    while loop.time() < deadline:
        gc.collect()
        count = len(asyncio.all_tasks())
        if count == previous:
            return
        previous = count
        await asyncio.sleep(0.2)

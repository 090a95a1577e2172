"""What a live subscription costs the server while it waits, and per event it delivers, and
that the lean path (`schema.ws.LiveOperations`) answers as strawberry's own does."""
# ruff: noqa: F811 -- the fixtures imported below are taken as parameters of the same name

import asyncio
import contextvars
import gc
import logging
from collections import Counter

import pytest
from sqlalchemy import event
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import Operation

from resolvers import chat, chat_live
from tests.factories import make_message, token_for
from tests.realtime.test_subscriptions import (  # noqa: F401 -- fixtures
    MESSAGE_ADDED,
    chat_room,
    connect,
    gid,
    nexts,
    subscribed,
    ws_url,
)
from tests.statements import counting_statements

SUBSCRIPTIONS = 20
# 65 when this was written; strawberry's own path and the generator streams held about 170.
OBJECTS_PER_SUBSCRIPTION = 80


def _everything() -> list[object]:
    # Frozen objects (resolvers.collector) are left out of `gc.get_objects()`: count them too,
    # also those the app's collector freezes as this full collection ends.
    gc.unfreeze()
    gc.collect()
    gc.unfreeze()
    return gc.get_objects()


def _held_by(roots: list[object], old: set[int]) -> Counter[str]:
    """The GC-tracked objects reachable from `roots` through objects not in `old`, by type:
    what those roots hold by themselves, whatever else the process did meanwhile. A task's
    context is counted but not entered: its values belong to whoever set them."""
    seen: set[int] = set()
    held: Counter[str] = Counter()
    stack = list(roots)
    while stack:
        item = stack.pop()
        if id(item) in seen or id(item) in old:
            continue
        seen.add(id(item))
        held[type(item).__qualname__] += 1
        if not isinstance(item, contextvars.Context):
            stack.extend(ref for ref in gc.get_referents(item) if gc.is_tracked(ref))
    return held


async def _all_live(services, channel: str, count: int) -> None:
    await subscribed(services, channel)
    state = services.broadcast._channels[channel]
    for _ in range(500):
        if len(state.subscribers) >= count:
            return
        await _pause()
    raise AssertionError(f"{len(state.subscribers)} of {count} subscriptions live")


async def _pause() -> None:
    await asyncio.sleep(0.01)


async def test_a_waiting_message_subscription_holds_few_gc_tracked_objects(
    ws_url,
    services,
    chat_room,
):
    buyer, _seller, conversation = chat_room
    channel = chat.message_channel(conversation.id)
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        # A first batch fills what is filled once (connection pools, caches), not per stream.
        for n in range(SUBSCRIPTIONS):
            await ws.subscribe(f"warm-{n}", MESSAGE_ADDED, {"c": gid(conversation)})
        await _all_live(services, channel, SUBSCRIPTIONS)
        before = _everything()  # kept alive, so no new object takes an old one's id
        old = {id(item) for item in before}
        for n in range(SUBSCRIPTIONS):
            await ws.subscribe(f"new-{n}", MESSAGE_ADDED, {"c": gid(conversation)})
        await _all_live(services, channel, 2 * SUBSCRIPTIONS)
        operations = [
            item
            for item in _everything()
            if isinstance(item, Operation) and id(item) not in old and item.id.startswith("new-")
        ]
        held = _held_by(operations, old)
        del before

    assert len(operations) == SUBSCRIPTIONS
    assert held.total() / SUBSCRIPTIONS <= OBJECTS_PER_SUBSCRIPTION, held.most_common(12)


async def test_a_live_message_costs_its_subscriber_one_statement_that_checks_its_seat(
    ws_url,
    services,
    chat_room,
):
    buyer, seller, conversation = chat_room
    channel = chat.message_channel(conversation.id)
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, channel)
        # The first delivery loads the sender onto the socket; later ones find it there.
        first = await make_message(services, conversation=conversation, sender=seller)
        await services.broadcast.publish(channel, {"message": str(first.id), "seq": first.seq})
        await nexts(ws, "1", 1)
        second = await make_message(services, conversation=conversation, sender=seller)
        with counting_statements(services) as statements:
            await services.broadcast.publish(
                channel, {"message": str(second.id), "seq": second.seq}
            )
            [payload] = await nexts(ws, "1", 1)

    assert payload["data"]["messageAdded"]["seq"] == second.seq
    [statement] = statements
    assert "conversation_participant" in statement
    assert "EXISTS" in statement.upper()


async def test_a_live_message_from_a_new_sender_costs_one_connection_checkout(
    ws_url,
    services,
    chat_room,
):
    buyer, seller, conversation = chat_room
    channel = chat.message_channel(conversation.id)
    engine = services.sessions.kw["bind"].sync_engine
    checkouts: list[object] = []

    def checked_out(connection, _record, _proxy) -> None:
        checkouts.append(connection)

    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await subscribed(services, channel)
        message = await make_message(services, conversation=conversation, sender=seller)
        event.listen(engine, "checkout", checked_out)
        try:
            await services.broadcast.publish(
                channel, {"message": str(message.id), "seq": message.seq}
            )
            [payload] = await nexts(ws, "1", 1)
        finally:
            event.remove(engine, "checkout", checked_out)

    assert payload["data"]["messageAdded"]["sender"] == {"name": "Seller"}
    assert len(checkouts) == 1


async def test_an_unexpected_error_in_a_stream_is_masked_and_logged_with_its_id(
    ws_url,
    services,
    chat_room,
    monkeypatch,
    caplog,
):
    buyer, _seller, conversation = chat_room

    async def broken(*_args, **_kwargs):
        raise RuntimeError("the secret database password is hunter2")

    monkeypatch.setattr(chat_live, "_authorized_seq", broken)
    connection, ws = await connect(ws_url, token_for(services, buyer))
    with caplog.at_level(logging.ERROR, logger="gigstream.errors"):
        async with connection:
            await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
            [payload] = await nexts(ws, "1", 1)
            completed = await ws.receive()

    [error] = payload["errors"]
    assert error["message"] == "Internal server error"
    assert "hunter2" not in str(payload)
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert any(error["extensions"]["errorId"] in record.getMessage() for record in caplog.records)
    assert completed == {"id": "1", "type": "complete"}


async def test_a_query_over_the_socket_is_answered_once_then_completed(
    ws_url,
    services,
    chat_room,
):
    buyer, _seller, _conversation = chat_room
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", "query { viewer { name } }")
        [payload] = await nexts(ws, "1", 1)
        completed = await ws.receive()

    assert payload == {"data": {"viewer": {"name": "Buyer"}}}
    assert completed == {"id": "1", "type": "complete"}


@pytest.mark.parametrize(
    "document",
    [
        'subscription { messageAdded(conversationId: "x") { nothingHere } }',
        "subscription($c: ID!) { messageAdded(conversationId: $c) { seq } }",  # no $c sent
    ],
    ids=["invalid", "missing-variable"],
)
async def test_a_subscription_that_cannot_start_gets_an_error_message(
    ws_url,
    services,
    chat_room,
    document,
):
    buyer, _seller, _conversation = chat_room
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", document)
        message = await ws.receive()

    assert message["type"] == "error", message
    assert message["id"] == "1"
    assert message["payload"][0]["message"]


async def test_a_subscription_that_does_not_parse_closes_the_socket_with_4400(
    ws_url,
    services,
    chat_room,
):
    buyer, _seller, _conversation = chat_room
    connection, ws = await connect(ws_url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", "subscription { messageAdded(")

        assert await ws.close_code() == 4400

"""WebSocket limits over real connections: operations per connection, connections per user
(counted across processes through Redis)."""
# ruff: noqa: F811 -- the fixtures imported below are taken as parameters of the same name

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest

from models.settings import Settings
from resolvers import chat
from resolvers.presence import connections_key
from server import create_app
from tests.e2e.harness import open_websocket
from tests.factories import make_user, token_for
from tests.realtime.conftest import eventually, serving
from tests.realtime.test_subscriptions import (  # noqa: F401 -- fixtures
    MESSAGE_ADDED,
    SEND,
    answer,
    chat_room,
    gid,
    nexts,
    ws_url,
)

LIMITS = {"ws_max_subscriptions_per_connection": 2, "ws_max_connections_per_user": 2}


async def serve(settings: Settings, stack: AsyncExitStack) -> tuple[str, object]:
    """One more instance of the app, with `settings`, behind a real uvicorn."""
    app = create_app(settings)
    url = await stack.enter_async_context(serving(app, lifespan="on"))
    return url, app.state.services


@pytest.fixture(scope="module")
async def limited(settings: Settings) -> AsyncIterator[list[tuple[str, object]]]:
    """Two instances of the app with low limits, on the same database (and Redis, if any)."""
    limited_settings = settings.model_copy(update=LIMITS)
    async with AsyncExitStack() as stack:
        first = await serve(limited_settings, stack)
        second = await serve(limited_settings, stack) if settings.redis_url else None
        yield [first, second]


async def connect(url: str, token: str | None):
    connection, ws = await open_websocket(url)
    return connection, ws, await ws.init(token)


async def test_a_subscription_over_the_cap_is_refused_alone(limited, services, chat_room):
    [(url, app_services), _] = limited
    buyer, seller, conversation = chat_room
    connection, ws, ack = await connect(url, token_for(services, buyer))
    async with connection:
        assert ack["type"] == "connection_ack"
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await ws.subscribe("2", MESSAGE_ADDED, {"c": gid(conversation)})
        await ws.subscribe("3", MESSAGE_ADDED, {"c": gid(conversation)})
        refused = await answer(ws, "3")
        await _until_subscribers(app_services, chat.message_channel(conversation.id), 2)

        # Sent through the same app: without Redis, two apps do not share pub/sub.
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            sent = await http.post(
                "/graphql",
                json={"query": SEND, "variables": {"c": gid(conversation), "body": "Hi"}},
                headers={"Authorization": f"Bearer {token_for(services, seller)}"},
            )
        assert sent.json()["data"]["sendMessage"]["errors"] == []
        delivered = [await ws.receive(), await ws.receive()]

    assert refused["type"] == "error"
    assert [error["message"] for error in refused["payload"]] == ["Subscription limit reached"]
    assert sorted(message["id"] for message in delivered) == ["1", "2"]
    assert {message["type"] for message in delivered} == {"next"}


async def _until_subscribers(app_services, channel: str, count: int) -> None:
    channels = app_services.broadcast._channels

    def ready() -> bool:
        state = channels.get(channel)
        return state is not None and state.ready.done() and len(state.subscribers) == count

    await eventually(ready)
    await asyncio.sleep(0.2)  # and let the streams take their starting point


async def test_a_completed_subscription_frees_its_place(limited, services, chat_room):
    [(url, _services), _] = limited
    buyer, _seller, conversation = chat_room
    connection, ws, _ack = await connect(url, token_for(services, buyer))
    async with connection:
        await ws.subscribe("1", MESSAGE_ADDED, {"c": gid(conversation)})
        await ws.subscribe("2", MESSAGE_ADDED, {"c": gid(conversation)})
        await ws.send({"id": "1", "type": "complete"})
        await ws.subscribe("3", MESSAGE_ADDED, {"c": gid(conversation)})
        await ws.subscribe("4", MESSAGE_ADDED, {"c": gid(conversation)})
        refused = await answer(ws, "4")

    assert refused["type"] == "error"  # 2 and 3 hold the two places; 3 got the one 1 left


async def test_a_connection_over_the_users_cap_is_closed_with_4429(limited, services):
    [(url, _services), _] = limited
    user, other = await make_user(services), await make_user(services)
    token = token_for(services, user)
    async with AsyncExitStack() as stack:
        for _ in range(2):
            connection, _ws, ack = await connect(url, token)
            stack.push_async_callback(connection.close)
            assert ack["type"] == "connection_ack"

        connection, ws, _ = await _connect_refused(url, token)
        async with connection:
            code = await ws.close_code()
        others, _ws, others_ack = await connect(url, token_for(services, other))
        await others.close()

    assert code == 4429
    assert connection.close_reason == "Too many connections"
    assert others_ack["type"] == "connection_ack"  # the cap is per user


async def _connect_refused(url: str, token: str):
    connection, ws = await open_websocket(url)
    await ws.send({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    return connection, ws, None


async def test_a_closed_connection_frees_its_seat(limited, services):
    [(url, app_services), _] = limited
    user = await make_user(services)
    token = token_for(services, user)
    first, _ws, _ = await connect(url, token)
    second, _ws, _ = await connect(url, token)
    await first.close()
    await eventually(lambda: _seats(app_services, user, 1))

    third, _ws, ack = await connect(url, token)
    await second.close()
    await third.close()

    assert ack["type"] == "connection_ack"


async def _seats(app_services, user, count: int) -> bool:
    [here] = await app_services.presence._store.counts([connections_key(user.id)])
    return here == count


async def test_anonymous_connections_are_not_counted(limited):
    [(url, _services), _] = limited
    async with AsyncExitStack() as stack:
        acks = []
        for _ in range(3):
            connection, _ws, ack = await connect(url, None)
            stack.push_async_callback(connection.close)
            acks.append(ack["type"])

    assert acks == ["connection_ack"] * 3


async def test_connections_are_counted_across_processes(limited, services):
    [(first_url, _), second] = limited
    if second is None:
        pytest.skip("connections are counted across processes through Redis")
    second_url, _ = second
    user = await make_user(services)
    token = token_for(services, user)
    async with AsyncExitStack() as stack:
        for url in (first_url, second_url):
            connection, _ws, ack = await connect(url, token)
            stack.push_async_callback(connection.close)
            assert ack["type"] == "connection_ack"

        connection, ws, _ = await _connect_refused(second_url, token)
        async with connection:
            code = await ws.close_code()

    assert code == 4429


def test_the_limits_default_to_100_operations_and_20_connections():
    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.ws_max_subscriptions_per_connection == 100
    assert settings.ws_max_connections_per_user == 20

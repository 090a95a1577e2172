"""Scale-out: two server processes on one PostgreSQL and one Redis; a subscriber on one
receives, in order, the messages and order updates made through the other, through a Redis
restart too."""

import asyncio
from types import SimpleNamespace

import httpx
import pytest
from redis.asyncio import Redis

from models.order import OrderStatus
from models.settings import Settings
from models.user import UserRole
from resolvers.chat import message_channel, message_cursor
from schema.relay import encode_id
from tests.conftest import TEST_SECRET
from tests.e2e.harness import open_websocket, running_server
from tests.factories import (
    make_category,
    make_conversation,
    make_gig,
    make_order,
    make_user,
    token_for,
)

MESSAGE_ADDED = """
subscription($c: ID!, $after: String) { messageAdded(conversationId: $c, after: $after) {
  seq body } }
"""
SEND = """
mutation($c: ID!, $body: String!) { sendMessage(input: {conversationId: $c, body: $body}) {
  message { seq } errors { code } } }
"""


# A server here answers a few requests: it needs few connections, and with the test's own
# app and the module's other pair of servers, four processes at the default 20 each would
# pass PostgreSQL's 100 (the suite's run once failed with "too many clients").
SMALL_POOL = {"DATABASE_POOL_SIZE": "4", "DATABASE_POOL_OVERFLOW": "4"}


@pytest.fixture(scope="module")
def two_servers(settings: Settings):
    if not settings.database_url.startswith("postgresql") or not settings.redis_url:
        pytest.skip("scale-out needs PostgreSQL and Redis shared by both processes")
    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "JWT_SECRET": TEST_SECRET,
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        "LOG_LEVEL": "WARNING",
        **SMALL_POOL,
    }
    with running_server(env) as first, running_server(env) as second:
        yield first, second


async def test_a_subscriber_on_one_process_gets_messages_sent_through_the_other(
    two_servers, services
):
    first, second = two_servers
    buyer = await make_user(services)
    seller = await make_user(services, role=UserRole.FREELANCER)
    gig = await make_gig(services, owner=seller, category=await make_category(services))
    conversation = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    conversation_id = encode_id("Conversation", conversation.id)
    connection, ws = await open_websocket(first)
    async with connection, httpx.AsyncClient(base_url=second, timeout=10) as http:
        assert (await ws.init(token_for(services, buyer)))["type"] == "connection_ack"
        # From the start: whatever lands before the subscription is live is replayed.
        start = message_cursor(SimpleNamespace(conversation_id=conversation.id, seq=0))
        await ws.subscribe("1", MESSAGE_ADDED, {"c": conversation_id, "after": start})
        headers = {"Authorization": f"Bearer {token_for(services, seller)}"}
        for n in range(1, 11):
            variables = {"c": conversation_id, "body": f"m{n}"}
            response = await http.post(
                "/graphql", json={"query": SEND, "variables": variables}, headers=headers
            )
            assert response.json()["data"]["sendMessage"]["errors"] == []
        received = []
        while len(received) < 10:
            message = await ws.receive(within=10)
            assert message["type"] == "next", message
            received.append(message["payload"]["data"]["messageAdded"])

    assert received == [{"seq": n, "body": f"m{n}"} for n in range(1, 11)]


LIVE_MESSAGES = """
subscription($c: ID!, $after: String) { messageAdded(conversationId: $c, after: $after) {
  seq body cursor } }
"""
ORDER_UPDATED = """
subscription($o: ID) { orderUpdated(orderId: $o) { status previousStatus } }
"""
DELIVER = """
mutation($o: ID!) { deliverOrder(input: {orderId: $o, message: "Here it is"}) {
  order { status } errors { code } } }
"""


async def _until_subscribed(redis_url: str, channels: list[str]) -> None:
    """Wait until a server holds a Redis subscription to each channel."""
    client = Redis.from_url(redis_url)
    try:
        async with asyncio.timeout(10):
            while True:
                counts = dict(await client.pubsub_numsub(*channels))
                if all(counts.get(channel.encode(), 0) > 0 for channel in channels):
                    return
                await asyncio.sleep(0.05)
    finally:
        await client.aclose()


@pytest.fixture
def shared_database(settings: Settings) -> str:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("scale-out needs PostgreSQL shared by both processes")
    return settings.database_url


async def test_through_a_redis_restart_a_subscriber_on_one_process_gets_everything_once(
    shared_database, services, redis_server
):
    """The issue's scale-out test: two processes on one PostgreSQL and a Redis of the test's
    own. A buyer subscribed on the first gets, in order, the messages and the order update the
    seller makes through the second; then Redis dies mid-conversation, messages are sent while
    it is down, and it comes back: the buyer has every message once, in order. (The stream
    reloads from its cursor by itself after the outage; a client whose stream ended would
    resume from the last cursor it saw, as this one would.)"""
    buyer = await make_user(services)
    seller = await make_user(services, role=UserRole.FREELANCER)
    gig = await make_gig(services, owner=seller, category=await make_category(services))
    order = await make_order(
        services, gig=gig, buyer=buyer, seller=seller, status=OrderStatus.IN_PROGRESS
    )
    conversation = await make_conversation(services, buyer=buyer, seller=seller, order=order)
    conversation_gid = encode_id("Conversation", conversation.id)
    order_gid = encode_id("Order", order.id)
    env = {
        "DATABASE_URL": shared_database,
        "REDIS_URL": redis_server.url,
        "JWT_SECRET": TEST_SECRET,
        "LOG_LEVEL": "ERROR",
        # Notice a dead Redis, and its return, within a second or two.
        "PUBSUB_PING_SECONDS": "1",
        "PUBSUB_TIMEOUT_SECONDS": "1",
        "PUBSUB_RECONNECT_MAX_SECONDS": "1",
        **SMALL_POOL,
    }
    seen: list[dict] = []  # messageAdded payloads, in the order they arrived
    updates: list[dict] = []
    with running_server(env) as first, running_server(env) as second:
        connection, ws = await open_websocket(first)
        seller_headers = {"Authorization": f"Bearer {token_for(services, seller)}"}
        async with connection, httpx.AsyncClient(base_url=second, timeout=10) as http:

            async def post(query: str, variables: dict) -> dict:
                response = await http.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers=seller_headers,
                )
                return response.json()["data"]

            async def send(body: str) -> None:
                sent = await post(SEND, {"c": conversation_gid, "body": body})
                assert sent["sendMessage"]["errors"] == [], sent

            resumed = 0

            async def subscribe_messages() -> None:
                nonlocal resumed
                resumed += 1
                after = (
                    seen[-1]["cursor"]
                    if seen
                    else message_cursor(SimpleNamespace(conversation_id=conversation.id, seq=0))
                )
                await ws.subscribe(
                    f"m{resumed}", LIVE_MESSAGES, {"c": conversation_gid, "after": after}
                )

            async def receive_until(last_seq: int) -> None:
                """Read until message `last_seq` has arrived; a message stream that ends is
                subscribed again from the last cursor seen, as a client app does."""
                async with asyncio.timeout(30):
                    while not seen or seen[-1]["seq"] < last_seq:
                        message = await ws.receive(within=30)
                        if message.get("id") == "o":
                            # Its one update matters here; ended by the outage, it stays so.
                            if message["type"] == "next":
                                updates.append(message["payload"]["data"]["orderUpdated"])
                        elif message["type"] == "next":
                            seen.append(message["payload"]["data"]["messageAdded"])
                        elif message["id"] == f"m{resumed}":  # ended: resume shortly
                            await asyncio.sleep(0.5)
                            await subscribe_messages()

            assert (await ws.init(token_for(services, buyer)))["type"] == "connection_ack"
            await subscribe_messages()
            await ws.subscribe("o", ORDER_UPDATED, {"o": order_gid})
            await _until_subscribed(
                redis_server.url, [message_channel(conversation.id), f"order:{order.id}"]
            )

            for n in range(1, 4):
                await send(f"before {n}")
            delivered = await post(DELIVER, {"o": order_gid})
            assert delivered["deliverOrder"] == {"order": {"status": "DELIVERED"}, "errors": []}
            await receive_until(4)  # three messages, and the delivery's system message
            async with asyncio.timeout(10):
                while not updates:  # if it did not come before the system message
                    message = await ws.receive(within=10)
                    assert message.get("id") == "o", message
                    assert message["type"] == "next", message
                    updates.append(message["payload"]["data"]["orderUpdated"])

            redis_server.kill()
            for n in range(1, 4):  # stored and answered while Redis is down
                await send(f"during {n}")
            await redis_server.start()
            await receive_until(7)  # sent while Redis was down: nothing new has come since
            for n in range(1, 3):
                await send(f"after {n}")
            await receive_until(9)

    assert [m["seq"] for m in seen] == list(range(1, 10))
    bodies = [m["body"] for m in seen]
    assert bodies[:3] == ["before 1", "before 2", "before 3"]
    assert bodies[4:] == ["during 1", "during 2", "during 3", "after 1", "after 2"]
    assert updates == [{"status": "DELIVERED", "previousStatus": "IN_PROGRESS"}]

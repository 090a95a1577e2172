"""Scale-out: two server processes on one PostgreSQL and one Redis; a subscriber on one
receives, in order, the messages sent through the other."""

from types import SimpleNamespace

import httpx
import pytest

from models.settings import Settings
from models.user import UserRole
from resolvers.chat import message_cursor
from schema.relay import encode_id
from tests.conftest import TEST_SECRET
from tests.e2e.harness import open_websocket, running_server
from tests.factories import (
    make_category,
    make_conversation,
    make_gig,
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

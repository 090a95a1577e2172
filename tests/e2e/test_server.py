"""The real server, started as a newcomer starts it, spoken to over HTTP and WebSocket."""

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from models.settings import Settings
from tests.conftest import TEST_SECRET
from tests.e2e.harness import open_websocket, running_server

REGISTER = """
mutation { register(input: {email: "newcomer@example.com", password: "a fine passphrase",
                             name: "New Comer", role: CLIENT}) {
  accessToken refreshToken errors { code } } }
"""
LOGIN = """
mutation { login(input: {email: "newcomer@example.com", password: "a fine passphrase"}) {
  accessToken errors { code } } }
"""
VIEWER = "query { viewer { email name role } }"


@pytest.fixture(scope="module")
def server(settings: Settings):
    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "JWT_SECRET": TEST_SECRET,
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        "LOG_LEVEL": "WARNING",
    }
    with running_server(env) as base_url:
        yield base_url


@pytest.fixture
async def http(server, services):  # `services` empties the database after each test
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        yield client


async def post(http, query, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_a_newcomer_registers_logs_in_and_asks_who_they_are(http):
    registered = (await post(http, REGISTER))["register"]
    logged_in = (await post(http, LOGIN))["login"]
    viewer = (await post(http, VIEWER, token=logged_in["accessToken"]))["viewer"]

    assert registered["errors"] == logged_in["errors"] == []
    assert viewer == {"email": "newcomer@example.com", "name": "New Comer", "role": "CLIENT"}


async def test_graphiql_opens_in_a_browser(http):
    response = await http.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_the_root_path_leads_to_graphiql(http):
    response = await http.get("/")

    assert response.status_code in {302, 307}
    assert response.headers["location"] == "/graphql"


async def test_a_websocket_carries_the_token_in_connection_init(http, server):
    token = (await post(http, REGISTER))["register"]["accessToken"]
    connection, ws = await open_websocket(server)
    async with connection:
        assert (await ws.init(token))["type"] == "connection_ack"
        await ws.subscribe("1", VIEWER)

        result = await ws.receive()
        done = await ws.receive()

    assert result == {
        "id": "1",
        "type": "next",
        "payload": {
            "data": {
                "viewer": {"email": "newcomer@example.com", "name": "New Comer", "role": "CLIENT"}
            }
        },
    }
    assert done == {"id": "1", "type": "complete"}


async def test_an_anonymous_websocket_is_accepted_as_anonymous(http, server):
    connection, ws = await open_websocket(server)
    async with connection:
        assert (await ws.init())["type"] == "connection_ack"
        await ws.subscribe("1", VIEWER)

        result = await ws.receive()

    assert result["payload"] == {"data": {"viewer": None}}


async def test_a_websocket_with_a_bad_token_is_closed_forbidden(http, server):
    connection, ws = await open_websocket(server)
    async with connection:
        await ws.send({"type": "connection_init", "payload": {"authorization": "Bearer forged"}})

        assert await ws.close_code() == 4403


async def test_a_subscribe_before_connection_init_is_closed_unauthorized(http, server):
    connection, ws = await open_websocket(server)
    async with connection:
        await ws.subscribe("1", VIEWER)

        assert await ws.close_code() == 4401


async def test_a_second_connection_init_is_closed(http, server):
    connection, ws = await open_websocket(server)
    async with connection:
        await ws.init()
        await ws.send({"type": "connection_init", "payload": {}})

        assert await ws.close_code() == 4429


async def test_the_legacy_graphql_ws_protocol_is_off_by_default(http, server):
    url = server.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-ws"], open_timeout=5) as connection:
        with pytest.raises(ConnectionClosed) as closed:
            await connection.recv()

    assert connection.subprotocol is None
    assert closed.value.rcvd.code == 4406


async def test_two_worker_processes_share_one_database(settings: Settings, services):
    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "JWT_SECRET": TEST_SECRET,
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        "LOG_LEVEL": "WARNING",
    }
    with running_server(env, workers=2) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
            registered = (await post(http, REGISTER))["register"]
        results = []
        for _ in range(12):  # a fresh connection each time, so both workers take some
            async with httpx.AsyncClient(base_url=base_url, timeout=10) as fresh:
                results.append((await post(fresh, LOGIN))["login"])

    assert registered["errors"] == []
    assert [result["errors"] for result in results] == [[]] * 12

"""Pub/sub on both backends, and Redis servers of the tests' own for outages."""

import asyncio
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from redis.asyncio import Redis

from models.settings import Settings
from resolvers.pubsub import PubSub, Subscription
from tests.e2e.harness import free_port

REDIS_SERVER = shutil.which("redis-server")
needs_redis_server = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server not installed")


class RedisServer:
    """A redis-server on a free port, ours to kill and restart: never the shared one."""

    def __init__(self, directory: Path) -> None:
        assert REDIS_SERVER is not None
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        """Start (again, on the same port) and wait until it answers."""
        self.process = self._spawn()
        client = Redis.from_url(self.url)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    await client.ping()
                    return
                except Exception:
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        raise
                    await asyncio.sleep(0.02)
        finally:
            await client.aclose()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 -- a fixed command line of our own
            [
                REDIS_SERVER,
                *("--bind", "127.0.0.1", "--port", str(self.port), "--save", ""),
                *("--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        """Die the way a crashed or OOM-killed Redis does: no goodbye to any client."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def pause(self) -> None:
        """Stop answering without closing a socket, like a partition or a frozen host."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    """A Redis server of this test's own, running; killed after the test."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server not installed")
    server = RedisServer(tmp_path)
    await server.start()
    yield server
    server.resume()
    server.kill()


@pytest.fixture(scope="session")
async def shared_redis_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """`REDIS_URL` when set; otherwise a Redis server of this run's own (never restarted)."""
    if url := os.environ.get("REDIS_URL"):
        yield url
        return
    if REDIS_SERVER is None:
        pytest.skip("REDIS_URL unset and redis-server not installed")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    await server.start()
    yield server.url
    server.kill()


@pytest.fixture(params=["memory", "redis"])
def backend_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs once in memory and once on Redis."""
    if request.param == "memory":
        return "memory://"
    return request.getfixturevalue("shared_redis_url")


def pubsub_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "redis_url": None if url == "memory://" else url,
        "jwt_secret": "test-secret-" + "x" * 40,
        "pubsub_timeout_seconds": 1,
        "pubsub_ping_seconds": 5,
        "pubsub_reconnect_max_seconds": 0.4,
    }
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


MakePubSub = Callable[..., Awaitable[PubSub]]


@pytest.fixture
async def make_pubsub() -> AsyncIterator[MakePubSub]:
    """Connect a `PubSub` to a URL, with settings overridden; disconnect it after the test."""
    made: list[PubSub] = []

    async def make(url: str, **overrides: Any) -> PubSub:
        pubsub = PubSub(pubsub_settings(url, **overrides))
        await pubsub.connect()
        made.append(pubsub)
        return pubsub

    yield make
    for pubsub in made:
        await pubsub.disconnect()


def new_channel() -> str:
    """A channel no other test (or other engineer's run on the shared Redis) uses."""
    return f"gigstream-test:{uuid.uuid4().hex}"


async def receive(subscription: Subscription, count: int, within: float = 5) -> list[dict]:
    """The next `count` events, failing if they do not all arrive within `within` seconds."""
    events = []
    async with asyncio.timeout(within):
        async for event in subscription:
            events.append(event)
            if len(events) == count:
                break
    return events


async def eventually(condition: Callable[[], Any], within: float = 5) -> None:
    """Wait until `condition()` is true (awaiting it if it is a coroutine)."""
    deadline = time.monotonic() + within
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {within}s: {condition}")
        await asyncio.sleep(0.02)


async def numsub(url: str, channel: str) -> int:
    """How many connections Redis has subscribed to `channel`."""
    client = Redis.from_url(url)
    try:
        [(_name, count)] = await client.pubsub_numsub(channel)
        return count
    finally:
        await client.aclose()


async def unsubscribed(url: str, *channels: str) -> bool:
    """Whether no connection at all is subscribed to any of `channels` any more."""
    return all([await numsub(url, channel) == 0 for channel in channels])


@asynccontextmanager
async def serving(app: Any, *, lifespan: str = "off") -> AsyncIterator[str]:
    """`app` behind a real uvicorn on a free port, in this event loop; yields its base URL.

    With `lifespan="on"` the app starts its own services: one more instance, as a second
    process would be, sharing the database (and Redis, when set)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan=lifespan, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 -- uvicorn offers no event
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task

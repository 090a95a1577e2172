"""A Redis backend for broadcaster that survives what broadcaster's own does not.

broadcaster 0.3.1's `RedisBackend` wakes its listener before SUBSCRIBE completes; with
redis-py 8.1 the listener then finds no channel, stops and never listens again, so nothing is
delivered. Its listener also dies silently when the connection drops. This backend owns one raw
connection for listening, read by a single task that reconnects with backoff and re-subscribes
every live channel; `subscribe` returns only once Redis has confirmed the subscription, so a
subscriber that replays from the database after subscribing misses nothing in between.

It keeps broadcaster's `BroadcastBackend` interface (`subscribe`, `unsubscribe`, `publish`,
`next_published`) and adds what the fan-out above it needs: `healthy`, `ping`, and a `Gap`
event per channel re-subscribed after an outage, since events published meanwhile are lost.
"""

import asyncio
import logging
import random
from typing import Any

from broadcaster import BroadcastBackend, Event
from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from resolvers.cancellation import keeping_cancellation

logger = logging.getLogger("gigstream.pubsub")

RECONNECT_MIN_SECONDS = 0.1


class Gap(Event):
    """The channel was re-subscribed after an outage: events may have been missed."""

    def __init__(self, channel: str) -> None:
        super().__init__(channel=channel, message="")


def backoff_delay(failures: int, *, cap: float) -> float:
    """Seconds to wait before the next attempt: doubling from 0.1 s up to `cap`, jittered."""
    ceiling = min(cap, RECONNECT_MIN_SECONDS * 2 ** min(failures, 30))
    # Half fixed, half random: processes that lost Redis together do not return together.
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 -- jitter, not a secret


class RedisBackend(BroadcastBackend):
    """One listening connection per process, whatever the number of channels or subscribers."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 2,
        ping_seconds: float = 15,
        reconnect_max_seconds: float = 10,
    ) -> None:
        self._url = url
        self._timeout = timeout
        self._ping_seconds = ping_seconds
        self._reconnect_max = reconnect_max_seconds
        self._publisher: Redis | None = None
        self._reader: asyncio.Task[None] | None = None
        self._conn: AbstractConnection | None = None
        self._attempted = asyncio.Event()
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._channels: set[str] = set()  # wanted on the listening connection
        self._confirmed: set[str] = set()  # confirmed by Redis on the current connection
        self._interrupted: set[str] = set()  # lost with a connection, not yet confirmed again
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._down = False  # lost the connection, or never had it
        self.reconnects = 0
        self.failed_attempts = 0

    @property
    def healthy(self) -> bool:
        """Listening, with every channel that an outage interrupted subscribed again."""
        return self._conn is not None and not self._interrupted

    async def connect(self) -> None:
        # redis-py's retries (three, with seconds of backoff by default) would hide an outage
        # and stall callers: one immediate retry covers a connection a restart left stale, and
        # beyond that the reader does the reconnecting, with backoff, for everyone.
        self._publisher = Redis.from_url(
            self._url,
            socket_connect_timeout=self._timeout,
            socket_timeout=self._timeout,
            retry=Retry(NoBackoff(), 1),
        )
        self._reader = asyncio.create_task(self._read_forever(), name="pubsub-redis-reader")
        # Start-up waits for the first attempt, not for success: with Redis down the process
        # still starts, reports pub/sub down on /readyz, and keeps reconnecting.
        await self._attempted.wait()

    async def disconnect(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
            self._reader = None
        for waiters in self._waiters.values():
            for waiter in waiters:
                waiter.cancel()
        self._waiters.clear()
        self._channels.clear()
        self._confirmed.clear()
        self._interrupted.clear()
        self._conn = None
        self._down = False
        self._attempted = asyncio.Event()
        self._events = asyncio.Queue()
        if self._publisher is not None:
            await self._publisher.aclose()
            self._publisher = None

    async def subscribe(self, channel: str) -> None:
        """Subscribe the listening connection; return once Redis has confirmed it."""
        self._channels.add(channel)
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(channel, []).append(waiter)
        try:
            conn = self._conn
            if conn is not None and conn.is_connected:
                # A failed send is the reader's to notice; a new connection subscribes again.
                await self._send(conn, "SUBSCRIBE", channel)
            async with asyncio.timeout(self._timeout):
                await asyncio.shield(waiter)
        except BaseException:
            self._forget_waiter(channel, waiter)
            if not self._waiters.get(channel):
                await self.unsubscribe(channel)
            raise

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        self._interrupted.discard(channel)
        conn = self._conn
        if conn is not None and conn.is_connected:
            await self._send(conn, "UNSUBSCRIBE", channel)

    async def publish(self, channel: str, message: Any) -> None:
        assert self._publisher is not None, "connect() first"
        await self._publisher.publish(channel, message)

    async def next_published(self) -> Event:
        return await self._events.get()

    async def ping(self) -> None:
        """Raise unless the listener is connected and Redis answers a PING."""
        if not self.healthy:
            raise ConnectionError("not listening to Redis (reconnecting)")
        assert self._publisher is not None, "connect() first"
        async with asyncio.timeout(self._timeout):
            await self._publisher.ping()

    async def _send(self, conn: AbstractConnection, *args: str) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await conn.send_command(*args)
        except (RedisError, OSError, TimeoutError) as error:
            logger.info("pub/sub could not send %s: %r", args[0], error)

    def _forget_waiter(self, channel: str, waiter: asyncio.Future[None]) -> None:
        waiters = self._waiters.get(channel, [])
        if waiter in waiters:
            waiters.remove(waiter)
        if not waiters:
            self._waiters.pop(channel, None)

    async def _read_forever(self) -> None:
        """Listen; when the connection fails, wait (longer each time) and listen again."""
        while True:
            assert self._publisher is not None
            conn = self._publisher.connection_pool.make_connection()
            try:
                with keeping_cancellation():  # but not past disconnect()
                    try:
                        await self._listen(conn)
                    except Exception as error:  # whatever it was, the reader must live on
                        self._lost(conn, error)
            finally:
                if self._conn is conn:
                    self._conn = None
                self._attempted.set()
                await conn.disconnect(nowait=True)
            await asyncio.sleep(backoff_delay(self.failed_attempts, cap=self._reconnect_max))

    async def _listen(self, conn: AbstractConnection) -> None:
        async with asyncio.timeout(self._timeout):
            await conn.connect()
            # From here on `subscribe` sends its own SUBSCRIBE; every channel wanted before
            # is in this one. (A channel in both is confirmed twice, which does no harm.)
            self._conn = conn
            if self._channels:
                await conn.send_command("SUBSCRIBE", *sorted(self._channels))
        self._attempted.set()
        if self._down:
            self._down = False
            self.reconnects += 1
            logger.warning(
                "pub/sub reconnected to Redis after %d failed attempts; re-subscribing %d channels",
                self.failed_attempts,
                len(self._channels),
            )
        self.failed_attempts = 0
        ping_sent = False
        while True:
            # Idle for ping_seconds: PING; no answer within the timeout: the connection is dead
            # even if no FIN ever arrived (a partition, a paused server).
            wait = self._timeout if ping_sent else self._ping_seconds
            response = await conn.read_response(
                timeout=wait, push_request=True, disconnect_on_error=False
            )
            if response is None:
                if ping_sent:
                    raise TimeoutError(f"Redis did not answer PING within {wait}s")
                await conn.send_command("PING")
                ping_sent = True
                continue
            ping_sent = False
            self._handle(response)

    def _handle(self, response: Any) -> None:
        if not isinstance(response, list) or len(response) < 3:
            return  # the answer to our PING
        kind, channel = _text(response[0]), _text(response[1])
        if kind == "message":
            self._events.put_nowait(Event(channel=channel, message=_text(response[2])))
        elif kind == "subscribe":
            self._confirmed.add(channel)
            for waiter in self._waiters.pop(channel, []):
                if not waiter.done():
                    waiter.set_result(None)
            if channel in self._interrupted:
                self._interrupted.discard(channel)
                self._events.put_nowait(Gap(channel))
        elif kind == "unsubscribe":
            self._confirmed.discard(channel)

    def _lost(self, conn: AbstractConnection, error: Exception) -> None:
        was_listening = self._conn is conn
        self._conn = None
        self._down = True
        self._interrupted |= self._confirmed & self._channels
        self._confirmed.clear()
        unexpected = not isinstance(error, RedisError | OSError | TimeoutError)
        if was_listening:
            logger.warning(
                "pub/sub lost its Redis connection (%r); %d channels wait for reconnection",
                error,
                len(self._channels),
                exc_info=error if unexpected else None,
            )
            return
        self.failed_attempts += 1
        level = logging.WARNING if self.failed_attempts == 1 or unexpected else logging.INFO
        logger.log(
            level,
            "pub/sub cannot reach Redis (attempt %d, retrying with backoff): %r",
            self.failed_attempts,
            error,
            exc_info=error if unexpected else None,
        )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)

"""Presence: who is here, shared by every process, as leases that lapse unless refreshed.

A live `messageAdded` subscription holds a lease on its (conversation, user), so a message sent
meanwhile is not also stored as a notification; an open WebSocket holds one on its user, so the
connections of a user can be capped across processes (`admit_connection`). A key is present
while it has a lease.

In memory without `REDIS_URL`; with it, one sorted set per key of lease ids scored by when they
lapse (Redis's own clock, so processes need not agree on the time). Each process refreshes its
own leases every third of `PRESENCE_TTL_SECONDS`; a process that dies stops refreshing, and its
leases lapse by themselves. Presence is advisory: when Redis cannot answer, a key counts as
absent and a lease is not held, which costs a notification too many, never a lost one.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from models.settings import Settings
from resolvers.cancellation import keeping_cancellation

if TYPE_CHECKING:
    from resolvers.context import Context

logger = logging.getLogger("gigstream.presence")

NO_LIMIT = -1


def conversation_key(conversation_id: uuid.UUID, user_id: uuid.UUID) -> str:
    """Present while the user has a live `messageAdded` subscription on the conversation."""
    return f"presence:conversation:{conversation_id}:{user_id}"


def connections_key(user_id: uuid.UUID) -> str:
    """One lease per open WebSocket of the user."""
    return f"presence:connections:{user_id}"


@dataclass(frozen=True, slots=True)
class Lease:
    key: str
    id: str


class _Store(Protocol):
    async def acquire(self, key: str, lease_id: str, ttl: float, limit: int) -> bool: ...
    async def refresh(self, leases: Sequence[Lease], ttl: float) -> None: ...
    async def release(self, leases: Sequence[Lease]) -> None: ...
    async def counts(self, keys: Sequence[str]) -> list[int]: ...
    async def close(self) -> None: ...


class MemoryStore:
    """One process's presence: for a single process, and for tests."""

    def __init__(self) -> None:
        self._leases: dict[str, dict[str, float]] = {}

    async def acquire(self, key: str, lease_id: str, ttl: float, limit: int) -> bool:
        now = time.monotonic()
        leases = self._live(key, now)
        if limit != NO_LIMIT and len(leases) >= limit:
            return False
        self._leases.setdefault(key, {})[lease_id] = now + ttl
        return True

    async def refresh(self, leases: Sequence[Lease], ttl: float) -> None:
        until = time.monotonic() + ttl
        for lease in leases:
            self._leases.setdefault(lease.key, {})[lease.id] = until

    async def release(self, leases: Sequence[Lease]) -> None:
        for lease in leases:
            held = self._leases.get(lease.key)
            if held is not None:
                held.pop(lease.id, None)
                if not held:
                    del self._leases[lease.key]

    async def counts(self, keys: Sequence[str]) -> list[int]:
        now = time.monotonic()
        return [len(self._live(key, now)) for key in keys]

    async def close(self) -> None:
        self._leases.clear()

    def _live(self, key: str, now: float) -> dict[str, float]:
        leases = self._leases.get(key)
        if leases is None:
            return {}
        for lease_id in [lease_id for lease_id, until in leases.items() if until <= now]:
            del leases[lease_id]
        if not leases:
            del self._leases[key]
        return leases


# Each script reads the time from Redis: one clock for every process.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""
_ACQUIRE = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local limit = tonumber(ARGV[3])
if limit >= 0 and redis.call('ZCARD', KEYS[1]) >= limit then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
)
# Many leases in one call: KEYS[i] holds lease ARGV[i + 1], each for ARGV[1] ms.
_REFRESH = (
    _NOW
    + """
local ttl = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + ttl, ARGV[i + 1])
  redis.call('PEXPIRE', key, ttl)
end
return #KEYS
"""
)
# Leases per Redis call, to refresh or to release: a process holding thousands refreshes them
# in a few calls, each quick for Redis and a turn of the event loop apart, instead of a
# pipeline of thousands of commands that holds the loop while it is built and read.
LEASES_PER_CALL = 500
_COUNT = _NOW + "return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')\n"


class RedisStore:
    """Presence shared by every process on one Redis: a sorted set of leases per key."""

    def __init__(self, url: str, *, timeout: float) -> None:
        # As the pub/sub publisher: one immediate retry for a connection a restart left stale.
        self._redis = Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
        )
        self._acquire = self._redis.register_script(_ACQUIRE)
        self._refresh = self._redis.register_script(_REFRESH)
        self._count = self._redis.register_script(_COUNT)

    async def acquire(self, key: str, lease_id: str, ttl: float, limit: int) -> bool:
        return bool(await self._acquire(keys=[key], args=[lease_id, _ms(ttl), limit]))

    async def refresh(self, leases: Sequence[Lease], ttl: float) -> None:
        for start in range(0, len(leases), LEASES_PER_CALL):
            batch = leases[start : start + LEASES_PER_CALL]
            await self._refresh(
                keys=[lease.key for lease in batch],
                args=[_ms(ttl), *(lease.id for lease in batch)],
            )

    async def release(self, leases: Sequence[Lease]) -> None:
        # In batches on one connection: a process stopping with thousands of leases sent them
        # all at once, more commands in flight than the client's pool has connections.
        for start in range(0, len(leases), LEASES_PER_CALL):
            async with self._redis.pipeline(transaction=False) as pipe:
                for lease in leases[start : start + LEASES_PER_CALL]:
                    pipe.zrem(lease.key, lease.id)
                await pipe.execute()

    async def counts(self, keys: Sequence[str]) -> list[int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                await self._count(keys=[key], client=pipe)
            return [int(count) for count in await pipe.execute()]

    async def close(self) -> None:
        await self._redis.aclose()


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class Presence:
    """Leases on keys; a key is present while it has one. Refreshes this process's leases."""

    def __init__(self, settings: Settings, *, ttl: float | None = None) -> None:
        self.ttl = ttl if ttl is not None else settings.presence_ttl_seconds
        self._store: _Store = (
            RedisStore(settings.redis_url, timeout=settings.pubsub_timeout_seconds)
            if settings.redis_url
            else MemoryStore()
        )
        self._held: dict[Lease, None] = {}  # this process's leases, to refresh
        self._heartbeat: asyncio.Task[None] | None = None
        self._releasing: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._heartbeat = asyncio.create_task(self._refresh_forever(), name="presence-heartbeat")

    async def stop(self, *, release: bool = True) -> None:
        """Stop refreshing; release this process's leases unless `release` is False (a crash,
        in tests: the leases then lapse after the TTL)."""
        heartbeat, self._heartbeat = self._heartbeat, None
        if heartbeat is not None:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
        await asyncio.gather(*self._releasing, return_exceptions=True)
        held, self._held = list(self._held), {}
        if release and held:
            await self._release(held)
        await self._store.close()

    async def acquire(self, key: str, *, limit: int | None = None) -> Lease | None:
        """A new lease on `key`; None when `limit` leases are live on it already.

        Raises when the store cannot answer (Redis down): the caller decides what that means.
        """
        lease = Lease(key, uuid.uuid4().hex)
        allowed = NO_LIMIT if limit is None else limit
        if not await self._store.acquire(key, lease.id, self.ttl, allowed):
            return None
        self._held[lease] = None
        return lease

    def release(self, lease: Lease) -> None:
        """Give a lease up, now and without waiting: it is no longer refreshed, and removed from
        the store in the background (if that fails, it lapses after the TTL)."""
        if lease in self._held:
            del self._held[lease]
            self._release_soon(lease)

    async def present(self, keys: Sequence[str]) -> list[bool]:
        """Whether each key has a live lease, in any process; all False if the store is down."""
        if not keys:
            return []
        try:
            return [count > 0 for count in await self._store.counts(keys)]
        except Exception as error:
            logger.warning("presence could not be read; counting everyone absent: %r", error)
            return [False] * len(keys)

    async def take(self, key: str) -> Lease | None:
        """A new lease on `key`, to `release` when done; None if the store is down."""
        try:
            return await self.acquire(key)
        except Exception as error:
            logger.warning("presence could not take a lease on %s: %r", key, error)
            return None

    @asynccontextmanager
    async def holding(self, key: str) -> AsyncIterator[Lease | None]:
        """Be present on `key` until the block exits or the task running it ends, whichever
        comes first; if the store is down, the block runs without.

        The task's end counts because a subscription's stream that is cancelled between two
        events is left suspended at a `yield`, to be closed only by the garbage collector.
        """
        lease = await self.take(key)
        task = asyncio.current_task()
        if lease is None or task is None:
            yield lease
            return

        def on_task_done(_task: asyncio.Task[object]) -> None:
            self.release(lease)

        task.add_done_callback(on_task_done)
        try:
            yield lease
        finally:
            task.remove_done_callback(on_task_done)
            self.release(lease)

    @property
    def held(self) -> int:
        """Leases this process holds."""
        return len(self._held)

    async def _release(self, leases: Sequence[Lease]) -> None:
        try:
            await self._store.release(leases)
        except Exception as error:
            logger.warning(
                "presence could not release %d leases, %s first (they will lapse): %r",
                len(leases),
                leases[0].key,
                error,
            )

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            leases = list(self._held)
            if not leases:
                continue
            with keeping_cancellation():  # stop() waits for this loop to end
                try:
                    await self._store.refresh(leases, self.ttl)
                except Exception as error:
                    logger.warning("presence could not refresh %d leases: %r", len(leases), error)
            # A lease released while the refresh ran was written back: remove it again.
            for lease in leases:
                if lease not in self._held:
                    self._release_soon(lease)

    def _release_soon(self, lease: Lease) -> None:
        task = asyncio.ensure_future(self._release([lease]))
        self._releasing.add(task)
        task.add_done_callback(self._releasing.discard)


async def admit_connection(ctx: Context) -> bool:
    """Take one of the viewer's WebSocket seats until the connection's context closes; False
    when `WS_MAX_CONNECTIONS_PER_USER` are taken already, in any process.

    Anonymous connections are not counted, and a store that cannot answer lets everyone in.
    """
    if ctx.viewer_id is None:
        return True
    presence = ctx.services.presence
    key, limit = connections_key(ctx.viewer_id), ctx.settings.ws_max_connections_per_user
    try:
        lease = await presence.acquire(key, limit=limit)
    except Exception as error:
        logger.warning("presence could not count connections; letting one in: %r", error)
        return True
    if lease is None:
        return False

    async def release() -> None:
        presence.release(lease)

    ctx.on_close(release)
    return True

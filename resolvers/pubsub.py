"""Publish/subscribe for live events: in memory by default, Redis when `REDIS_URL` is set.

Events are small JSON objects (ids, not rows) on channel names built by the server; a subscriber
reloads what it shows. Each process holds one backend subscription per channel, however many
local subscribers it has, and fans events out to them itself.

Why not broadcaster's `Broadcast` for the fan-out: three of the faults it has in 0.3.1 are in
that class, not in a backend. Its `subscribe` checks for a channel and sets it across an await,
so concurrent first subscribers overwrite each other (and later fail with `KeyError`); its
per-subscriber queues are unbounded and its listener awaits each `put`, so bounding them would
let one slow client stall every other; and its listener task dies silently. So this module does
the fan-out, on broadcaster's `BroadcastBackend` interface: broadcaster's own `MemoryBackend`
for `memory://`, and `resolvers.pubsub_redis.RedisBackend` (which replaces broadcaster's, which
delivers nothing with redis-py 8.1) for Redis.

- A per-channel task reconciles "has local subscribers" with "backend subscribed", one step at a
  time, so joining and leaving are plain dictionary updates that no race or cancellation can
  leave half done.
- `subscribe` returns once the backend has confirmed the subscription: subscribe first, then
  replay from the database after the client's cursor, and nothing falls in between.
- Every subscriber has a bounded queue. One that falls behind is dropped and its stream ends
  with `SubscriberLagged`; the client resumes from its last cursor. Nobody else waits for it.
- `publish` never raises: it runs after a commit, so the change stands; a failure is logged
  and counted in `failed_publishes`, and clients catch up from the database.
- When Redis drops, the backend reconnects with backoff and re-subscribes every live channel;
  `ping` (so /readyz) reports pub/sub down meanwhile. Events published during the outage are
  lost to live streams: a subscriber that passes `gaps=True` receives `GAP` after the channel is
  back, and reloads from its cursor.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from broadcaster import BroadcastBackend, Event
from broadcaster._backends.memory import MemoryBackend

from models.settings import Settings
from resolvers.cancellation import keeping_cancellation
from resolvers.pubsub_redis import Gap, RedisBackend

logger = logging.getLogger("gigstream.pubsub")

GAP: dict[str, Any] = {"gap": True}
"""What a `gaps=True` subscriber receives when events may have been missed (after an outage)."""


class PubSubUnavailable(ConnectionError):
    """Pub/sub cannot serve a subscription now; retry shortly."""


class SubscriberLagged(Exception):
    """A subscriber fell too far behind its channel, so its stream was ended."""

    def __init__(self, channel: str, limit: int) -> None:
        super().__init__(
            f"You fell behind: more than {limit} events were waiting for you. "
            "Resume from your last cursor."
        )
        self.channel = channel


class _GapMarker:
    """Queued in place of an event; never shared with a publisher's payloads."""


_GAP = _GapMarker()


class Subscription:
    """One subscriber's stream: an async iterator of events that ends with an error if it lags.

    Its queue is a plain list and a future made only while the reader waits: a server holds
    thousands of these, and an `asyncio.Queue` (four deques and an event) costs some 3 KB
    each even when empty.
    """

    __slots__ = ("_ended", "_items", "_waiter", "channel", "gaps", "limit")

    def __init__(self, channel: str, *, limit: int, gaps: bool) -> None:
        self.channel = channel
        self.gaps = gaps
        self.limit = limit
        self._items: list[str | _GapMarker | BaseException] = []
        self._waiter: asyncio.Future[None] | None = None
        self._ended = False

    @property
    def pending(self) -> int:
        """Events received but not yet read."""
        return len(self._items)

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> dict[str, Any]:
        while not self._ended:
            while not self._items:
                self._waiter = asyncio.get_running_loop().create_future()
                try:
                    await self._waiter
                finally:
                    self._waiter = None
            item = self._items.pop(0)
            if isinstance(item, BaseException):
                self._ended = True
                raise item
            if item is _GAP:
                return dict(GAP)
            try:
                # Parsed here, once per subscriber: each gets its own dict to keep or change.
                return json.loads(item)  # type: ignore[arg-type]
            except ValueError:
                logger.warning("pub/sub dropped a message on %s that is not JSON", self.channel)
        raise StopAsyncIteration

    def _offer(self, item: str | _GapMarker) -> bool:
        if 0 < self.limit <= len(self._items):
            return False
        self._items.append(item)
        self._wake()
        return True

    def _end(self, error: BaseException) -> None:
        """Drop what is queued (freeing it now) and make the next read raise `error`."""
        self._items[:] = [error]
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


@dataclass(eq=False)
class _Channel:
    ready: asyncio.Future[None]
    subscribers: set[Subscription] = field(default_factory=set)
    error: BaseException | None = None


class PubSub:
    """Small JSON events on server-built channel names; subscribers reload what they show."""

    def __init__(self, settings: Settings, *, backend: BroadcastBackend | None = None) -> None:
        self.url = settings.redis_url or "memory://"
        self._limit = settings.pubsub_queue_size
        self._timeout = settings.pubsub_timeout_seconds
        self._backend = backend or _create_backend(settings)
        self._channels: dict[str, _Channel] = {}
        self._subscribed: set[str] = set()  # channels the backend is subscribed to
        self._syncing: dict[str, asyncio.Task[None]] = {}
        self._listener: asyncio.Task[None] | None = None
        self.failed_publishes = 0
        self.lagged_subscribers = 0

    async def connect(self) -> None:
        await self._backend.connect()
        self._listener = asyncio.create_task(self._listen(), name="pubsub-fan-out")

    async def disconnect(self) -> None:
        """Stop listening; every open stream ends with `PubSubUnavailable`."""
        listener, self._listener = self._listener, None
        tasks = [task for task in (listener, *self._syncing.values()) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._syncing.clear()
        stopped = "pub/sub stopped (the server is shutting down); resume from your last cursor"
        for state in self._channels.values():
            state.error = PubSubUnavailable(stopped)
            if not state.ready.done():
                state.ready.set_result(None)
            for subscription in state.subscribers:
                subscription._end(PubSubUnavailable(stopped))
        self._channels.clear()
        self._subscribed.clear()
        await self._backend.disconnect()

    async def publish(self, channel: str, event: dict[str, Any]) -> bool:
        """Send an event to every subscriber of `channel`, in any process; False if it failed.

        Never raises an error: callers publish after their commit, so the change stands either
        way and clients catch up from the database. A failure is logged and counted. A
        cancellation of the caller does propagate, whatever the backend made of it.
        """
        with keeping_cancellation():
            try:
                message = json.dumps(event, separators=(",", ":"))
                async with asyncio.timeout(self._timeout):
                    await self._backend.publish(channel, message)
            except Exception as error:
                self.failed_publishes += 1
                logger.warning(
                    "pub/sub could not publish on %s (%d failed so far): %r",
                    channel,
                    self.failed_publishes,
                    error,
                    exc_info=isinstance(error, TypeError | ValueError),  # a bug: not JSON
                )
                return False
        return True

    @asynccontextmanager
    async def subscribe(self, channel: str, *, gaps: bool = False) -> AsyncIterator[Subscription]:
        """Listen to `channel` until the block exits; raise `PubSubUnavailable` if we cannot.

        The stream yields event dicts; it raises `SubscriberLagged` when this subscriber falls
        more than `PUBSUB_QUEUE_SIZE` events behind. With `gaps=True` it also yields `GAP`
        when events may have been missed (pub/sub reconnected after an outage).
        """
        subscription = await self.open(channel, gaps=gaps)
        try:
            yield subscription
        finally:
            self.close(subscription)

    async def open(self, channel: str, *, gaps: bool = False) -> Subscription:
        """`subscribe` for a stream that is an object rather than a block: the caller must
        `close` what it opened, and may close it more than once."""
        subscription = Subscription(channel, limit=self._limit, gaps=gaps)
        await self._join(subscription)
        return subscription

    def close(self, subscription: Subscription) -> None:
        """Stop listening for `subscription`; its channel is left once nobody listens."""
        self._leave(subscription)

    async def ping(self) -> None:
        """Raise unless pub/sub can deliver events now."""
        if self._listener is None or self._listener.done():
            raise PubSubUnavailable("pub/sub is not connected")
        ping = getattr(self._backend, "ping", None)
        if ping is not None:
            try:
                await ping()
            except Exception as error:
                raise PubSubUnavailable(f"pub/sub is down: {error}") from error

    @property
    def healthy(self) -> bool:
        """Listening, with every live channel subscribed: what `ping` checks, without waiting."""
        listening = self._listener is not None and not self._listener.done()
        return listening and getattr(self._backend, "healthy", True)

    @property
    def channel_count(self) -> int:
        return len(self._channels)

    @property
    def subscriber_count(self) -> int:
        return sum(len(state.subscribers) for state in self._channels.values())

    @property
    def queued_events(self) -> int:
        """Events waiting in subscribers' queues: at most `PUBSUB_QUEUE_SIZE` per subscriber."""
        return sum(
            subscription.pending
            for state in self._channels.values()
            for subscription in state.subscribers
        )

    @property
    def reconnects(self) -> int:
        return getattr(self._backend, "reconnects", 0)

    async def _join(self, subscription: Subscription) -> None:
        if self._listener is None:
            raise PubSubUnavailable("pub/sub is not connected")
        channel = subscription.channel
        state = self._channels.get(channel)
        if state is None:
            state = self._channels[channel] = _Channel(asyncio.get_running_loop().create_future())
        state.subscribers.add(subscription)
        self._sync(channel)
        try:
            # Shielded: one subscriber giving up must not cancel the others' subscription.
            await asyncio.shield(state.ready)
        except BaseException:
            self._leave(subscription)
            raise
        if state.error is not None:
            self._leave(subscription)
            raise PubSubUnavailable(
                f"cannot subscribe now ({state.error}); retry shortly"
            ) from state.error

    def _leave(self, subscription: Subscription) -> None:
        state = self._channels.get(subscription.channel)
        if state is None or subscription not in state.subscribers:
            return
        state.subscribers.discard(subscription)
        if not state.subscribers:
            del self._channels[subscription.channel]
            self._sync(subscription.channel)

    def _sync(self, channel: str) -> None:
        """Make sure a task is bringing the backend's subscription to `channel` up to date."""
        if self._listener is not None and channel not in self._syncing:
            self._syncing[channel] = asyncio.create_task(
                self._reconcile(channel), name=f"pubsub-sync:{channel}"
            )

    async def _reconcile(self, channel: str) -> None:
        """Subscribe or unsubscribe the backend, one step at a time, until it matches."""
        try:
            while True:
                state = self._channels.get(channel)
                subscribed = channel in self._subscribed
                if state is not None and subscribed:
                    if not state.ready.done():
                        state.ready.set_result(None)
                    return
                if state is None and not subscribed:
                    return
                if state is None:
                    self._subscribed.discard(channel)
                    try:
                        await self._backend.unsubscribe(channel)
                    except Exception as error:
                        logger.warning("pub/sub could not unsubscribe %s: %r", channel, error)
                    continue
                try:
                    await self._backend.subscribe(channel)
                except Exception as error:
                    logger.warning("pub/sub could not subscribe %s: %r", channel, error)
                    state.error = error
                    if not state.ready.done():
                        state.ready.set_result(None)
                    if self._channels.get(channel) is state:
                        del self._channels[channel]
                    continue
                self._subscribed.add(channel)
        finally:
            if self._syncing.get(channel) is asyncio.current_task():
                del self._syncing[channel]

    async def _listen(self) -> None:
        while True:
            try:
                self._deliver(await self._backend.next_published())
            except Exception:
                logger.exception("pub/sub fan-out failed; listening on")
                await asyncio.sleep(1)

    def _deliver(self, event: Event) -> None:
        state = self._channels.get(event.channel)
        if state is None:
            return
        gap = isinstance(event, Gap)
        item: str | _GapMarker = _GAP if gap else event.message
        for subscription in list(state.subscribers):
            if gap and not subscription.gaps:
                continue
            if not subscription._offer(item):
                self._drop_lagging(subscription)

    def _drop_lagging(self, subscription: Subscription) -> None:
        self.lagged_subscribers += 1
        logger.info(
            "pub/sub ended a subscriber on %s that fell %d events behind",
            subscription.channel,
            subscription.limit,
        )
        self._leave(subscription)
        subscription._end(SubscriberLagged(subscription.channel, subscription.limit))


def _create_backend(settings: Settings) -> BroadcastBackend:
    if settings.redis_url:
        return RedisBackend(
            settings.redis_url,
            timeout=settings.pubsub_timeout_seconds,
            ping_seconds=settings.pubsub_ping_seconds,
            reconnect_max_seconds=settings.pubsub_reconnect_max_seconds,
        )
    return MemoryBackend("memory://")

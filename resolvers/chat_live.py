"""Chat's live streams: replay from a cursor, then go live; each event reloaded for the viewer."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import bindparam, select

from models.chat import ConversationParticipant, Message
from models.errors import DomainError, ErrorCode
from models.user import User
from resolvers.chat import (
    _not_found,
    decode_message_cursor,
    message_channel,
    read_channel,
    require_conversation,
    typing_channel,
    visible_conversation,
)
from resolvers.chat_typing import TYPING_TIMEOUT_SECONDS
from resolvers.loaders import USERS
from resolvers.presence import Lease, conversation_key
from resolvers.pubsub import PubSubUnavailable, SubscriberLagged, Subscription

if TYPE_CHECKING:
    from resolvers.context import Context

REPLAY_BATCH = 100
T = TypeVar("T")


_pending: set[asyncio.Task[Any]] = set()


async def in_fresh(ctx: Context, read: Callable[[Context], Awaitable[T]]) -> T:
    """Run `read` in a short-lived context for the same viewer: a stream must not hold a
    session open. Shielded: a client leaving mid-query must not cut a database call in
    half (that leaves the connection in a transaction, and on SQLite the write lock held);
    the call finishes and closes its session in the background instead."""
    from resolvers.context import Context as ContextType

    async def run() -> T:
        child = ContextType(ctx.services, viewer_id=ctx.viewer_id, auth_error=ctx.auth_error)
        try:
            return await read(child)
        finally:
            await child.close()

    task = asyncio.ensure_future(run())
    _pending.add(task)
    task.add_done_callback(_pending.discard)
    return await asyncio.shield(task)


class StreamEnded(DomainError):
    """A live stream cannot go on; the client resumes from its last cursor."""


async def _authorized_seq(ctx: Context, conversation_id: uuid.UUID, after: str | None) -> int:
    """Where the stream starts: the cursor's position, or (live only) the newest message."""

    async def read(child: Context) -> int:
        conversation = await require_conversation(child, conversation_id=conversation_id)
        if after is None:
            return conversation.message_count
        return decode_message_cursor(after, conversation, field="after")

    return await in_fresh(ctx, read)


async def _still_visible(ctx: Context, conversation_id: uuid.UUID) -> bool:
    async def read(child: Context) -> bool:
        return await visible_conversation(child, conversation_id=conversation_id) is not None

    return await in_fresh(ctx, read)


_MESSAGES_AFTER = (
    select(Message)
    .where(
        Message.conversation_id == bindparam("conversation_id"),
        Message.seq > bindparam("seq"),
    )
    .order_by(Message.seq)
    .limit(REPLAY_BATCH)
)
# The same read for a live event, with the viewer's seat checked in the same statement: the
# rows come back only while the viewer is an active participant and their account stands.
_SEATED = (
    select(ConversationParticipant.id)
    .join(User, User.id == ConversationParticipant.user_id)
    .where(
        ConversationParticipant.conversation_id == bindparam("conversation_id"),
        ConversationParticipant.user_id == bindparam("viewer_id"),
        ConversationParticipant.removed_at.is_(None),
        User.deactivated_at.is_(None),
    )
)
_LIVE_MESSAGES_AFTER = _MESSAGES_AFTER.where(_SEATED.exists())


async def _messages_after(
    ctx: Context, conversation_id: uuid.UUID, seq: int, *, recheck: bool = False
) -> list[Message] | None:
    """The next batch after `seq`; with `recheck`, None if the viewer may no longer see the
    conversation. This runs for every live event: for a participant it is one statement."""
    parameters = {"conversation_id": conversation_id, "seq": seq}
    seated = recheck and ctx.viewer_id is not None and ctx.auth_error is None
    statement = _LIVE_MESSAGES_AFTER if seated else _MESSAGES_AFTER
    if seated:
        parameters["viewer_id"] = ctx.viewer_id

    async def read(child: Context) -> list[Message]:
        if not child.settings.is_sqlite:
            # Reads only, each a statement of its own: no BEGIN and ROLLBACK around them.
            await child.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        batch = list(await child.session.scalars(statement, parameters))
        await _prime_senders(ctx, child, batch)
        return batch

    batch = await in_fresh(ctx, read)
    if batch or not recheck:
        return batch
    # Nothing: nothing new, or no seat (an admin of a disputed order's conversation, or
    # access lost). The whole rule decides which, and reads again if the viewer may see it.
    if not await _still_visible(ctx, conversation_id):
        return None
    return await in_fresh(ctx, lambda child: _scalars(child, _MESSAGES_AFTER, conversation_id, seq))


async def _prime_senders(ctx: Context, child: Context, batch: list[Message]) -> None:
    """Load the senders the connection has not seen yet into its user loader, in the session
    that read the batch: `Message.sender` then finds them there, instead of checking out a
    connection of its own (a pool checkout pings the database) for each delivered message."""
    loader = ctx.loaders.user_by_id
    missing = {
        message.sender_id
        for message in batch
        if message.sender_id is not None and not loader.holds(message.sender_id)
    }
    if not missing:
        return
    statement = USERS.on(sqlite=child.settings.is_sqlite)
    loader.hold(
        (row.id, row) for row in await child.session.rows(statement, {"keys": list(missing)})
    )


async def _scalars(
    ctx: Context, statement: Any, conversation_id: uuid.UUID, seq: int
) -> list[Message]:
    rows = await ctx.session.scalars(statement, {"conversation_id": conversation_id, "seq": seq})
    return list(rows)


class MessageStream:
    """Messages after `after` from the database, then live ones: each once, in `seq` order.

    An object rather than an async generator, as `schema.subscriptions.Released` explains:
    what a subscription holds between events is this, its pub/sub `Subscription` and its
    presence lease. Close it (`aclose`) when done; the task that opened it ending closes it
    too, so a stream abandoned between two events does not wait for the garbage collector to
    give its channel and its lease back.
    """

    __slots__ = (
        "_after",
        "_batch",
        "_closed",
        "_conversation_id",
        "_ctx",
        "_events",
        "_last",
        "_lease",
        "_more",
        "_recheck",
        "_task",
    )

    def __init__(self, ctx: Context, *, conversation_id: uuid.UUID, after: str | None) -> None:
        self._ctx = ctx
        self._conversation_id = conversation_id
        self._after = after
        self._events: Subscription | None = None
        self._lease: Lease | None = None
        self._task: asyncio.Task[Any] | None = None
        self._last = 0
        self._batch: list[Message] = []
        self._more = True  # read the database before waiting for an event
        self._recheck = False  # re-check the viewer's access with each read
        self._closed = False

    def __aiter__(self) -> MessageStream:
        return self

    async def __anext__(self) -> Message:
        if self._closed:
            raise StopAsyncIteration
        if self._events is None:
            await self._open()
        while not self._batch:
            if not self._more:
                event = await next_event(self._events)
                seq = event.get("seq")
                if not event.get("gap") and (not isinstance(seq, int) or seq <= self._last):
                    continue
                # The new message, or after a gap (pub/sub reconnected) or a skipped seq the
                # missing ones too: read back from the database, the viewer's access re-checked.
                self._more, self._recheck = True, True
            batch = await _messages_after(
                self._ctx, self._conversation_id, self._last, recheck=self._recheck
            )
            if batch is None:
                raise _not_found()
            self._more = len(batch) >= REPLAY_BATCH
            batch.reverse()
            self._batch = batch
        message = self._batch.pop()
        self._last = message.seq
        return message

    async def _open(self) -> None:
        ctx = self._ctx
        # Live only (no `after`), the stream starts from what exists now, read BEFORE
        # subscribing: a message committed while the subscription is being set up is
        # replayed, not skipped as if replay had covered it.
        self._last = await _authorized_seq(ctx, self._conversation_id, self._after)
        # Present while live, so a message sent meanwhile is not also stored as a notification.
        key = conversation_key(self._conversation_id, ctx.viewer_id)  # type: ignore[arg-type]
        self._lease = await ctx.services.presence.take(key)
        task = self._task = asyncio.current_task()
        if task is not None:
            task.add_done_callback(self._on_task_done)
        try:
            # Subscribed first, so a message committed from here on is both in the database
            # and on the channel; replay what is in the database, then skip what it covered.
            self._events = await ctx.services.broadcast.open(
                message_channel(self._conversation_id), gaps=True
            )
        except PubSubUnavailable as error:
            self._close()
            raise StreamEnded(str(error), code=ErrorCode.PUBSUB_UNAVAILABLE) from None

    def _on_task_done(self, _task: asyncio.Task[Any]) -> None:
        self._close()

    def _close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._batch = []
        task, self._task = self._task, None
        if task is not None:
            task.remove_done_callback(self._on_task_done)
        events, self._events = self._events, None
        if events is not None:
            self._ctx.services.broadcast.close(events)
        lease, self._lease = self._lease, None
        if lease is not None:
            self._ctx.services.presence.release(lease)

    async def aclose(self) -> None:
        self._close()


@asynccontextmanager
async def listening(ctx: Context, channel: str) -> AsyncIterator[Any]:
    """The channel's events; PUBSUB_UNAVAILABLE when pub/sub cannot take the subscription."""
    try:
        async with ctx.services.broadcast.subscribe(channel, gaps=True) as events:
            yield events
    except PubSubUnavailable as error:
        raise StreamEnded(str(error), code=ErrorCode.PUBSUB_UNAVAILABLE) from None


async def next_event(events: Any) -> dict[str, Any]:
    """The channel's next event; a stream that cannot go on ends with a code to act on:
    STREAM_LAGGED (resume from the last cursor now) or PUBSUB_UNAVAILABLE (shortly)."""
    try:
        return await events.__anext__()
    except SubscriberLagged as error:
        raise StreamEnded(str(error), code=ErrorCode.STREAM_LAGGED) from None
    except PubSubUnavailable as error:
        raise StreamEnded(str(error), code=ErrorCode.PUBSUB_UNAVAILABLE) from None


async def read_stream(ctx: Context, *, conversation_id: uuid.UUID) -> AsyncIterator[dict[str, Any]]:
    """Read receipts of a conversation: `{user, message, seq, at}` as ids and values."""
    await _authorized_seq(ctx, conversation_id, None)
    async with listening(ctx, read_channel(conversation_id)) as events:
        while True:
            event = await next_event(events)
            if event.get("gap"):
                continue
            if not await _still_visible(ctx, conversation_id):
                raise _not_found()
            yield event


async def typing_stream(
    ctx: Context, *, conversation_id: uuid.UUID
) -> AsyncIterator[tuple[uuid.UUID, bool]]:
    """Who starts and stops typing; someone not heard from for 5 s is reported stopped."""
    await _authorized_seq(ctx, conversation_id, None)
    deadlines: dict[uuid.UUID, float] = {}
    loop = asyncio.get_running_loop()
    async with listening(ctx, typing_channel(conversation_id)) as events:
        while True:
            now = loop.time()
            for user_id in [u for u, at in deadlines.items() if at <= now]:
                del deadlines[user_id]
                yield user_id, False
            wait = min(deadlines.values()) - now if deadlines else None
            try:
                # The subscription's own `__anext__`: a queue read, safe to time out.
                async with asyncio.timeout(wait):
                    event = await next_event(events)
            except TimeoutError:
                continue
            try:
                user_id, is_typing = uuid.UUID(event["user"]), bool(event["isTyping"])
            except (KeyError, TypeError, ValueError):
                continue  # a gap, or not an event of ours
            if is_typing:
                refresh = user_id in deadlines
                deadlines[user_id] = loop.time() + TYPING_TIMEOUT_SECONDS
                if refresh:
                    continue
            elif deadlines.pop(user_id, None) is None:
                continue
            yield user_id, is_typing

"""Subscriptions: authorized before any event, then each event reloaded for the viewer."""

import asyncio
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from datetime import datetime
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types import Info

from models.errors import DomainError, NotAuthenticated
from models.types import utcnow
from resolvers import chat, chat_live, live
from resolvers.context import Context
from schema.chat import Message, conversation_key
from schema.ids import id_of
from schema.notifications import Notification
from schema.orders import OrderEvent
from schema.relay import encode_id
from schema.users import User

T = TypeVar("T")


@strawberry.type(description="Someone started or stopped typing; never stored.")
class TypingEvent:
    _user_id: strawberry.Private[Any]
    _conversation_id: strawberry.Private[Any]
    is_typing: bool

    @strawberry.field
    def conversation_id(self) -> strawberry.ID:
        return encode_id("Conversation", self._conversation_id)

    @strawberry.field
    def user(self, info: Info[Context, None]) -> User | None:
        return info.context.loaders.user_by_id.load(self._user_id)  # type: ignore[return-value]


@strawberry.type(description="A participant read a conversation up to a message.")
class ReadReceipt:
    _user_id: strawberry.Private[Any]
    _conversation_id: strawberry.Private[Any]
    _message_id: strawberry.Private[Any]
    at: datetime

    @strawberry.field
    def conversation_id(self) -> strawberry.ID:
        return encode_id("Conversation", self._conversation_id)

    @strawberry.field
    def user(self, info: Info[Context, None]) -> User | None:
        return info.context.loaders.user_by_id.load(self._user_id)  # type: ignore[return-value]

    @strawberry.field
    async def last_read_message(self, info: Info[Context, None]) -> Message | None:
        # Through the connection's session, like `user`: on SQLite a second session would
        # wait for the write lock the first holds until this item is sent.
        loader = chat.chat_loaders(info.context).message_by_id
        return await loader.load(self._message_id)  # type: ignore[return-value]


class Released(Generic[T]):
    """`stream`, each item followed by the end of the transaction its fields opened on the
    connection's session (a WebSocket's context lives as long as the socket, and on SQLite an
    open transaction holds the write lock); closed as soon as the subscription ends.

    The stream ends with UNAUTHENTICATED when the access token the connection was opened
    with expires: the client reconnects with a fresh one and resumes from its cursor.

    An object, not an async generator: a server holds thousands of subscriptions, and each
    generator layer costs a frame, a finalizer's weak reference and its close machinery,
    walked by every full garbage collection for the life of the subscription.
    """

    __slots__ = ("_ctx", "_delivered", "_stream")

    def __init__(self, ctx: Context, stream: AsyncIterator[T]) -> None:
        self._ctx = ctx
        self._stream: AsyncIterator[T] | None = stream
        self._delivered = False

    def __aiter__(self) -> "Released[T]":
        return self

    async def __anext__(self) -> T:
        stream = self._stream
        if stream is None:
            raise StopAsyncIteration
        if self._delivered:
            # The previous item has been sent: end the transaction its fields opened.
            self._delivered = False
            await self._ctx.rollback()
        deadline = _until_token_expiry(self._ctx)
        try:
            async with deadline:
                item = await anext(stream)
        except TimeoutError:
            if not deadline.expired():
                raise
            await self.aclose()
            message = "Access token expired: reconnect with a fresh one"
            raise NotAuthenticated(message) from None
        except BaseException:
            await self.aclose()
            raise
        self._delivered = True
        return item

    async def aclose(self) -> None:
        stream, self._stream = self._stream, None
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()


def _released(ctx: Context, stream: AsyncIterator[T]) -> aclosing[Released[T]]:
    """`Released(ctx, stream)` for `async with _released(ctx, stream) as items`: a generator
    that stops iterating another does not close it, and an unclosed stream holds its
    pub/sub channel until the garbage collector finds it."""
    return aclosing(Released(ctx, stream))


async def _refused(error: Exception) -> AsyncIterator[Any]:
    """A stream that fails at its first item, as a generator that checks its arguments does."""
    raise error
    yield  # pragma: no cover -- makes this a generator


def _until_token_expiry(ctx: Context) -> asyncio.Timeout:
    expires_at = ctx.access_expires_at
    if expires_at is None:
        return asyncio.timeout(None)
    loop = asyncio.get_running_loop()
    return asyncio.timeout_at(loop.time() + (expires_at - utcnow()).total_seconds())


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="New messages; with `after` (a message cursor) the missed ones first, in "
        "order, then live ones: no gap, no duplicate."
    )
    def message_added(
        self, info: Info[Context, None], conversation_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[Message, None]:
        # The stream itself, not a generator over it: one object per live subscription.
        try:
            key = conversation_key(conversation_id)
        except DomainError as error:
            return _refused(error)  # type: ignore[return-value]
        stream = chat_live.MessageStream(info.context, conversation_id=key, after=after)
        return Released(info.context, stream)  # type: ignore[return-value]

    @strawberry.subscription(description="Who is typing; stopped after 5 s without a refresh.")
    async def typing(
        self, info: Info[Context, None], conversation_id: strawberry.ID
    ) -> AsyncGenerator[TypingEvent, None]:
        key = conversation_key(conversation_id)
        stream = chat_live.typing_stream(info.context, conversation_id=key)
        async with _released(info.context, stream) as changes:
            async for user_id, is_typing in changes:
                yield TypingEvent(_user_id=user_id, _conversation_id=key, is_typing=is_typing)

    @strawberry.subscription(description="Read receipts of a conversation.")
    async def conversation_read(
        self, info: Info[Context, None], conversation_id: strawberry.ID
    ) -> AsyncGenerator[ReadReceipt, None]:
        key = conversation_key(conversation_id)
        stream = chat_live.read_stream(info.context, conversation_id=key)
        async with _released(info.context, stream) as events:
            async for event in events:
                yield ReadReceipt(
                    _user_id=uuid.UUID(event["user"]),
                    _conversation_id=key,
                    _message_id=uuid.UUID(event["message"]),
                    at=datetime.fromisoformat(event["at"]),
                )

    @strawberry.subscription(description="One order's changes, or every order of yours.")
    async def order_updated(
        self, info: Info[Context, None], order_id: strawberry.ID | None = None
    ) -> AsyncGenerator[OrderEvent, None]:
        key = None if order_id is None else id_of(order_id, "Order", field="orderId")
        stream = live.order_stream(info.context, order_id=key)
        async with _released(info.context, stream) as events:
            async for event in events:
                yield event  # type: ignore[misc]

    @strawberry.subscription(description="The viewer's new notifications, as they are stored.")
    async def notification_added(
        self, info: Info[Context, None]
    ) -> AsyncGenerator[Notification, None]:
        stream = live.notification_stream(info.context)
        async with _released(info.context, stream) as notifications:
            async for notification in notifications:
                yield notification  # type: ignore[misc]

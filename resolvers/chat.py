"""Chat: inquiries about gigs, who may read a conversation, message cursors, read markers, and
the chat queries. Sending is in `chat_send`, typing in `chat_typing`, live streams in
`chat_live`."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
import weakref
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from strawberry.dataloader import DataLoader

from models.audit import AuditLog
from models.catalog import Gig
from models.chat import (
    Conversation,
    ConversationKind,
    ConversationParticipant,
    Message,
    MessageAttachment,
    inquiry_key,
)
from models.errors import ErrorCode, NotFound, ValidationFailed
from models.file import StoredFile
from models.order import Order, OrderStatus
from models.types import UTCDateTime, utcnow
from resolvers.pagination import Ordering, Page, SortKey, page_size

if TYPE_CHECKING:
    from resolvers.context import Context


ACTIVITY = func.coalesce(Conversation.last_message_at, Conversation.created_at, type_=UTCDateTime)
CONVERSATIONS = Ordering(
    "conversations",
    (
        SortKey("t", ACTIVITY, descending=True, kind=datetime),
        SortKey("id", Conversation.id, descending=True, kind=uuid.UUID),
    ),
)
CONVERSATION_COLUMNS = tuple(Conversation.__table__.c)


def message_channel(conversation_id: uuid.UUID) -> str:
    return f"conversation:{conversation_id}"


def read_channel(conversation_id: uuid.UUID) -> str:
    return f"conversation-read:{conversation_id}"


def typing_channel(conversation_id: uuid.UUID) -> str:
    return f"typing:{conversation_id}"


# Cursors ---------------------------------------------------------------------------------


def message_cursor(message: Any) -> str:
    """A message's opaque cursor: its conversation and its `seq`."""
    payload = json.dumps(["message", message.conversation_id.hex, message.seq]).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_message_cursor(cursor: str, conversation: Conversation, *, field: str) -> int:
    """The `seq` in a cursor of this conversation's messages; `INVALID_CURSOR` otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, conversation_hex, seq = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if name != "message" or uuid.UUID(hex=conversation_hex) != conversation.id:
            raise ValueError
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise ValueError
        if not 0 <= seq <= conversation.message_count:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(
            f"{field} is not a cursor of this conversation's messages",
            code=ErrorCode.INVALID_CURSOR,
            field=field,
        ) from None
    return seq


class _MessageOrdering:
    """What `Page` needs from an ordering: a cursor per row."""

    def cursor(self, row: Any) -> str:
        return message_cursor(row)


MESSAGES = _MessageOrdering()


# Access ----------------------------------------------------------------------------------


def _not_found(field: str = "conversationId") -> NotFound:
    return NotFound("No such conversation", field=field)


async def _participant(
    ctx: Context, conversation_id: uuid.UUID, user_id: uuid.UUID
) -> ConversationParticipant | None:
    return await ctx.session.scalar(
        select(ConversationParticipant).where(
            ConversationParticipant.conversation_id == conversation_id,
            ConversationParticipant.user_id == user_id,
            ConversationParticipant.removed_at.is_(None),
        )
    )


async def visible_conversation(ctx: Context, *, conversation_id: uuid.UUID) -> Conversation | None:
    """A conversation for its participants, and for admins while its order is DISPUTED."""
    viewer = await ctx.viewer()
    if viewer is None:
        return None
    conversation = await ctx.session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    if await _participant(ctx, conversation.id, viewer.id) is not None:
        return conversation
    if viewer.is_admin and conversation.order_id is not None:
        status = await ctx.session.scalar(
            select(Order.status).where(Order.id == conversation.order_id)
        )
        if status is OrderStatus.DISPUTED:
            ctx.session.add(
                AuditLog(
                    actor_id=viewer.id,
                    action="conversation.read",
                    target_type="Conversation",
                    target_id=conversation.id,
                    detail={"order_id": str(conversation.order_id), "reason": "DISPUTED"},
                )
            )
            await ctx.commit()
            return conversation
    return None


async def require_conversation(ctx: Context, *, conversation_id: uuid.UUID) -> Conversation:
    """A conversation the viewer may read; `NOT_FOUND` when there is none they may see."""
    await ctx.require_viewer()
    conversation = await visible_conversation(ctx, conversation_id=conversation_id)
    if conversation is None:
        raise _not_found()
    return conversation


# Use-cases -------------------------------------------------------------------------------


async def start_conversation(ctx: Context, *, gig_id: uuid.UUID) -> Conversation:
    """Open (or reopen) your inquiry with a gig's owner about the gig."""
    viewer = await ctx.require_viewer()
    gig = await ctx.session.get(Gig, gig_id)
    if gig is None or (gig.published_at is None and gig.owner_id != viewer.id):
        raise NotFound("No such gig", field="gigId")
    if gig.owner_id == viewer.id:
        raise ValidationFailed(
            "you cannot start a conversation about your own gig",
            code=ErrorCode.OWN_GIG,
            field="gigId",
        )
    key = inquiry_key(gig_id=gig.id, buyer_id=viewer.id)
    existing = await _inquiry(ctx, key)
    if existing is not None:
        return existing
    now = utcnow()
    conversation = Conversation(
        kind=ConversationKind.INQUIRY, gig_id=gig.id, inquiry_key=key, last_message_at=now
    )
    ctx.session.add(conversation)
    try:
        await ctx.session.flush()
        for user_id in (viewer.id, gig.owner_id):
            participant = ConversationParticipant(conversation_id=conversation.id, user_id=user_id)
            ctx.session.add(participant)
        await ctx.commit()
    except IntegrityError:
        # Another request opened the same inquiry first; the unique key makes it the one.
        await ctx.rollback()
        existing = await _inquiry(ctx, key)
        if existing is None:
            raise
        return existing
    return conversation


async def _inquiry(ctx: Context, key: str) -> Conversation | None:
    return await ctx.session.scalar(select(Conversation).where(Conversation.inquiry_key == key))


async def _publish(ctx: Context, channel: str, event: dict[str, Any]) -> None:
    await ctx.services.broadcast.publish(channel, event)


async def mark_conversation_read(
    ctx: Context, *, conversation_id: uuid.UUID, up_to_message_id: uuid.UUID
) -> Conversation:
    """Move your read marker forward to a message of the conversation (never back)."""
    viewer = await ctx.require_viewer()
    conversation = await ctx.session.get(Conversation, conversation_id)
    participant = (
        await ctx.session.scalar(
            select(ConversationParticipant)
            .where(
                ConversationParticipant.conversation_id == conversation_id,
                ConversationParticipant.user_id == viewer.id,
                ConversationParticipant.removed_at.is_(None),
            )
            .with_for_update()
        )
        if conversation is not None
        else None
    )
    if conversation is None or participant is None:
        raise _not_found()
    message = await ctx.session.get(Message, up_to_message_id)
    if message is None or message.conversation_id != conversation.id:
        raise NotFound("No such message in this conversation", field="upToMessageId")
    if message.seq > participant.last_read_seq:
        now = utcnow()
        participant.last_read_seq = message.seq
        participant.last_read_at = now
        event = {
            "user": str(viewer.id),
            "message": str(message.id),
            "seq": message.seq,
            "at": now.isoformat(),
        }
        channel = read_channel(conversation.id)
        ctx.after_commit(lambda: _publish(ctx, channel, event))
    await ctx.commit()
    return conversation


# Queries ---------------------------------------------------------------------------------


async def my_conversations(ctx: Context, *, first: int | None, after: str | None) -> Page:
    """The viewer's conversations, latest activity first, each with the viewer's read marker."""
    viewer = await ctx.require_viewer()
    limit = page_size(first)
    statement = (
        select(*CONVERSATION_COLUMNS, ConversationParticipant.last_read_seq)
        .join(
            ConversationParticipant,
            ConversationParticipant.conversation_id == Conversation.id,
        )
        .where(
            ConversationParticipant.user_id == viewer.id,
            ConversationParticipant.removed_at.is_(None),
        )
    )
    count_statement = select(func.count()).select_from(statement.subquery())
    statement = statement.add_columns(*CONVERSATIONS.columns())
    if after:
        statement = statement.where(CONVERSATIONS.after(CONVERSATIONS.decode(after)))
    rows = list(
        await ctx.session.rows(statement.order_by(*CONVERSATIONS.order_by()).limit(limit + 1))
    )
    return Page(
        rows=rows[:limit],
        has_next=len(rows) > limit,
        ordering=CONVERSATIONS,
        count_statement=count_statement,
    )


async def conversation_messages(
    ctx: Context, *, conversation: Any, first: int | None, after: str | None
) -> Page:
    """A conversation's messages in order, oldest first, after a message cursor."""
    limit = page_size(first)
    after_seq = decode_message_cursor(after, conversation, field="after") if after else 0
    where = Message.conversation_id == conversation.id
    rows = list(
        await ctx.session.scalars(
            select(Message)
            .where(where, Message.seq > after_seq)
            .order_by(Message.seq)
            .limit(limit + 1)
        )
    )
    return Page(
        rows=rows[:limit],
        has_next=len(rows) > limit,
        ordering=MESSAGES,  # type: ignore[arg-type]
        count_statement=select(func.count()).select_from(Message).where(where),
    )


async def unread_count(ctx: Context, conversation: Any) -> int:
    """Messages after the viewer's read marker; 0 for an admin reading someone else's."""
    last_read = getattr(conversation, "last_read_seq", None)
    if last_read is None:
        seat = await chat_loaders(ctx).seat.load(conversation.id)
        last_read = conversation.message_count if seat is None else seat.last_read_seq
    return max(conversation.message_count - last_read, 0)


class ChatLoaders:
    """Per-request loaders of chat rows, keyed like the project's own."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self.message_by_id = DataLoader[uuid.UUID, Message | None](self._messages)
        self.attachments_by_message_id = DataLoader[uuid.UUID, list[StoredFile]](self._attachments)
        self.participants_by_conversation_id = DataLoader[uuid.UUID, list[uuid.UUID]](
            self._participants
        )
        self.seat = DataLoader[uuid.UUID, ConversationParticipant | None](self._seats)

    async def _messages(self, keys: Sequence[uuid.UUID]) -> list[Message | None]:
        rows = await self._ctx.session.scalars(select(Message).where(Message.id.in_(keys)))
        by_id = {row.id: row for row in rows}
        return [by_id.get(k) for k in keys]

    async def _attachments(self, keys: Sequence[uuid.UUID]) -> list[list[StoredFile]]:
        rows = await self._ctx.session.execute(
            select(MessageAttachment.message_id, StoredFile)
            .join(StoredFile, StoredFile.id == MessageAttachment.file_id)
            .where(MessageAttachment.message_id.in_(keys))
            .order_by(MessageAttachment.created_at)
        )
        grouped: dict[uuid.UUID, list[StoredFile]] = defaultdict(list)
        for message_id, file in rows:
            grouped[message_id].append(file)
        return [grouped.get(k, []) for k in keys]

    async def _participants(self, keys: Sequence[uuid.UUID]) -> list[list[uuid.UUID]]:
        rows = await self._ctx.session.execute(
            select(ConversationParticipant.conversation_id, ConversationParticipant.user_id)
            .where(
                ConversationParticipant.conversation_id.in_(keys),
                ConversationParticipant.removed_at.is_(None),
            )
            .order_by(ConversationParticipant.created_at)
        )
        grouped: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for conversation_id, user_id in rows:
            grouped[conversation_id].append(user_id)
        return [grouped.get(k, []) for k in keys]

    async def _seats(self, keys: Sequence[uuid.UUID]) -> list[ConversationParticipant | None]:
        rows = await self._ctx.session.scalars(
            select(ConversationParticipant).where(
                ConversationParticipant.conversation_id.in_(keys),
                ConversationParticipant.user_id == self._ctx.viewer_id,
                ConversationParticipant.removed_at.is_(None),
            )
        )
        by_id = {row.conversation_id: row for row in rows}
        return [by_id.get(k) for k in keys]


_chat_loaders: weakref.WeakKeyDictionary[Any, ChatLoaders] = weakref.WeakKeyDictionary()


def chat_loaders(ctx: Context) -> ChatLoaders:
    """The chat loaders of the request's loaders (a new set whenever the viewer changes)."""
    loaders = _chat_loaders.get(ctx.loaders)
    if loaders is None:
        loaders = _chat_loaders[ctx.loaders] = ChatLoaders(ctx)
    return loaders

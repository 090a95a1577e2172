"""Chat: inquiries about gigs, messages with a gapless per-conversation `seq`, read receipts,
typing, and the live streams that replay from a cursor before they go live."""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
import weakref
from collections import defaultdict, deque
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from strawberry.dataloader import DataLoader

from models.audit import AuditLog
from models.catalog import Gig
from models.chat import (
    BODY_MAX,
    CLIENT_MESSAGE_ID_MAX,
    Conversation,
    ConversationKind,
    ConversationParticipant,
    Message,
    MessageAttachment,
    inquiry_key,
)
from models.errors import DomainError, ErrorCode, NotFound, ValidationFailed
from models.file import FilePurpose, StoredFile
from models.order import Order, OrderStatus
from models.types import UTCDateTime, utcnow
from models.user import User
from models.validation import clean_text
from resolvers.files import claim_ready_files
from resolvers.pagination import Ordering, Page, SortKey, page_size

if TYPE_CHECKING:
    from resolvers.context import Context

ATTACHMENTS_MAX = 10
REPLAY_BATCH = 100
TYPING_TIMEOUT_SECONDS = 5.0
# setTyping: a repeat of the same state within this long is accepted but not published again,
# and at most TYPING_BURST publishes per user and conversation within TYPING_WINDOW_SECONDS.
TYPING_REPEAT_SECONDS = 1.0
TYPING_BURST = 20
TYPING_WINDOW_SECONDS = 10.0

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


async def _locked_as_participant(
    ctx: Context, viewer: User, conversation_id: uuid.UUID
) -> tuple[Conversation, ConversationParticipant]:
    """The conversation, row-locked (the next `seq` is taken under it), and the viewer's seat."""
    conversation = await ctx.session.scalar(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    participant = (
        None if conversation is None else await _participant(ctx, conversation.id, viewer.id)
    )
    if conversation is None or participant is None:
        raise _not_found()
    return conversation, participant


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


async def send_message(
    ctx: Context,
    *,
    conversation_id: uuid.UUID,
    body: str,
    client_message_id: str | None = None,
    attachment_ids: Sequence[uuid.UUID] = (),
) -> Message:
    """Send a message as a participant; a retry with the same client id returns the first."""
    viewer = await ctx.require_viewer()
    text = clean_text(body, field="body", max_length=BODY_MAX, required=True)
    client_id = clean_text(
        client_message_id, field="clientMessageId", max_length=CLIENT_MESSAGE_ID_MAX
    )
    if len(attachment_ids) > ATTACHMENTS_MAX:
        raise ValidationFailed(
            f"at most {ATTACHMENTS_MAX} attachments",
            code=ErrorCode.OUT_OF_RANGE,
            field="attachmentIds",
        )
    for attempt in range(3):
        try:
            return await _send(ctx, viewer, conversation_id, text or "", client_id, attachment_ids)
        except IntegrityError:
            # SQLite: a concurrent writer took the seq (or the client id) first; look again.
            await ctx.rollback()
            viewer = await ctx.require_viewer()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _send(
    ctx: Context,
    viewer: User,
    conversation_id: uuid.UUID,
    text: str,
    client_id: str | None,
    attachment_ids: Sequence[uuid.UUID],
) -> Message:
    conversation, participant = await _locked_as_participant(ctx, viewer, conversation_id)
    if client_id is not None:
        first = await ctx.session.scalar(
            select(Message).where(
                Message.conversation_id == conversation.id,
                Message.sender_id == viewer.id,
                Message.client_message_id == client_id,
            )
        )
        if first is not None:
            return first
    files: list[StoredFile] = []
    if attachment_ids:
        files = await claim_ready_files(
            ctx,
            file_ids=list(attachment_ids),
            purpose=FilePurpose.MESSAGE_ATTACHMENT,
            field="attachmentIds",
        )
    seq = conversation.message_count + 1
    now = utcnow()
    message = Message(
        conversation_id=conversation.id,
        sender_id=viewer.id,
        seq=seq,
        body=text,
        client_message_id=client_id,
        created_at=now,
    )
    ctx.session.add(message)
    await ctx.session.flush()
    for file in files:
        ctx.session.add(MessageAttachment(message_id=message.id, file_id=file.id))
    conversation.message_count = seq
    conversation.last_message_at = now
    conversation.last_message_id = message.id
    # What you send, you have read.
    participant.last_read_seq = seq
    participant.last_read_at = now
    event = {"message": str(message.id), "seq": seq}
    channel = message_channel(conversation.id)
    ctx.after_commit(lambda: _publish(ctx, channel, event))
    await ctx.commit()
    return message


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


class _TypingLimiter:
    """Per user and conversation, in this process: coalesce repeats, cap bursts."""

    def __init__(self) -> None:
        self._last: dict[tuple[uuid.UUID, uuid.UUID], tuple[bool, float]] = {}
        self._sent: dict[tuple[uuid.UUID, uuid.UUID], deque[float]] = defaultdict(deque)

    def allow(self, key: tuple[uuid.UUID, uuid.UUID], is_typing: bool) -> bool:
        """True to publish, False to skip a repeat; raise when the sender is over the cap."""
        now = time.monotonic()
        if len(self._last) > 10_000:
            self._prune(now)
        last = self._last.get(key)
        if last is not None and last[0] == is_typing and now - last[1] < TYPING_REPEAT_SECONDS:
            return False
        sent = self._sent[key]
        while sent and now - sent[0] > TYPING_WINDOW_SECONDS:
            sent.popleft()
        if len(sent) >= TYPING_BURST:
            raise DomainError(
                "You are sending typing updates too fast; slow down",
                code=ErrorCode.TOO_MANY_ATTEMPTS,
                field="isTyping",
            )
        sent.append(now)
        self._last[key] = (is_typing, now)
        return True

    def _prune(self, now: float) -> None:
        for key in [k for k, (_, at) in self._last.items() if now - at > TYPING_WINDOW_SECONDS]:
            self._last.pop(key, None)
            self._sent.pop(key, None)


typing_limiter = _TypingLimiter()


async def set_typing(ctx: Context, *, conversation_id: uuid.UUID, is_typing: bool) -> Conversation:
    """Tell the other participants you are (or stopped) typing; never stored."""
    viewer = await ctx.require_viewer()
    conversation = await ctx.session.get(Conversation, conversation_id)
    if conversation is None or await _participant(ctx, conversation.id, viewer.id) is None:
        raise _not_found()
    if typing_limiter.allow((viewer.id, conversation.id), is_typing):
        await ctx.services.broadcast.publish(
            typing_channel(conversation.id), {"user": str(viewer.id), "isTyping": is_typing}
        )
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

"""Adding to a conversation: the one place a message takes the next `seq`, what participants
send, and the notification a participant gets when they are not watching the conversation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.exc import IntegrityError

from models.chat import (
    BODY_MAX,
    CLIENT_MESSAGE_ID_MAX,
    Conversation,
    ConversationParticipant,
    Message,
    MessageAttachment,
    MessageKind,
)
from models.errors import ErrorCode, ValidationFailed
from models.file import FilePurpose, StoredFile
from models.notification import NotificationType
from models.types import utcnow
from models.user import User
from models.validation import clean_text
from resolvers.chat import _not_found, message_channel
from resolvers.files import claim_ready_files
from resolvers.notifications import global_id, notify
from resolvers.presence import conversation_key

if TYPE_CHECKING:
    from resolvers.context import Context

ATTACHMENTS_MAX = 10
SNIPPET_MAX = 140


async def lock_conversation(ctx: Context, where: ColumnElement[bool]) -> Conversation | None:
    """The conversation `where` selects, row-locked: its next `seq` is taken under the lock."""
    return await ctx.session.scalar(
        select(Conversation)
        .where(where)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def append_message(
    ctx: Context,
    conversation: Conversation,
    *,
    body: str,
    sender_id: uuid.UUID | None,
    kind: MessageKind = MessageKind.TEXT,
    client_id: str | None = None,
) -> Message:
    """Add the next message to a conversation the caller has locked, uncommitted; announce it
    on `messageAdded` once the caller commits."""
    seq = conversation.message_count + 1
    now = utcnow()
    message = Message(
        conversation_id=conversation.id,
        sender_id=sender_id,
        seq=seq,
        kind=kind,
        body=body,
        client_message_id=client_id,
        created_at=now,
    )
    ctx.session.add(message)
    await ctx.session.flush()
    conversation.message_count = seq
    conversation.last_message_at = now
    conversation.last_message_id = message.id
    broadcast, channel = ctx.services.broadcast, message_channel(conversation.id)
    event = {"message": str(message.id), "seq": seq}

    async def publish() -> None:
        await broadcast.publish(channel, event)

    ctx.after_commit(publish)
    return message


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
            # A retry of the same client id is rare: the first attempt lets the unique
            # constraint find it, and only the attempts after a conflict look it up first.
            return await _send(
                ctx,
                viewer,
                conversation_id,
                text or "",
                client_id,
                attachment_ids,
                look_up_retry=attempt > 0,
            )
        except IntegrityError:
            # SQLite: a concurrent writer took the seq (or the client id) first; look again.
            await ctx.rollback()
            viewer = await ctx.require_viewer()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


# The conversation, row-locked (its next `seq` is taken under the lock), with its active
# participants: the sender's seat and who else to notify, in one statement.
_SEATS = (
    select(Conversation, ConversationParticipant)
    .join(
        ConversationParticipant,
        (ConversationParticipant.conversation_id == Conversation.id)
        & ConversationParticipant.removed_at.is_(None),
    )
    .where(Conversation.id == bindparam("conversation_id"))
    .with_for_update(of=Conversation)
    .execution_options(populate_existing=True)
)


async def _send(
    ctx: Context,
    viewer: User,
    conversation_id: uuid.UUID,
    text: str,
    client_id: str | None,
    attachment_ids: Sequence[uuid.UUID],
    *,
    look_up_retry: bool,
) -> Message:
    rows = (await ctx.session.execute(_SEATS, {"conversation_id": conversation_id})).all()
    conversation = rows[0][0] if rows else None
    participant = next((seat for _c, seat in rows if seat.user_id == viewer.id), None)
    if conversation is None or participant is None:
        raise _not_found()
    others = [seat.user_id for _c, seat in rows if seat.user_id != viewer.id]
    if client_id is not None and look_up_retry:
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
    message = await append_message(
        ctx, conversation, body=text, sender_id=viewer.id, client_id=client_id
    )
    for file in files:
        ctx.session.add(MessageAttachment(message_id=message.id, file_id=file.id))
    # What you send, you have read.
    participant.last_read_seq = message.seq
    participant.last_read_at = message.created_at
    await _notify_absent(ctx, conversation, message, viewer, others)
    await ctx.commit()
    return message


async def _notify_absent(
    ctx: Context,
    conversation: Conversation,
    message: Message,
    sender: User,
    others: list[uuid.UUID],
) -> None:
    """Store a MESSAGE_RECEIVED notification for each other participant (`others`) who has
    no live `messageAdded` subscription on the conversation, in any process."""
    if not others:
        return
    present = await ctx.services.presence.present(
        [conversation_key(conversation.id, user_id) for user_id in others]
    )
    text = f"{sender.name}: {_snippet(message.body)}"
    target = global_id("Conversation", conversation.id)
    for user_id, here in zip(others, present, strict=True):
        if not here:
            await notify(
                ctx,
                user_id=user_id,
                type=NotificationType.MESSAGE_RECEIVED,
                text=text,
                target_id=target,
            )


def _snippet(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= SNIPPET_MAX else text[: SNIPPET_MAX - 1] + "…"

"""Conversations between buyers and sellers: one per order, one per inquiry about a gig."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from models.base import Entity
from models.types import StrEnum, UTCDateTime

BODY_MAX = 5000
CLIENT_MESSAGE_ID_MAX = 64


class ConversationKind(enum.StrEnum):
    ORDER = "ORDER"
    INQUIRY = "INQUIRY"


def inquiry_key(*, gig_id: uuid.UUID, buyer_id: uuid.UUID) -> str:
    """Name the one inquiry a buyer may open about a gig."""
    return f"{gig_id}:{buyer_id}"


class Conversation(Entity, table=True):
    """A thread; `message_count` is also the sequence: the next message gets `message_count + 1`."""

    __tablename__ = "conversation"

    kind: ConversationKind = Field(sa_type=StrEnum(ConversationKind))
    order_id: uuid.UUID | None = Field(
        default=None, foreign_key="orders.id", unique=True, ondelete="RESTRICT"
    )
    gig_id: uuid.UUID | None = Field(
        default=None, foreign_key="gig.id", index=True, ondelete="SET NULL"
    )
    # Unique, so two concurrent startConversation calls end up in the same inquiry.
    inquiry_key: str | None = Field(default=None, max_length=80, unique=True)
    last_message_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # No foreign key: message -> conversation already exists, and a cycle buys nothing here.
    last_message_id: uuid.UUID | None = None
    message_count: int = Field(default=0, ge=0)


class ConversationParticipant(Entity, table=True):
    """A member of a conversation; unread = `message_count - last_read_seq`, without a scan."""

    __tablename__ = "conversation_participant"
    __table_args__ = (UniqueConstraint("conversation_id", "user_id"),)

    conversation_id: uuid.UUID = Field(foreign_key="conversation.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    last_read_seq: int = Field(default=0, ge=0)
    last_read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MessageKind(enum.StrEnum):
    TEXT = "TEXT"
    SYSTEM = "SYSTEM"


class Message(Entity, table=True):
    """A message; `seq` (1, 2, 3... within the conversation) is its stable, gapless cursor."""

    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        # NULLs are distinct: system messages and messages without a client id never collide.
        UniqueConstraint("conversation_id", "sender_id", "client_message_id"),
    )

    conversation_id: uuid.UUID = Field(foreign_key="conversation.id", ondelete="CASCADE")
    # None for SYSTEM messages; SET NULL keeps the thread readable for the other side.
    sender_id: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )
    seq: int = Field(ge=1)
    kind: MessageKind = Field(default=MessageKind.TEXT, sa_type=StrEnum(MessageKind))
    body: str = Field(max_length=BODY_MAX)
    client_message_id: str | None = Field(default=None, max_length=CLIENT_MESSAGE_ID_MAX)


class MessageAttachment(Entity, table=True):
    __tablename__ = "message_attachment"
    __table_args__ = (UniqueConstraint("message_id", "file_id"),)

    message_id: uuid.UUID = Field(foreign_key="message.id", ondelete="CASCADE")
    file_id: uuid.UUID = Field(foreign_key="stored_file.id", index=True, ondelete="RESTRICT")

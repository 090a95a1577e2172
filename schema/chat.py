"""Chat over GraphQL: conversations, messages, and the chat mutations."""

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models import chat as m
from models.errors import NotFound
from resolvers import chat, chat_send, chat_typing
from resolvers.context import Context
from schema.catalog import RowBacked
from schema.errors import UserError, attempt
from schema.files import File
from schema.gigs import Gig
from schema.ids import id_of
from schema.node import Node, register_node
from schema.pagination import Connection
from schema.relay import encode_id
from schema.users import User

ConversationKind = strawberry.enum(m.ConversationKind, name="ConversationKind")
MessageKind = strawberry.enum(m.MessageKind, name="MessageKind")


@strawberry.type(name="Message", description="One message of a conversation.")
class Message(Node, RowBacked):
    body: str
    kind: MessageKind
    seq: int = strawberry.field(description="1, 2, 3... within the conversation, without gaps.")
    client_message_id: str | None = strawberry.field(description="The sender's de-duplication id.")
    created_at: datetime

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("Message", root.id)

    @strawberry.field(description="The same value as this message's edge cursor; resume from it.")
    @staticmethod
    def cursor(root: Any) -> str:
        return chat.message_cursor(root)

    @strawberry.field
    @staticmethod
    def conversation_id(root: Any) -> strawberry.ID:
        return encode_id("Conversation", root.conversation_id)

    @strawberry.field(description="Who sent it; null for system messages.")
    @staticmethod
    def sender(root: Any, info: Info[Context, None]) -> User | None:
        if root.sender_id is None:
            return None
        return info.context.loaders.user_by_id.load(root.sender_id)  # type: ignore[return-value]

    @strawberry.field
    @staticmethod
    def attachments(root: Any, info: Info[Context, None]) -> list[File]:
        loader = chat.chat_loaders(info.context).attachments_by_message_id
        return loader.load(root.id)  # type: ignore[return-value]


@strawberry.type(name="MessageConnection")
class MessageConnection(Connection[Message]):
    pass


@strawberry.type(name="Conversation", description="A thread between a buyer and a seller.")
class Conversation(Node, RowBacked):
    kind: ConversationKind
    message_count: int
    last_message_at: datetime | None
    created_at: datetime

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("Conversation", root.id)

    @strawberry.field(description="The gig an inquiry is about.")
    @staticmethod
    def gig(root: Any, info: Info[Context, None]) -> Gig | None:
        if root.gig_id is None:
            return None
        return info.context.loaders.gig_by_id.load(root.gig_id)  # type: ignore[return-value]

    @strawberry.field(description="The order's global id, for an order's conversation.")
    @staticmethod
    def order_id(root: Any) -> strawberry.ID | None:
        return None if root.order_id is None else encode_id("Order", root.order_id)

    @strawberry.field
    @staticmethod
    async def participants(root: Any, info: Info[Context, None]) -> list[User]:
        ctx = info.context
        user_ids = await chat.chat_loaders(ctx).participants_by_conversation_id.load(root.id)
        users = await ctx.loaders.user_by_id.load_many(user_ids)
        return [user for user in users if user is not None]

    @strawberry.field(description="Messages after your read marker.")
    @staticmethod
    async def unread_count(root: Any, info: Info[Context, None]) -> int:
        return await chat.unread_count(info.context, root)

    @strawberry.field
    @staticmethod
    async def last_message(root: Any, info: Info[Context, None]) -> Message | None:
        if root.last_message_id is None:
            return None
        loader = chat.chat_loaders(info.context).message_by_id
        return await loader.load(root.last_message_id)  # type: ignore[return-value]

    @strawberry.field(description="Oldest first; `after` a message cursor for the ones since.")
    @staticmethod
    async def messages(
        root: Any,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
    ) -> MessageConnection:
        page = await chat.conversation_messages(
            info.context, conversation=root, first=first, after=after
        )
        return MessageConnection(_page=page, _after=after)


@strawberry.type(name="ConversationConnection")
class ConversationConnection(Connection[Conversation]):
    pass


def conversation_key(global_id: str, field: str = "conversationId") -> Any:
    return id_of(global_id, "Conversation", field=field)


@strawberry.type
class ChatQueries:
    @strawberry.field(description="A conversation you take part in.")
    async def conversation(
        self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument()]
    ) -> Conversation | None:
        try:
            key = conversation_key(id, "id")
        except NotFound:
            return None
        return await chat.visible_conversation(info.context, conversation_id=key)  # type: ignore[return-value]

    @strawberry.field(description="Your conversations, latest activity first.")
    async def my_conversations(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> ConversationConnection:
        page = await chat.my_conversations(info.context, first=first, after=after)
        return ConversationConnection(_page=page, _after=after)


@strawberry.input
class StartConversationInput:
    gig_id: strawberry.ID


@strawberry.input
class SendMessageInput:
    conversation_id: strawberry.ID
    body: str = strawberry.field(description="1 to 5000 characters.")
    client_message_id: str | None = strawberry.field(
        default=None, description="Yours, up to 64 characters: a retry with it sends nothing new."
    )
    attachment_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="READY files of yours uploaded as MESSAGE_ATTACHMENT."
    )


@strawberry.input
class MarkConversationReadInput:
    conversation_id: strawberry.ID
    up_to_message_id: strawberry.ID


@strawberry.input
class SetTypingInput:
    conversation_id: strawberry.ID
    is_typing: bool


@strawberry.type
class StartConversationPayload:
    conversation: Conversation | None
    errors: list[UserError]


@strawberry.type
class SendMessagePayload:
    message: Message | None
    errors: list[UserError]


@strawberry.type
class MarkConversationReadPayload:
    conversation: Conversation | None
    errors: list[UserError]


@strawberry.type
class SetTypingPayload:
    conversation: Conversation | None
    errors: list[UserError]


@strawberry.type
class ChatMutations:
    @strawberry.mutation(description="Ask a gig's owner about it; one conversation per gig.")
    async def start_conversation(
        self, info: Info[Context, None], input: StartConversationInput
    ) -> StartConversationPayload:
        ctx = info.context

        async def call() -> Any:
            gig_id = id_of(input.gig_id, "Gig", field="gigId")
            return await chat.start_conversation(ctx, gig_id=gig_id)

        conversation, errors = await attempt(ctx, call())
        return StartConversationPayload(conversation=conversation, errors=errors)

    @strawberry.mutation(description="Send a message to a conversation you take part in.")
    async def send_message(
        self, info: Info[Context, None], input: SendMessageInput
    ) -> SendMessagePayload:
        ctx = info.context

        async def call() -> Any:
            attachments = [
                id_of(file_id, "File", field=f"attachmentIds.{index}")
                for index, file_id in enumerate(input.attachment_ids or [])
            ]
            return await chat_send.send_message(
                ctx,
                conversation_id=conversation_key(input.conversation_id),
                body=input.body,
                client_message_id=input.client_message_id,
                attachment_ids=attachments,
            )

        message, errors = await attempt(ctx, call())
        return SendMessagePayload(message=message, errors=errors)

    @strawberry.mutation(description="Mark a conversation read up to a message (never back).")
    async def mark_conversation_read(
        self, info: Info[Context, None], input: MarkConversationReadInput
    ) -> MarkConversationReadPayload:
        ctx = info.context

        async def call() -> Any:
            return await chat.mark_conversation_read(
                ctx,
                conversation_id=conversation_key(input.conversation_id),
                up_to_message_id=id_of(input.up_to_message_id, "Message", field="upToMessageId"),
            )

        conversation, errors = await attempt(ctx, call())
        return MarkConversationReadPayload(conversation=conversation, errors=errors)

    @strawberry.mutation(description="Say you are typing (or stopped); never stored.")
    async def set_typing(
        self, info: Info[Context, None], input: SetTypingInput
    ) -> SetTypingPayload:
        ctx = info.context

        async def call() -> Any:
            return await chat_typing.set_typing(
                ctx,
                conversation_id=conversation_key(input.conversation_id),
                is_typing=input.is_typing,
            )

        conversation, errors = await attempt(ctx, call())
        return SetTypingPayload(conversation=conversation, errors=errors)


async def _visible_message(ctx: Context, key: Any) -> Any:
    message = await ctx.session.get(m.Message, key)
    if message is None:
        return None
    if await chat.visible_conversation(ctx, conversation_id=message.conversation_id) is None:
        return None
    return message


register_node(
    Conversation,
    m.Conversation,
    lambda ctx, key: chat.visible_conversation(ctx, conversation_id=key),
)
register_node(Message, m.Message, _visible_message)

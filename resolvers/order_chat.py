"""System messages: each move of an order, noted in the order's conversation.

The texts are the demo data's (`seed_data.SYSTEM_MESSAGES`), so seeded threads and live ones
read alike. A system message counts as unread for both participants, except for the one who
caused the move when they had read everything before it: your own action does not make the
conversation unread for you, and it never marks earlier messages read either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from models.chat import Conversation, ConversationParticipant, Message, MessageKind
from models.order import Order, OrderEvent, OrderStatus
from resolvers.chat_send import append_message, lock_conversation
from resolvers.seed_data import SYSTEM_MESSAGES

if TYPE_CHECKING:
    from resolvers.context import Context

S = OrderStatus


async def post_order_event(ctx: Context, order: Order, event: OrderEvent) -> Message | None:
    """Note an order's move in its conversation, in the caller's transaction; the message is
    announced on `messageAdded` once the caller commits. None when there is nothing to say."""
    if event.from_status is S.REVISION_REQUESTED and event.to_status is S.IN_PROGRESS:
        return None  # the seller reworks: the redelivery that follows is the news
    conversation = await lock_conversation(ctx, Conversation.order_id == order.id)
    if conversation is None:
        return None
    body = await _text(ctx, order, event)
    message = await append_message(
        ctx, conversation, body=body, sender_id=None, kind=MessageKind.SYSTEM
    )
    if event.actor_id is not None:
        await ctx.session.execute(
            update(ConversationParticipant)
            .where(
                ConversationParticipant.conversation_id == conversation.id,
                ConversationParticipant.user_id == event.actor_id,
                ConversationParticipant.last_read_seq == message.seq - 1,
            )
            .values(last_read_seq=message.seq, last_read_at=message.created_at)
            .execution_options(synchronize_session=False)
        )
    return message


async def _text(ctx: Context, order: Order, event: OrderEvent) -> str:
    number = 0
    if event.to_status is S.DELIVERED:
        await ctx.session.flush()  # the event itself is one of the deliveries counted
        number = await ctx.session.scalar(
            select(func.count())
            .select_from(OrderEvent)
            .where(OrderEvent.order_id == order.id, OrderEvent.to_status == S.DELIVERED)
        )
    values = {
        "title": order.title,
        "due": f"{order.due_at:%d %b %Y}" if order.due_at else "",
        "number": number,
        "reason": event.reason or "",
    }
    # Without a reason, "Dispute opened: " reads better as "Dispute opened".
    return SYSTEM_MESSAGES[event.to_status.value].format(**values).rstrip(": ")

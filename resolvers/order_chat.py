"""System messages: each move of an order, noted in the order's conversation.

The demo data writes its threads with the same `event_text`, so seeded threads and live ones
read alike. A system message counts as unread for both participants, except for the one who
caused the move when they had read everything before it: your own action does not make the
conversation unread for you, and it never marks earlier messages read either.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from models.chat import Conversation, ConversationParticipant, Message, MessageKind
from models.order import Order, OrderEvent, OrderStatus
from resolvers.chat_send import append_message, lock_conversation

if TYPE_CHECKING:
    from resolvers.context import Context

S = OrderStatus
TEXTS = {
    S.PENDING_PAYMENT: "Order placed: {title}. Waiting for payment.",
    S.IN_PROGRESS: "Payment received. The order is in progress, due {due}.",
    S.DELIVERED: "Delivery #{number} submitted. The buyer has {window} to review it.",
    S.REVISION_REQUESTED: "Revision requested: {reason}",
    S.COMPLETED: "Order completed. The payment was released to the seller.",
    S.CANCELLED: "Order cancelled before payment.",
    S.REFUNDED: "Order refunded to the buyer.",
    S.DISPUTED: "Dispute opened: {reason}",
}


def event_text(
    order: Any,
    previous: OrderStatus | None,
    to: OrderStatus,
    *,
    reason: str | None,
    deliveries: int,
    review_window: timedelta,
) -> str | None:
    """What the conversation says of `order` moving from `previous` to `to`; None: nothing.

    `deliveries` counts the deliveries so far, this one included.
    """
    if previous is S.REVISION_REQUESTED and to is S.IN_PROGRESS:
        return None  # the seller reworks: the redelivery that follows is the news
    if previous is S.DISPUTED and reason:
        return reason  # "Dispute resolved: SPLIT (…)", as the admin's decision says
    values = {
        "title": order.title,
        "due": f"{order.due_at:%-d %b %Y}" if order.due_at else "",
        "number": deliveries,
        "reason": reason or "",
        "window": _duration(review_window),
    }
    # Without a reason, "Dispute opened: " reads better as "Dispute opened".
    return TEXTS[to].format(**values).rstrip(": ")


def _duration(span: timedelta) -> str:
    days, hours = span.days, span.seconds // 3600
    if days and not hours:
        return f"{days} day{'s' if days != 1 else ''}"
    hours += days * 24
    return f"{hours} hour{'s' if hours != 1 else ''}"


async def post_order_event(ctx: Context, order: Order, event: OrderEvent) -> Message | None:
    """Note an order's move in its conversation, in the caller's transaction; the message is
    announced on `messageAdded` once the caller commits. None when there is nothing to say."""
    deliveries = await _deliveries(ctx, order) if event.to_status is S.DELIVERED else 0
    body = event_text(
        order,
        event.from_status,
        event.to_status,
        reason=event.reason,
        deliveries=deliveries,
        review_window=timedelta(seconds=ctx.settings.review_window_seconds),
    )
    if body is None:
        return None
    conversation = await lock_conversation(ctx, Conversation.order_id == order.id)
    if conversation is None:
        return None
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


async def _deliveries(ctx: Context, order: Order) -> int:
    await ctx.session.flush()  # the event itself is one of the deliveries counted
    count = await ctx.session.scalar(
        select(func.count())
        .select_from(OrderEvent)
        .where(OrderEvent.order_id == order.id, OrderEvent.to_status == S.DELIVERED)
    )
    return count or 0

"""Who hears of an order's move, and what they read: one notification per person per move.

The one who made a move is not told of it; the other side is, and both are when the system
(payment, timers) or an admin moved the order. The notification's type says what the move
means to its reader: a buyer's payment went through, a seller was paid, a dispute was opened
or decided; every other move is ORDER_UPDATED.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from models.escrow import Movement, total
from models.ledger import AccountKind
from models.money import display
from models.notification import NotificationType
from models.order import Order, OrderStatus
from models.order_state import Actor
from resolvers.notifications import global_id, notify

if TYPE_CHECKING:
    from resolvers.context import Context

S, T = OrderStatus, NotificationType


@dataclass(frozen=True, slots=True)
class Notice:
    user_id: uuid.UUID
    type: NotificationType
    text: str


def move_notices(
    order: Any,
    previous: OrderStatus,
    to: OrderStatus,
    *,
    actor: Actor,
    reason: str | None,
    movement: Movement | None,
) -> list[Notice]:
    """What the order's buyer and seller are told of `order` moving from `previous` to `to`."""
    title = f"“{order.title}”"
    buyer, seller = order.buyer_id, order.seller_id
    if previous is S.PENDING_PAYMENT and to is S.IN_PROGRESS:
        paid = _money(order, total(order))
        due = f", due {order.due_at:%-d %b %Y}" if order.due_at is not None else ""
        return [
            Notice(buyer, T.PAYMENT_SUCCEEDED, f"Your payment of {paid} for {title} went through"),
            Notice(seller, T.ORDER_UPDATED, f"{title} is paid: the work can start{due}"),
        ]
    if to is S.DISPUTED:
        opened = f"A dispute was opened on {title}; the payment stays in escrow until an admin"
        return [
            Notice(user, T.DISPUTE_OPENED, f"{opened} decides: {reason}")
            for user in _others(order, actor)
        ]
    if previous is S.DISPUTED:
        decided = f"The dispute on {title} was decided"
        return [
            Notice(buyer, T.DISPUTE_RESOLVED, f"{decided}: {_refund_text(order, movement)}"),
            Notice(seller, T.DISPUTE_RESOLVED, f"{decided}: {_payout_text(order, movement)}"),
        ]
    if to is S.COMPLETED:
        paid = _payout_text(order, movement)
        notices = [Notice(seller, T.PAYOUT, f"{title} is complete: {paid}")]
        if actor is Actor.SYSTEM:
            text = f"{title} was completed: its review period ended without a revision request"
            notices.append(Notice(buyer, T.ORDER_UPDATED, text))
        return notices
    text = _update_text(order, title, to, actor=actor, reason=reason, movement=movement)
    return [Notice(user, T.ORDER_UPDATED, text) for user in _others(order, actor)]


def placed_notice(order: Order, buyer_name: str) -> Notice:
    """The seller's news of a new order for their gig."""
    text = f"{buyer_name} ordered “{order.title}” for {_money(order, order.price)}"
    return Notice(order.seller_id, T.ORDER_UPDATED, f"{text}; the work starts once it is paid")


def payment_failed_notice(order: Any, payment: Any) -> Notice:
    """The buyer's news that a payment for `order` did not go through."""
    why = f": {payment.failure_reason.rstrip('.')}" if payment.failure_reason else ""
    text = f"Your payment of {_money(order, payment.amount)} for “{order.title}” failed{why}"
    return Notice(order.buyer_id, T.PAYMENT_FAILED, f"{text}; you can pay again")


async def send(ctx: Context, order: Any, notices: list[Notice]) -> None:
    """Store and announce each notice about `order`, in the caller's transaction."""
    for notice in notices:
        await notify(
            ctx,
            user_id=notice.user_id,
            type=notice.type,
            text=notice.text,
            target_id=global_id("Order", order.id),
        )


def _others(order: Any, actor: Actor) -> list[uuid.UUID]:
    """Who did not make the move: the other side, or both when the system or an admin did."""
    if actor is Actor.BUYER:
        return [order.seller_id]
    if actor is Actor.SELLER:
        return [order.buyer_id]
    return [order.buyer_id, order.seller_id]


def _update_text(
    order: Any,
    title: str,
    to: OrderStatus,
    *,
    actor: Actor,
    reason: str | None,
    movement: Movement | None,
) -> str:
    because = f": {reason}" if reason and actor in (Actor.BUYER, Actor.SELLER) else ""
    by = {Actor.BUYER: " by the buyer", Actor.SELLER: " by the seller"}.get(actor, "")
    if to is S.DELIVERED:
        return f"{title} was delivered: approve it or ask for a revision"
    if to is S.REVISION_REQUESTED:
        return f"A revision of {title} was requested{because}"
    if to is S.IN_PROGRESS:
        return f"The seller started on the revision of {title}"
    if to is S.CANCELLED:
        if actor is Actor.SYSTEM:
            return f"{title} was cancelled: it was not paid in time"
        return f"{title} was cancelled{by}{because}"
    if to is S.REFUNDED:
        return f"{title} was cancelled{by}; {_refund_text(order, movement)}{because}"
    return f"{title} is now {to.value.replace('_', ' ').lower()}"


def _credited(movement: Movement | None, kind: AccountKind, user_id: Any = None) -> int:
    if movement is None:
        return 0
    return sum(
        leg.amount
        for leg in movement.legs
        if leg.kind is kind and leg.amount > 0 and (user_id is None or leg.user_id == user_id)
    )


def _payout_text(order: Any, movement: Movement | None) -> str:
    paid = _credited(movement, AccountKind.WALLET, order.seller_id)
    if not paid:
        return "the buyer was refunded in full"
    return f"{_money(order, paid)} was paid into your wallet"


def _refund_text(order: Any, movement: Movement | None) -> str:
    refunded = _credited(movement, AccountKind.REFUNDS)
    if not refunded:
        return "the payment was released to the seller"
    return f"{_money(order, refunded)} was refunded to you"


def _money(order: Any, minor: int) -> str:
    return display(minor, order.currency)

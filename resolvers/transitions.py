"""The one place an order changes status: lock, check, compare-and-set, record, move money."""

import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from models.errors import Forbidden, InvalidTransition, NotFound
from models.escrow import Movement, memo, movement_of
from models.order import Order, OrderEvent, OrderStatus
from models.order_state import Actor, Timing, check_transition, stamps
from models.settings import Settings
from models.user import User
from resolvers import ledger, order_notices
from resolvers.context import Context
from resolvers.order_chat import post_order_event
from resolvers.reputation import on_order_completed

logger = logging.getLogger("gigstream.orders")
S = OrderStatus


def timing(settings: Settings) -> Timing:
    return Timing(
        review_window=timedelta(seconds=settings.review_window_seconds),
        payment_expiry=timedelta(seconds=settings.payment_expiry_seconds),
    )


def may_see(viewer: Any, order: Any) -> bool:
    """Its buyer, its seller and admins see an order; nobody else learns that it exists."""
    return viewer is not None and (
        viewer.id in (order.buyer_id, order.seller_id) or viewer.role == "ADMIN"
    )


def role_of(viewer: Any, order: Any) -> Actor | None:
    """The capacity in which `viewer` acts on `order`: its buyer, its seller, an admin."""
    if viewer is None:
        return None
    if viewer.id == order.buyer_id:
        return Actor.BUYER
    if viewer.id == order.seller_id:
        return Actor.SELLER
    return Actor.ADMIN if viewer.role == "ADMIN" else None


async def lock_order(ctx: Context, order_id: uuid.UUID) -> Order | None:
    """The order, re-read under a row lock (PostgreSQL) that holds until the commit."""
    return await ctx.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def order_as(ctx: Context, order_id: uuid.UUID, *roles: Actor) -> tuple[Order, User, Actor]:
    """Lock the order for the viewer acting in one of `roles`: NOT_FOUND if they may not see
    it, FORBIDDEN if they may but act in none of them."""
    viewer = await ctx.require_viewer()
    order = await lock_order(ctx, order_id)
    if order is None or not may_see(viewer, order):
        raise NotFound("No such order", field="orderId")
    actor = role_of(viewer, order)
    if actor not in roles:
        names = " or ".join(role.value.lower() for role in roles)
        raise Forbidden(f"Only the order's {names} may do this")
    return order, viewer, actor


async def move(
    ctx: Context,
    order: Order,
    to: OrderStatus,
    *,
    actor: Actor,
    actor_id: uuid.UUID | None,
    reason: str | None = None,
    seller_share: int | None = None,
) -> OrderEvent:
    """Move a locked `order` to `to` as `actor`, with its event and its money, uncommitted;
    publish `orderUpdated` once the caller commits."""
    now = ctx.services.clock.now()
    check_transition(order, to, actor, now)
    previous = order.status
    # Compare-and-set on the version as well as the lock: SQLite has no row locks, and a
    # caller that read the order without one cannot move it from a status it no longer has.
    changed = await ctx.session.scalar(
        update(Order)
        .where(Order.id == order.id, Order.version == order.version)
        .values(
            status=to,
            version=Order.version + 1,
            **stamps(order, to, now, timing(ctx.settings)),
        )
        .returning(Order)
        .execution_options(populate_existing=True)
    )
    if changed is None:
        raise InvalidTransition(
            "This order changed in the meantime: reload it and try again", field="orderId"
        )
    event = OrderEvent(
        order_id=order.id,
        actor_id=actor_id,
        from_status=previous,
        to_status=to,
        reason=reason,
        at=now,
    )
    ctx.session.add(event)
    await post_order_event(ctx, order, event)
    movement = await _move_money(ctx, order, previous, to, seller_share=seller_share)
    notices = order_notices.move_notices(
        order, previous, to, actor=actor, reason=reason, movement=movement
    )
    await order_notices.send(ctx, order, notices)
    if to is S.COMPLETED:
        await on_order_completed(ctx, order)
    ctx.after_commit(lambda: publish(ctx, order, event))
    return event


async def _move_money(
    ctx: Context, order: Order, previous: OrderStatus, to: OrderStatus, *, seller_share: int | None
) -> Movement | None:
    """Post what the move does to the money, if anything; return that movement."""
    movement = movement_of(order, previous, to, seller_share=seller_share)
    if movement is not None:
        await ledger.post(ctx.session, movement, order_id=order.id, memo=memo(movement, order))
    return movement


def channels(order: Any) -> list[str]:
    """Where an order's events go: the order's own channel and each participant's."""
    return [
        f"order:{order.id}",
        f"user-orders:{order.buyer_id}",
        f"user-orders:{order.seller_id}",
    ]


async def publish(ctx: Context, order: Order, event: OrderEvent) -> None:
    """Tell subscribers which order moved; they reload it with their own permissions."""
    message = {
        "order": str(order.id),
        "status": event.to_status.value,
        "previous": event.from_status.value if event.from_status else None,
        "event": str(event.id),
    }
    for channel in channels(order):
        await ctx.services.broadcast.publish(channel, message)

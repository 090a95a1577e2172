"""Live order and notification streams: each event reloaded with the viewer's permissions."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from models.errors import NotFound
from models.notification import Notification
from models.order import OrderEvent
from models.user import User
from resolvers.chat_live import in_fresh, listening, next_event
from resolvers.orders import visible_order

if TYPE_CHECKING:
    from resolvers.context import Context


def _no_order() -> NotFound:
    return NotFound("No such order", field="orderId")


async def order_stream(ctx: Context, *, order_id: uuid.UUID | None) -> AsyncIterator[OrderEvent]:
    """An order's events (or every order of the viewer's), each reloaded for the viewer."""

    async def authorize(child: Context) -> User:
        viewer = await child.require_viewer()
        if order_id is not None and await visible_order(child, order_id=order_id) is None:
            raise _no_order()
        return viewer

    viewer = await in_fresh(ctx, authorize)
    channel = f"order:{order_id}" if order_id is not None else f"user-orders:{viewer.id}"
    async with listening(ctx, channel) as events:
        while True:
            event = await next_event(events)
            event_row = await _visible_event(ctx, event)
            if event_row is None:
                if order_id is not None and not await _still_sees(ctx, order_id):
                    raise _no_order()
                continue
            yield event_row


async def _still_sees(ctx: Context, order_id: uuid.UUID) -> bool:
    async def read(child: Context) -> bool:
        return await visible_order(child, order_id=order_id) is not None

    return await in_fresh(ctx, read)


async def _visible_event(ctx: Context, event: dict[str, Any]) -> OrderEvent | None:
    """The order's newest event, if the viewer may see the order; `None` otherwise."""
    try:
        order_id = uuid.UUID(str(event["order"]))
    except (KeyError, ValueError):
        return None  # a gap: nothing to reload for one order without a cursor

    async def read(child: Context) -> OrderEvent | None:
        if await visible_order(child, order_id=order_id) is None:
            return None
        return await child.session.scalar(
            select(OrderEvent)
            .where(OrderEvent.order_id == order_id)
            .order_by(OrderEvent.at.desc(), OrderEvent.created_at.desc())
            .limit(1)
        )

    return await in_fresh(ctx, read)


async def notification_stream(ctx: Context) -> AsyncIterator[Notification]:
    """The viewer's new notifications, each reloaded from the database."""
    viewer = await in_fresh(ctx, lambda child: child.require_viewer())
    async with listening(ctx, f"notifications:{viewer.id}") as events:
        while True:
            event = await next_event(events)
            try:
                notification_id = uuid.UUID(str(event["notification"]))
            except (KeyError, ValueError):
                continue
            notification = await in_fresh(
                ctx, lambda child, key=notification_id: child.session.get(Notification, key)
            )
            if notification is not None and notification.user_id == viewer.id:
                yield notification

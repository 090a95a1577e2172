"""The work on an order: deliver, ask for a revision, approve, cancel; and who sees which."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, or_, select, update

from models.errors import InvalidTransition
from models.file import FilePurpose, StoredFile
from models.order import (
    MESSAGE_MAX,
    REASON_MAX,
    Delivery,
    DeliveryFile,
    Order,
    OrderEvent,
    OrderStatus,
)
from models.order_state import Actor
from models.payment import Payment, PaymentStatus
from models.user import User
from models.validation import clean_text
from resolvers.context import Context
from resolvers.files import claim_ready_files, share_rule
from resolvers.pagination import Ordering, Page, SortKey, paginate
from resolvers.transitions import may_see, move, order_as

S = OrderStatus
ORDER_COLUMNS = tuple(Order.__table__.c)
ORDERS = Ordering(
    "orders",
    (
        SortKey("t", Order.created_at, descending=True, kind=datetime),
        SortKey("id", Order.id, descending=True, kind=uuid.UUID),
    ),
)


async def deliver_order(
    ctx: Context, *, order_id: uuid.UUID, message: str, file_ids: Sequence[uuid.UUID] = ()
) -> Order:
    """Deliver the work as the seller: a message and files; a revision is redelivered."""
    order, viewer, _ = await order_as(ctx, order_id, Actor.SELLER)
    if order.status is S.REVISION_REQUESTED:
        await move(
            ctx,
            order,
            S.IN_PROGRESS,
            actor=Actor.SELLER,
            actor_id=viewer.id,
            reason="The seller reworks the delivery",
        )
    elif order.status is S.PENDING_PAYMENT:
        raise InvalidTransition("The order is not paid for yet: wait for it", field="orderId")
    text = clean_text(message, field="message", max_length=MESSAGE_MAX, required=True)
    files = await claim_ready_files(
        ctx, file_ids=list(file_ids), purpose=FilePurpose.DELIVERY, field="fileIds"
    )
    await move(ctx, order, S.DELIVERED, actor=Actor.SELLER, actor_id=viewer.id)
    count = await ctx.session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.order_id == order.id)
    )
    delivery = Delivery(
        order_id=order.id,
        message=text,
        number=(count or 0) + 1,
        created_at=ctx.services.clock.now(),
    )
    ctx.session.add(delivery)
    await ctx.session.flush()
    ctx.session.add_all(DeliveryFile(delivery_id=delivery.id, file_id=f.id) for f in files)
    await ctx.commit()
    return order


async def request_revision(ctx: Context, *, order_id: uuid.UUID, reason: str) -> Order:
    """Send a delivery back for rework as the buyer, within the revisions included."""
    order, viewer, _ = await order_as(ctx, order_id, Actor.BUYER)
    text = clean_text(reason, field="reason", max_length=REASON_MAX, required=True)
    await move(ctx, order, S.REVISION_REQUESTED, actor=Actor.BUYER, actor_id=viewer.id, reason=text)
    await ctx.commit()
    return order


async def approve_order(ctx: Context, *, order_id: uuid.UUID) -> Order:
    """Accept the delivery as the buyer: the escrow goes to the seller, less the platform fee."""
    order, viewer, _ = await order_as(ctx, order_id, Actor.BUYER)
    await move(ctx, order, S.COMPLETED, actor=Actor.BUYER, actor_id=viewer.id)
    await ctx.commit()
    return order


async def cancel_order(ctx: Context, *, order_id: uuid.UUID, reason: str | None = None) -> Order:
    """Cancel: freely before payment; after it with a full refund, by the seller any time
    before delivery and by the buyer once the order is late."""
    order, viewer, actor = await order_as(ctx, order_id, Actor.BUYER, Actor.SELLER)
    text = clean_text(reason, field="reason", max_length=REASON_MAX)
    to = S.CANCELLED if order.status is S.PENDING_PAYMENT else S.REFUNDED
    await move(ctx, order, to, actor=actor, actor_id=viewer.id, reason=text)
    if to is S.CANCELLED:
        await cancel_open_payments(ctx, order.id)
    await ctx.commit()
    return order


async def cancel_open_payments(ctx: Context, order_id: uuid.UUID) -> None:
    """Payments not yet confirmed will never fund this order; a late success is returned."""
    await ctx.session.execute(
        update(Payment)
        .where(Payment.order_id == order_id, Payment.status == PaymentStatus.REQUIRES_CONFIRMATION)
        .values(status=PaymentStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )


async def visible_order(ctx: Context, *, order_id: uuid.UUID) -> Order | None:
    """An order, for its buyer, its seller and admins; `None` for anyone else."""
    viewer = await ctx.viewer()
    if viewer is None:
        return None
    order = await ctx.session.get(Order, order_id)
    return order if order is not None and may_see(viewer, order) else None


async def visible_event(ctx: Context, *, event_id: uuid.UUID) -> OrderEvent | None:
    """An order's event, for whoever sees the order."""
    event = await ctx.session.get(OrderEvent, event_id)
    if event is None or await visible_order(ctx, order_id=event.order_id) is None:
        return None
    return event


async def visible_delivery(ctx: Context, *, delivery_id: uuid.UUID) -> Delivery | None:
    """An order's delivery, for whoever sees the order."""
    delivery = await ctx.session.get(Delivery, delivery_id)
    if delivery is None or await visible_order(ctx, order_id=delivery.order_id) is None:
        return None
    return delivery


async def my_orders(
    ctx: Context,
    *,
    role: Actor | None,
    statuses: Sequence[OrderStatus] | None,
    first: int | None,
    after: str | None,
) -> Page:
    """The viewer's orders, newest first: as buyer, as seller, or both."""
    viewer = await ctx.require_viewer()
    statement = select(*ORDER_COLUMNS)
    if role is Actor.BUYER:
        statement = statement.where(Order.buyer_id == viewer.id)
    elif role is Actor.SELLER:
        statement = statement.where(Order.seller_id == viewer.id)
    else:
        statement = statement.where(or_(Order.buyer_id == viewer.id, Order.seller_id == viewer.id))
    if statuses:
        statement = statement.where(Order.status.in_(list(statuses)))
    return await paginate(ctx.session, statement, ORDERS, first=first, after=after)


@share_rule(FilePurpose.DELIVERY)
async def _buyer_reads_deliveries(ctx: Context, file: StoredFile, viewer: User) -> bool:
    """The buyer of an order may download what was delivered to it."""
    delivered = (
        select(DeliveryFile.id)
        .join(Delivery, Delivery.id == DeliveryFile.delivery_id)
        .join(Order, Order.id == Delivery.order_id)
        .where(DeliveryFile.file_id == file.id, Order.buyer_id == viewer.id)
    )
    return bool(await ctx.session.scalar(select(exists(delivered))))

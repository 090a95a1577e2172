"""Paying for an order: a payment intent from the provider; the simulator's confirmation."""

import hashlib
import logging
import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import select

from models.errors import DomainError, ErrorCode, Forbidden, InvalidTransition, NotFound
from models.escrow import total
from models.order import Order, OrderStatus
from models.order_state import Actor, expired
from models.payment import Payment, PaymentStatus
from resolvers.context import Context
from resolvers.orders import cancel_open_payments
from resolvers.transitions import may_see, order_as

logger = logging.getLogger("gigstream.payments")


@dataclass(frozen=True, slots=True)
class Funding:
    """A new payment intent; its client secret is shown this once and kept only as a hash."""

    order: Order
    payment: Payment
    client_secret: str | None


async def fund_order(ctx: Context, *, order_id: uuid.UUID) -> Funding:
    """Start paying for your order: a payment intent for its price and the buyer's fee."""
    order, _viewer, _ = await order_as(ctx, order_id, Actor.BUYER)
    if order.status is not OrderStatus.PENDING_PAYMENT:
        raise InvalidTransition(f"A {order.status.value} order takes no payment", field="orderId")
    if expired(order, ctx.services.clock.now()):
        raise InvalidTransition(
            "The time to pay for this order is over", code=ErrorCode.ORDER_EXPIRED, field="orderId"
        )
    # An earlier intent the buyer abandoned can no longer be confirmed; one that succeeds at
    # the provider anyway is returned by the webhook, never funds the order twice.
    await cancel_open_payments(ctx, order.id)
    provider = ctx.services.payments
    amount = total(order)
    intent = await provider.create_intent(
        amount=amount, currency=order.currency, metadata={"order": str(order.id)}
    )
    payment = Payment(
        order_id=order.id,
        provider=provider.name,
        provider_payment_id=intent.reference,
        amount=amount,
        currency=order.currency,
        client_secret_hash=hashlib.sha256(intent.client_secret.encode()).hexdigest(),
    )
    ctx.session.add(payment)
    await ctx.commit()
    return Funding(order, payment, intent.client_secret)


async def confirm_payment(ctx: Context, *, payment_id: uuid.UUID, succeeded: bool) -> Funding:
    """Play the buyer's bank: have the simulator send the signed webhook of the outcome."""
    viewer = await ctx.require_viewer()
    payment = await ctx.session.get(Payment, payment_id)
    order = payment and await ctx.session.get(Order, payment.order_id)
    if payment is None or order is None or not may_see(viewer, order):
        raise NotFound("No such payment intent", field="paymentIntentId")
    if viewer.id != order.buyer_id:
        raise Forbidden("Only the buyer confirms a payment")
    provider = ctx.services.payments
    if payment.provider != provider.name or not hasattr(provider, "deliver"):
        raise InvalidTransition("This payment is not the simulator's", field="paymentIntentId")
    if payment.status is not PaymentStatus.REQUIRES_CONFIRMATION:
        raise InvalidTransition(
            f"This payment intent is {payment.status.value}", field="paymentIntentId"
        )
    now = ctx.services.clock.now()
    event = provider.event(
        reference=payment.provider_payment_id,
        amount=payment.amount,
        currency=payment.currency,
        succeeded=succeeded,
        now=now,
    )
    # End this request's transaction first: on SQLite it holds the write lock the webhook needs.
    await ctx.commit()
    try:
        response = await provider.deliver(event, now=now)
    except httpx.HTTPError as error:
        logger.error("the simulator could not deliver %s: %s", event["id"], error)
        raise _undelivered(str(error)) from None
    if response.status_code != 200:
        raise _undelivered(f"the webhook endpoint answered {response.status_code}")
    return await _reloaded(ctx, payment.id)


async def _reloaded(ctx: Context, payment_id: uuid.UUID) -> Funding:
    payment = await ctx.session.scalar(
        select(Payment).where(Payment.id == payment_id).execution_options(populate_existing=True)
    )
    order = await ctx.session.scalar(
        select(Order).where(Order.id == payment.order_id).execution_options(populate_existing=True)
    )
    await ctx.commit()
    return Funding(order, payment, None)


def _undelivered(why: str) -> DomainError:
    return DomainError(
        f"The simulated webhook was not delivered: {why}",
        code=ErrorCode.WEBHOOK_DELIVERY_FAILED,
        field="paymentIntentId",
    )


async def visible_payment(ctx: Context, *, payment_id: uuid.UUID) -> Payment | None:
    """A payment intent, for whoever sees its order."""
    viewer = await ctx.viewer()
    payment = await ctx.session.get(Payment, payment_id) if viewer is not None else None
    order = payment and await ctx.session.get(Order, payment.order_id)
    return payment if order is not None and may_see(viewer, order) else None

"""Payment webhooks: verified over the raw body, recorded once, applied with their effect.

The event's row and everything it changes commit together, so a redelivery (in any order, at
any time, concurrently) finds the event recorded and changes nothing.
"""

import enum
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models.catalog import Gig
from models.errors import DomainError
from models.escrow import returned
from models.order import Order, OrderStatus
from models.order_state import Actor
from models.payment import Payment, PaymentStatus, WebhookEvent
from resolvers import ledger, order_notices
from resolvers.context import Context, Services
from resolvers.payments import EventKind, MalformedEvent, ProviderEvent
from resolvers.payments.signing import SignatureError
from resolvers.transitions import lock_order, move

logger = logging.getLogger("gigstream.payments")


class Outcome(enum.StrEnum):
    FUNDED = "FUNDED"
    RETURNED = "RETURNED"  # paid for an order that could not take it: straight back
    FAILED = "FAILED"
    ALREADY_APPLIED = "ALREADY_APPLIED"
    UNKNOWN_PAYMENT = "UNKNOWN_PAYMENT"
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
    IGNORED = "IGNORED"


@dataclass(frozen=True, slots=True)
class Reply:
    """What the webhook endpoint answers: 2xx tells the provider to stop retrying."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)


async def receive_webhook(services: Services, *, provider: str, body: bytes, headers: Any) -> Reply:
    """Verify, record and apply one webhook delivery."""
    payments = services.payments
    if payments is None or payments.name != provider:
        return Reply(404, {"error": f"No payment provider {provider!r} here"})
    try:
        event = payments.read_webhook(body, headers, now=services.clock.now())
    except SignatureError as error:
        logger.warning("webhook refused: %s", error.reason)
        return Reply(400, {"error": error.reason})
    except MalformedEvent as error:
        logger.warning("webhook refused: %s", error)
        return Reply(400, {"error": str(error)})
    ctx = Context(services)
    try:
        return await _apply(ctx, provider, event)
    except DomainError as error:
        # Only a bug gets here (the order is locked): let the provider retry later.
        await ctx.rollback()
        logger.error("webhook %s not applied: %s", event.event_id, error.message)
        return Reply(409, {"error": error.message})
    finally:
        await ctx.close()


async def _apply(ctx: Context, provider: str, event: ProviderEvent) -> Reply:
    recorded = await _record(ctx, provider, event)
    if recorded is None:
        first = await ctx.session.scalar(
            select(WebhookEvent.signature).where(
                WebhookEvent.provider == provider, WebhookEvent.event_id == event.event_id
            )
        )
        await ctx.rollback()
        if first == event.signature:
            # The very request we already took, sent again: a replay, not a redelivery
            # (a provider signs each delivery afresh).
            return Reply(400, {"error": "This delivery was already received"})
        return Reply(200, {"received": True, "duplicate": True})
    outcome = await _effect(ctx, provider, event)
    await ctx.session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == recorded)
        .values(outcome=outcome.value, processed_at=ctx.services.clock.now())
    )
    await ctx.commit()
    logger.info("webhook %s (%s): %s", event.event_id, event.type, outcome.value)
    return Reply(200, {"received": True, "outcome": outcome.value})


async def _record(ctx: Context, provider: str, event: ProviderEvent) -> Any:
    """Insert the event unless its id is known; the new row's id, or None for a known one.

    A concurrent delivery of the same event waits on the unique key until this transaction
    ends, then sees the row.
    """
    row = WebhookEvent(
        provider=provider,
        event_id=event.event_id,
        type=event.type,
        payload=event.payload,
        signature=event.signature,
    ).model_dump()
    session = ctx.session
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    return await session.scalar(
        insert(WebhookEvent)
        .values(row)
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(WebhookEvent.id)
    )


async def _effect(ctx: Context, provider: str, event: ProviderEvent) -> Outcome:
    if event.kind is EventKind.OTHER:
        return Outcome.IGNORED
    session = ctx.session
    order_id = await session.scalar(
        select(Payment.order_id).where(
            Payment.provider == provider, Payment.provider_payment_id == event.reference
        )
    )
    if order_id is None:
        logger.warning("webhook %s names an unknown payment %s", event.event_id, event.reference)
        return Outcome.UNKNOWN_PAYMENT
    # The order first, then its payment: the order that every other path locks first.
    order = await lock_order(ctx, order_id)
    payment = await session.scalar(
        select(Payment)
        .where(Payment.provider == provider, Payment.provider_payment_id == event.reference)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert order is not None
    assert payment is not None
    if (event.amount, event.currency) != (payment.amount, payment.currency):
        logger.error(
            "webhook %s: %s %s for payment %s of %s %s",
            event.event_id,
            event.amount,
            event.currency,
            payment.id,
            payment.amount,
            payment.currency,
        )
        return Outcome.AMOUNT_MISMATCH
    if event.kind is EventKind.FAILED:
        return await _failed(ctx, order, payment, event)
    return await _succeeded(ctx, order, payment)


async def _failed(ctx: Context, order: Order, payment: Payment, event: ProviderEvent) -> Outcome:
    # A failure never undoes a success, however late it arrives.
    if payment.status not in (PaymentStatus.REQUIRES_CONFIRMATION, PaymentStatus.FAILED):
        return Outcome.IGNORED
    first = payment.status is PaymentStatus.REQUIRES_CONFIRMATION
    payment.status, payment.failure_reason = PaymentStatus.FAILED, event.failure
    if first:  # the buyer hears once of each payment that failed
        await order_notices.send(ctx, order, [order_notices.payment_failed_notice(order, payment)])
    return Outcome.FAILED


async def _succeeded(ctx: Context, order: Order, payment: Payment) -> Outcome:
    if payment.status is PaymentStatus.SUCCEEDED:
        return Outcome.ALREADY_APPLIED
    payment.status, payment.failure_reason = PaymentStatus.SUCCEEDED, None
    if order.status is OrderStatus.PENDING_PAYMENT:
        await move(
            ctx,
            order,
            OrderStatus.IN_PROGRESS,
            actor=Actor.SYSTEM,
            actor_id=None,
            reason="The payment was confirmed",
        )
        await ctx.session.execute(
            update(Gig).where(Gig.id == order.gig_id).values(order_count=Gig.order_count + 1)
        )
        return Outcome.FUNDED
    # Money arrived for an order that was cancelled meanwhile, or already paid by another
    # payment: it must not sit anywhere, so it goes straight back to the buyer.
    memo = f"Returned payment for order “{order.title}” ({order.status.value})"
    await ledger.post(ctx.session, returned(payment), order_id=order.id, memo=memo)
    return Outcome.RETURNED

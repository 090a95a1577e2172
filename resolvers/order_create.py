"""Creating orders: buying a package of a SERVICE, hiring the applicant of a REQUEST."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from models.catalog import (
    Application,
    ApplicationStatus,
    Gig,
    GigKind,
    GigPackage,
    GigStatus,
    PackageTier,
)
from models.chat import Conversation, ConversationKind, ConversationParticipant
from models.errors import ErrorCode, Forbidden, InvalidTransition, NotFound, ValidationFailed
from models.gig_rules import OWNER, check_gig_transition
from models.money import share, split_fee
from models.notification import NotificationType
from models.order import REQUIREMENTS_MAX, Order, OrderEvent, OrderStatus
from models.order_state import HIRE_REVISIONS
from models.user import User
from models.validation import clean_text
from resolvers.context import Context
from resolvers.idempotency import Keyed, is_key_conflict
from resolvers.notifications import global_id, notify
from resolvers.order_chat import post_order_event
from resolvers.order_notices import placed_notice, send
from resolvers.transitions import publish


async def place_order(
    ctx: Context,
    *,
    gig_id: uuid.UUID,
    tier: PackageTier,
    requirements: str | None = None,
    idempotency_key: str | None = None,
) -> Order:
    """Buy a package of an ACTIVE SERVICE gig at its price of this moment."""
    viewer = await ctx.require_viewer()
    text = clean_text(requirements, field="requirements", max_length=REQUIREMENTS_MAX) or ""
    request = {"gigId": gig_id, "package": tier.value, "requirements": text}
    keyed = Keyed.of(viewer.id, "placeOrder", idempotency_key, request)

    async def create() -> uuid.UUID:
        # FOR SHARE: the gig and its packages stay as they are until the order commits.
        gig = await ctx.session.scalar(
            select(Gig).where(Gig.id == gig_id).with_for_update(read=True)
        )
        if gig is None or (gig.published_at is None and gig.owner_id != viewer.id):
            raise NotFound("No such gig", field="gigId")
        _check_buyable(gig, viewer)
        package = await ctx.session.scalar(
            select(GigPackage).where(GigPackage.gig_id == gig.id, GigPackage.tier == tier)
        )
        if package is None:
            raise ValidationFailed(
                f"This gig has no {tier.value} package", code=ErrorCode.NOT_FOUND, field="package"
            )
        order = _new_order(
            ctx,
            gig=gig,
            buyer_id=viewer.id,
            seller_id=gig.owner_id,
            price=package.price,
            currency=package.currency,
            delivery_days=package.delivery_days,
            revisions=package.revisions,
            requirements=text,
            package_id=package.id,
        )
        if keyed is not None:
            await keyed.claim(ctx, order.id)
        await send(ctx, order, [placed_notice(order, viewer.name)])
        await _open(ctx, order, viewer)
        return order.id

    return await _order(ctx, await _once(ctx, keyed, create))


async def accept_application(
    ctx: Context, *, application_id: uuid.UUID, idempotency_key: str | None = None
) -> Order:
    """Hire the applicant of your REQUEST gig at their price; decline the other applicants."""
    viewer = await ctx.require_viewer()
    keyed = Keyed.of(
        viewer.id, "acceptApplication", idempotency_key, {"applicationId": application_id}
    )

    async def create() -> uuid.UUID:
        # The gig first, then the application: hiring declines the gig's other applications,
        # so two hires on one gig must queue on the gig, not each hold an application.
        gig_id = await ctx.session.scalar(
            select(Application.gig_id).where(Application.id == application_id)
        )
        gig = gig_id and await ctx.session.scalar(
            select(Gig).where(Gig.id == gig_id).with_for_update()
        )
        application = gig and await ctx.session.scalar(
            select(Application)
            .where(Application.id == application_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if application is None or gig is None or not _may_see(viewer, application, gig):
            raise NotFound("No such application", field="applicationId")
        if gig.owner_id != viewer.id:
            raise Forbidden("Only the gig's owner may hire its applicants")
        if keyed is not None and (earlier := await keyed.earlier(ctx)) is not None:
            return earlier  # a retry that waited for the first call's lock
        _check_hirable(gig, application)
        order = _new_order(
            ctx,
            gig=gig,
            buyer_id=viewer.id,
            seller_id=application.freelancer_id,
            price=application.price,
            currency=application.currency,
            delivery_days=application.delivery_days,
            revisions=HIRE_REVISIONS,
            requirements=gig.description[:REQUIREMENTS_MAX],
            application_id=application.id,
        )
        if keyed is not None:
            await keyed.claim(ctx, order.id)
        await _hire(ctx, gig, application, order)
        await _open(ctx, order, viewer)
        return order.id

    return await _order(ctx, await _once(ctx, keyed, create))


async def _once(
    ctx: Context, keyed: Keyed | None, create: Callable[[], Awaitable[uuid.UUID]]
) -> uuid.UUID:
    """Run `create` unless the key names an earlier result; a concurrent twin's wins."""
    if keyed is not None and (earlier := await keyed.earlier(ctx)) is not None:
        return earlier
    try:
        return await create()
    except IntegrityError as error:
        if keyed is None or not is_key_conflict(error):
            raise
        await ctx.rollback()
        earlier = await keyed.earlier(ctx)
        if earlier is None:
            raise
        return earlier


async def _order(ctx: Context, order_id: uuid.UUID) -> Order:
    order = await ctx.session.get(Order, order_id)
    if order is None:  # an idempotency record outlived its order: not something clients cause
        raise NotFound("The order of this idempotency key no longer exists", field="orderId")
    return order


def _may_see(viewer: User, application: Application, gig: Gig) -> bool:
    return viewer.id in (gig.owner_id, application.freelancer_id) or viewer.is_admin


def _check_buyable(gig: Gig, viewer: User) -> None:
    if gig.owner_id == viewer.id:
        raise ValidationFailed("You cannot buy your own gig", code=ErrorCode.OWN_GIG, field="gigId")
    if gig.kind is not GigKind.SERVICE:
        raise ValidationFailed(
            "Only a SERVICE gig is bought; hire for a REQUEST with acceptApplication",
            field="gigId",
        )
    if gig.status is not GigStatus.ACTIVE:
        raise ValidationFailed(
            "This gig is not for sale right now", code=ErrorCode.GIG_NOT_ACTIVE, field="gigId"
        )


def _check_hirable(gig: Gig, application: Application) -> None:
    if application.freelancer_id == gig.owner_id:
        raise ValidationFailed(
            "You cannot hire yourself", code=ErrorCode.OWN_GIG, field="applicationId"
        )
    if application.status is not ApplicationStatus.PENDING:
        raise InvalidTransition(
            f"This application is already {application.status.value}", field="applicationId"
        )
    if gig.kind is not GigKind.REQUEST or gig.status is GigStatus.ARCHIVED:
        raise ValidationFailed(
            "This gig is not hiring", code=ErrorCode.GIG_NOT_ACTIVE, field="applicationId"
        )


def _new_order(
    ctx: Context,
    *,
    gig: Gig,
    buyer_id: uuid.UUID,
    seller_id: uuid.UUID,
    price: int,
    currency: str,
    delivery_days: int,
    revisions: int,
    requirements: str,
    **source: Any,
) -> Order:
    """An order at `price`, its fees fixed now, payable within the payment window."""
    settings, now = ctx.settings, ctx.services.clock.now()
    fee, _net = split_fee(price, settings.platform_fee_bps)
    return Order(
        gig_id=gig.id,
        buyer_id=buyer_id,
        seller_id=seller_id,
        title=gig.title,
        requirements=requirements,
        price=price,
        currency=currency,
        fee=fee,
        fee_bps=settings.platform_fee_bps,
        buyer_fee=share(price, settings.buyer_fee_bps),
        delivery_days=delivery_days,
        revisions_included=revisions,
        expires_at=now + timedelta(seconds=settings.payment_expiry_seconds),
        **source,
    )


async def _open(ctx: Context, order: Order, viewer: User) -> None:
    """Write the order, its first event and its conversation opened with a note of it; commit;
    announce it."""
    now = ctx.services.clock.now()
    event = OrderEvent(
        order_id=order.id,
        actor_id=viewer.id,
        from_status=None,
        to_status=OrderStatus.PENDING_PAYMENT,
        at=now,
    )
    conversation = Conversation(kind=ConversationKind.ORDER, order_id=order.id, gig_id=order.gig_id)
    ctx.session.add(order)
    await ctx.session.flush()
    ctx.session.add_all([event, conversation])
    await ctx.session.flush()
    ctx.session.add_all(
        ConversationParticipant(conversation_id=conversation.id, user_id=user_id)
        for user_id in (order.buyer_id, order.seller_id)
    )
    await post_order_event(ctx, order, event)
    ctx.after_commit(lambda: publish(ctx, order, event))
    await ctx.commit()


async def _hire(ctx: Context, gig: Gig, application: Application, order: Order) -> None:
    """Accept one application, decline and notify the rest, and stop taking new ones."""
    now = ctx.services.clock.now()
    application.status, application.decided_at = ApplicationStatus.ACCEPTED, now
    declined = await ctx.session.execute(
        update(Application)
        .where(
            Application.gig_id == gig.id,
            Application.id != application.id,
            Application.status == ApplicationStatus.PENDING,
        )
        .values(status=ApplicationStatus.DECLINED, decided_at=now)
        .returning(Application.id, Application.freelancer_id)
        .execution_options(synchronize_session=False)
    )
    await notify(
        ctx,
        user_id=application.freelancer_id,
        type=NotificationType.APPLICATION_ACCEPTED,
        text=f"Your application to “{gig.title}” was accepted: you are hired",
        target_id=global_id("Order", order.id),
    )
    for row in declined.all():
        await notify(
            ctx,
            user_id=row.freelancer_id,
            type=NotificationType.APPLICATION_DECLINED,
            text=f"Your application to “{gig.title}” was declined: another applicant was hired",
            target_id=global_id("Application", row.id),
        )
    if gig.status is GigStatus.ACTIVE:
        check_gig_transition(gig.status, GigStatus.PAUSED, roles={OWNER})
        gig.status = GigStatus.PAUSED

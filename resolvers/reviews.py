"""Reviews after a completed order: double-blind, published together, replied to, moderated.

Both sides of a COMPLETED order may review each other once, within the review window
(`REVIEW_BLIND_WINDOW_SECONDS` from completion). A review stays with its author until the other
side has written theirs (then both are published at once) or the window closes (then
`publish_due_reviews` publishes what was written). Publishing, and hiding a published review,
change the reputation aggregates in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from models.audit import AuditLog
from models.errors import (
    Conflict,
    ErrorCode,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from models.notification import NotificationType
from models.order import Order, OrderStatus
from models.review import COMMENT_MAX, HIDDEN_REASON_MAX, REPLY_MAX, Review
from models.user import User
from models.validation import clean_text
from resolvers.badges import award_badges
from resolvers.notifications import current_time, global_id, notify
from resolvers.pagination import Ordering, Page, SortKey, page_size
from resolvers.reputation import count_review

if TYPE_CHECKING:
    from resolvers.context import Context

RATING_MIN, RATING_MAX = 1, 5
SUB_RATINGS = ("communication", "quality", "timeliness")
PUBLISH_BATCH = 100

# The public lists: published, not hidden, newest first. Built once; the loaders page them.
REVIEW_COLUMNS = tuple(Review.__table__.c)
NEWEST_REVIEWS = Ordering(
    "reviews",
    (
        SortKey("t", Review.published_at, descending=True, kind=datetime),
        SortKey("id", Review.id, descending=True, kind=uuid.UUID),
    ),
)
PUBLIC_REVIEWS = select(*REVIEW_COLUMNS).where(
    Review.published_at.is_not(None), Review.hidden_at.is_(None)
)
# A gig's reviews are its buyers' (of the work), as its rating counts them.
GIG_REVIEWS = PUBLIC_REVIEWS.join(Order, Order.id == Review.order_id).where(
    Review.author_id == Order.buyer_id
)


async def submit_review(
    ctx: Context,
    *,
    order_id: uuid.UUID,
    rating: int,
    comment: str | None,
    communication: int | None = None,
    quality: int | None = None,
    timeliness: int | None = None,
) -> Review:
    """Review the other side of a COMPLETED order you bought or sold, once, within the window."""
    viewer = await ctx.require_viewer()
    _check_rating(rating, field="rating")
    text = clean_text(comment, field="comment", max_length=COMMENT_MAX) or ""
    details = {"communication": communication, "quality": quality, "timeliness": timeliness}
    for name, value in details.items():
        if value is not None:
            _check_rating(value, field=name)
    # Locked, so the two sides' reviews arrive one after the other and the second one sees
    # the first: a double-blind pair is always published together.
    order = await ctx.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    sides = (order.buyer_id, order.seller_id) if order is not None else ()
    if order is None or (viewer.id not in sides and not viewer.is_admin):
        raise NotFound("No such order", field="orderId")
    if viewer.id not in sides:
        raise ValidationFailed(
            "Only the order's buyer and seller review it",
            code=ErrorCode.NOT_ALLOWED,
            field="orderId",
        )
    if order.status is not OrderStatus.COMPLETED or order.completed_at is None:
        raise InvalidTransition(
            "Only a completed order can be reviewed",
            code=ErrorCode.ORDER_NOT_COMPLETED,
            field="orderId",
        )
    at = current_time(ctx)
    if at >= window_closes(ctx, order):
        raise ValidationFailed(
            "The time to review this order is over",
            code=ErrorCode.REVIEW_WINDOW_CLOSED,
            field="orderId",
        )
    by_buyer = viewer.id == order.buyer_id
    if not by_buyer:
        for name, value in details.items():
            if value is not None:
                raise ValidationFailed(f"only a review of the seller rates {name}", field=name)
    existing = list(await ctx.session.scalars(select(Review).where(Review.order_id == order.id)))
    if any(review.author_id == viewer.id for review in existing):
        raise Conflict(
            "You have already reviewed this order", code=ErrorCode.ALREADY_REVIEWED, field="orderId"
        )
    subject_id = order.seller_id if by_buyer else order.buyer_id
    review = Review(
        order_id=order.id,
        author_id=viewer.id,
        subject_id=subject_id,
        gig_id=order.gig_id,
        rating=rating,
        comment=text,
        **details,
    )
    ctx.session.add(review)
    await ctx.session.flush()
    if existing:
        # The second of the pair: both are published now, and each subject hears of it once.
        for each in (*existing, review):
            await _publish(ctx, each, order, at)
    else:
        await notify(
            ctx,
            user_id=subject_id,
            type=NotificationType.REVIEW_RECEIVED,
            text=f"{viewer.name} reviewed you on “{order.title}”: review them too to see it",
            target_id=global_id("Order", order.id),
        )
    await ctx.commit()
    return review


async def reply_to_review(ctx: Context, *, review_id: uuid.UUID, reply: str) -> Review:
    """Answer a published review of you, once, in public."""
    viewer = await ctx.require_viewer()
    review = await _locked_visible(ctx, viewer, review_id)
    if review.subject_id != viewer.id:
        raise ValidationFailed(
            "Only the person reviewed may reply", code=ErrorCode.NOT_ALLOWED, field="reviewId"
        )
    if review.reply is not None:
        raise Conflict(
            "You have already replied to this review",
            code=ErrorCode.ALREADY_REPLIED,
            field="reviewId",
        )
    review.reply = clean_text(reply, field="reply", max_length=REPLY_MAX, required=True)
    review.replied_at = current_time(ctx)
    await ctx.commit()
    return review


async def hide_review(ctx: Context, *, review_id: uuid.UUID, reason: str) -> Review:
    """Hide an abusive review as an admin; it stops counting in the ratings at once."""
    viewer = await ctx.require_viewer()
    review = await _locked_visible(ctx, viewer, review_id)
    if not viewer.is_admin:
        raise ValidationFailed(
            "Only an admin may hide a review", code=ErrorCode.NOT_ALLOWED, field="reviewId"
        )
    why = clean_text(reason, field="reason", max_length=HIDDEN_REASON_MAX, required=True)
    if review.hidden_at is not None:
        raise Conflict(
            "This review is already hidden", code=ErrorCode.ALREADY_HIDDEN, field="reviewId"
        )
    review.hidden_at, review.hidden_by_id, review.hidden_reason = current_time(ctx), viewer.id, why
    if review.published_at is not None:
        buyer_id = await ctx.session.scalar(
            select(Order.buyer_id).where(Order.id == review.order_id)
        )
        await count_review(ctx, review, buyer_id=buyer_id, sign=-1)
    ctx.session.add(
        AuditLog(
            actor_id=viewer.id,
            action="review.hide",
            target_type="review",
            target_id=review.id,
            detail={"reason": why, "subject_id": str(review.subject_id)},
        )
    )
    await ctx.commit()
    return review


async def publish_due_reviews(ctx: Context, *, now: datetime) -> int:
    """Publish the reviews whose order's review window closed by `now`; return how many.

    For a scheduler tick; several processes may run it at once: each review is published by a
    compare-and-set (`published_at IS NULL`) in a transaction of its own, so only one process
    publishes it, counts it in the ratings and announces it.
    """
    cutoff = now - timedelta(seconds=ctx.settings.review_blind_window_seconds)
    published = 0
    while True:
        due = list(
            await ctx.session.scalars(
                select(Review.id)
                .join(Order, Order.id == Review.order_id)
                .where(Review.published_at.is_(None), Order.completed_at <= cutoff)
                .order_by(Order.completed_at, Review.id)
                .limit(PUBLISH_BATCH)
            )
        )
        for review_id in due:
            review = await ctx.session.get(Review, review_id, populate_existing=True)
            order = await ctx.session.get(Order, review.order_id) if review else None
            if review is not None and order is not None and await _publish(ctx, review, order, now):
                published += 1
            await ctx.commit()
        if len(due) < PUBLISH_BATCH:
            return published


def window_closes(ctx: Context, order: Any) -> datetime:
    """When the order's reviews are published whether or not both sides wrote one."""
    return order.completed_at + timedelta(seconds=ctx.settings.review_blind_window_seconds)


def may_see(viewer: Any | None, review: Any) -> bool:
    """Published, visible reviews are public; their author and admins see the rest."""
    if review.published_at is not None and review.hidden_at is None:
        return True
    return viewer is not None and (viewer.id == review.author_id or viewer.is_admin)


async def visible_review(ctx: Context, *, review_id: uuid.UUID) -> Review | None:
    """A review, if the viewer may see it; `None` otherwise."""
    review = await ctx.session.get(Review, review_id)
    if review is None or not may_see(await ctx.viewer(), review):
        return None
    return review


async def order_reviews(ctx: Context, *, order: Any) -> list[Any]:
    """An order's reviews the viewer may see: the published ones and their own, oldest first."""
    viewer = await ctx.viewer()
    found = await ctx.loaders.orders.reviews_by_order_id.load(order.id)
    return [review for review in found if may_see(viewer, review)]


@dataclass(frozen=True, slots=True)
class ReviewState:
    """Where an order's double-blind reviews stand, for one of its two sides."""

    reviewed: bool
    other_side_reviewed: bool
    published: bool
    closes_at: datetime
    can_review: bool


async def review_state(ctx: Context, *, order: Any) -> ReviewState | None:
    """The state of a completed order's reviews for its buyer or seller; `None` for others."""
    viewer = await ctx.viewer()
    sides = (order.buyer_id, order.seller_id)
    if viewer is None or viewer.id not in sides or order.completed_at is None:
        return None
    if order.status is not OrderStatus.COMPLETED:
        return None
    found = await ctx.loaders.orders.reviews_by_order_id.load(order.id)
    reviewed = any(review.author_id == viewer.id for review in found)
    closes_at = window_closes(ctx, order)
    return ReviewState(
        reviewed=reviewed,
        other_side_reviewed=any(review.author_id != viewer.id for review in found),
        published=any(review.published_at is not None for review in found),
        closes_at=closes_at,
        can_review=not reviewed and current_time(ctx) < closes_at,
    )


async def user_reviews(
    ctx: Context, *, user_id: uuid.UUID, first: int | None, after: str | None
) -> Page:
    """The published reviews of a user, newest first."""
    return await ctx.loaders.review_page_by_subject_id.load(_page_key(user_id, first, after))


async def gig_reviews(
    ctx: Context, *, gig_id: uuid.UUID, first: int | None, after: str | None
) -> Page:
    """The published reviews its buyers wrote of a gig, newest first."""
    return await ctx.loaders.review_page_by_gig_id.load(_page_key(gig_id, first, after))


def _page_key(parent: uuid.UUID, first: int | None, after: str | None) -> Any:
    after = after or None
    if after is not None:
        NEWEST_REVIEWS.decode(after)  # a bad cursor fails this field, not the loader's batch
    return (parent, page_size(first), after)


async def _publish(ctx: Context, review: Review, order: Any, at: datetime) -> bool:
    """Publish one review unless it is already; count it, tell its subject, award badges."""
    won = await ctx.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.published_at.is_(None))
        .values(published_at=at)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:
        return False
    # Read back as committed now: an admin may have hidden it while this waited for the row.
    await ctx.session.refresh(review)
    if review.hidden_at is not None:
        return True
    await count_review(ctx, review, buyer_id=order.buyer_id, sign=1)
    author = await ctx.session.get(User, review.author_id)
    name = author.name if author is not None else "Someone"
    await notify(
        ctx,
        user_id=review.subject_id,
        type=NotificationType.REVIEW_PUBLISHED,
        text=f"{name}'s review of you on “{order.title}” is published",
        target_id=global_id("Review", review.id),
    )
    await award_badges(ctx, user_id=review.subject_id)
    return True


async def _locked_visible(ctx: Context, viewer: User, review_id: uuid.UUID) -> Review:
    review = await ctx.session.scalar(
        select(Review)
        .where(Review.id == review_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if review is None or not may_see(viewer, review):
        raise NotFound("No such review", field="reviewId")
    return review


def _check_rating(value: int, *, field: str) -> None:
    if not RATING_MIN <= value <= RATING_MAX:
        raise ValidationFailed(
            f"{field} must be between {RATING_MIN} and {RATING_MAX}",
            code=ErrorCode.OUT_OF_RANGE,
            field=field,
        )

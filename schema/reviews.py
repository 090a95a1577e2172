"""Reviews over GraphQL: the `Review` type, its connections, and the review mutations."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models import review as m
from resolvers import reviews
from resolvers.context import Context
from schema.catalog import RowBacked
from schema.errors import UserError, attempt
from schema.gigs import Gig
from schema.ids import id_of
from schema.node import Node, register_node
from schema.pagination import Connection
from schema.relay import encode_id
from schema.users import User


@strawberry.type(
    name="Review",
    description="One side's review of a completed order. Until it is published only its "
    "author (and admins) see it.",
)
class Review(Node, RowBacked):
    rating: int = strawberry.field(description="1 to 5.")
    comment: str
    communication: int | None = strawberry.field(
        description="1 to 5; only in a review of the seller, and only if given."
    )
    quality: int | None = strawberry.field(description="1 to 5; as `communication`.")
    timeliness: int | None = strawberry.field(description="1 to 5; as `communication`.")
    reply: str | None = strawberry.field(description="The public answer of the person reviewed.")
    replied_at: datetime | None
    published_at: datetime | None = strawberry.field(
        description="When both sides could see it; null while it waits for the other side's "
        "review or for the review window to close."
    )
    hidden_at: datetime | None = strawberry.field(
        description="When an admin hid it; a hidden review is left out of lists and ratings."
    )
    created_at: datetime

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("Review", root.id)

    @strawberry.field(description="Who wrote it.")
    @staticmethod
    def author(root: Any, info: Info[Context, None]) -> User:
        return info.context.loaders.user_by_id.now(root.author_id)  # type: ignore[return-value]

    @strawberry.field(description="Who it is about.")
    @staticmethod
    def subject(root: Any, info: Info[Context, None]) -> User:
        return info.context.loaders.user_by_id.now(root.subject_id)  # type: ignore[return-value]

    @strawberry.field(description="The gig the order was for.")
    @staticmethod
    def gig(root: Any, info: Info[Context, None]) -> Gig:
        return info.context.loaders.gig_by_id.now(root.gig_id)  # type: ignore[return-value]

    @strawberry.field(description="The order reviewed (visible to its two sides and admins).")
    @staticmethod
    def order_id(root: Any) -> strawberry.ID:
        return encode_id("Order", root.order_id)


@strawberry.type(name="ReviewConnection")
class ReviewConnection(Connection[Review]):
    pass


async def user_reviews(
    ctx: Context, user: Any, *, first: int | None, after: str | None
) -> ReviewConnection:
    """`User.reviews`: declared on the user type, resolved here."""
    page = await reviews.user_reviews(ctx, user_id=user.id, first=first, after=after)
    return ReviewConnection(_page=page, _after=after)


async def gig_reviews(
    ctx: Context, gig: Any, *, first: int | None, after: str | None
) -> ReviewConnection:
    """`Gig.reviews`: declared on the gig type, resolved here."""
    page = await reviews.gig_reviews(ctx, gig_id=gig.id, first=first, after=after)
    return ReviewConnection(_page=page, _after=after)


@strawberry.type(
    name="OrderReviewState",
    description="Where a completed order's double-blind reviews stand, for its buyer or seller.",
)
class OrderReviewState(RowBacked):
    reviewed: bool = strawberry.field(description="Whether you have reviewed the order.")
    other_side_reviewed: bool = strawberry.field(
        description="Whether the other side has; their review shows once you have reviewed "
        "too or the window closes."
    )
    published: bool = strawberry.field(description="Whether the order's reviews are public.")
    closes_at: datetime = strawberry.field(
        description="When the review window closes: later reviews are refused, and whatever "
        "was written is published."
    )
    can_review: bool = strawberry.field(description="Whether you may submit a review now.")


async def order_reviews(ctx: Context, order: Any) -> list[Review]:
    """`Order.reviews`: the published reviews and the viewer's own, oldest first."""
    return await reviews.order_reviews(ctx, order=order)  # type: ignore[return-value]


async def order_review_state(ctx: Context, order: Any) -> OrderReviewState | None:
    """`Order.reviewState`: null unless the order is completed and the viewer is a side."""
    # The use-case's `ReviewState` has these fields by name; strawberry reads them off it.
    return await reviews.review_state(ctx, order=order)  # type: ignore[return-value]


@strawberry.input
class SubmitReviewInput:
    order_id: strawberry.ID
    rating: int = strawberry.field(description="1 to 5.")
    comment: str | None = strawberry.field(default=None, description="Up to 2000 characters.")
    communication: int | None = strawberry.field(
        default=None, description="1 to 5; the buyer rating the seller only."
    )
    quality: int | None = strawberry.field(default=None, description="As `communication`.")
    timeliness: int | None = strawberry.field(default=None, description="As `communication`.")


@strawberry.input
class ReplyToReviewInput:
    review_id: strawberry.ID
    reply: str = strawberry.field(description="Up to 2000 characters.")


@strawberry.input
class HideReviewInput:
    review_id: strawberry.ID
    reason: str = strawberry.field(description="Up to 500 characters; kept in the audit log.")


@strawberry.type
class ReviewPayload:
    review: Review | None
    errors: list[UserError]


def _payload(name: str) -> type[ReviewPayload]:
    return strawberry.type(type(name, (ReviewPayload,), {}), name=name)


SubmitReviewPayload = _payload("SubmitReviewPayload")
ReplyToReviewPayload = _payload("ReplyToReviewPayload")
HideReviewPayload = _payload("HideReviewPayload")


@strawberry.type
class ReviewMutations:
    @strawberry.mutation(
        description="Review the other side of a completed order, once, within the review "
        "window; it is published when both sides have reviewed or the window closes."
    )
    async def submit_review(
        self, info: Info[Context, None], input: SubmitReviewInput
    ) -> SubmitReviewPayload:
        ctx = info.context

        async def call() -> Any:
            return await reviews.submit_review(
                ctx,
                order_id=id_of(input.order_id, "Order", field="orderId"),
                rating=input.rating,
                comment=input.comment,
                communication=input.communication,
                quality=input.quality,
                timeliness=input.timeliness,
            )

        review, errors = await attempt(ctx, call())
        return SubmitReviewPayload(review=review, errors=errors)

    @strawberry.mutation(description="Answer a published review of you, once.")
    async def reply_to_review(
        self, info: Info[Context, None], input: ReplyToReviewInput
    ) -> ReplyToReviewPayload:
        ctx = info.context

        async def call() -> Any:
            key = id_of(input.review_id, "Review", field="reviewId")
            return await reviews.reply_to_review(ctx, review_id=key, reply=input.reply)

        review, errors = await attempt(ctx, call())
        return ReplyToReviewPayload(review=review, errors=errors)

    @strawberry.mutation(description="Hide an abusive review (admins); it stops counting.")
    async def hide_review(
        self, info: Info[Context, None], input: HideReviewInput
    ) -> HideReviewPayload:
        ctx = info.context

        async def call() -> Any:
            key = id_of(input.review_id, "Review", field="reviewId")
            return await reviews.hide_review(ctx, review_id=key, reason=input.reason)

        review, errors = await attempt(ctx, call())
        return HideReviewPayload(review=review, errors=errors)


register_node(Review, m.Review, lambda ctx, key: reviews.visible_review(ctx, review_id=key))

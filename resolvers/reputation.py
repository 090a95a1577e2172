"""Reputation aggregates, changed in the transaction that changes what they count.

Each equals a recount at every commit (tests/reviews recount after random histories):

- `User.rating_sum` / `rating_count`: the user's published, visible reviews (they are its
  subject);
- `Gig.rating_sum` / `rating_count`: the published, visible reviews its orders' buyers wrote
  (of the work; what a seller writes about a buyer rates the buyer, not the gig);
- `User.completed_orders` / `on_time_orders`: the COMPLETED orders the user sold, and of those
  the ones delivered by their due date (`delivered_at <= due_at`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from models.catalog import Gig
from models.order import OrderStatus
from models.user import User
from resolvers.badges import award_badges

if TYPE_CHECKING:
    from resolvers.context import Context


def delivered_on_time(order: Any) -> bool:
    """Whether the order's (last) delivery came by its due date."""
    return (
        order.delivered_at is not None
        and order.due_at is not None
        and order.delivered_at <= order.due_at
    )


@dataclass(slots=True)
class Tally:
    """One user's or gig's aggregates, as a recount finds them (a gig's orders stay 0)."""

    rating_sum: int = 0
    rating_count: int = 0
    completed_orders: int = 0
    on_time_orders: int = 0


def recount(
    orders: Iterable[Any], reviews: Iterable[Any], *, at: datetime | None = None
) -> tuple[dict[uuid.UUID, Tally], dict[uuid.UUID, Tally]]:
    """Recompute users' and gigs' aggregates from the rows, as they stood at `at` if given.

    Every review's order must be among `orders`. What the stored aggregates must equal; `at`
    gives a user's standing when a badge was evaluated.
    """
    users: dict[uuid.UUID, Tally] = defaultdict(Tally)
    gigs: dict[uuid.UUID, Tally] = defaultdict(Tally)
    buyers = {}
    for order in orders:
        buyers[order.id] = order.buyer_id
        done = order.completed_at
        if order.status is OrderStatus.COMPLETED and (at is None or (done and done <= at)):
            users[order.seller_id].completed_orders += 1
            users[order.seller_id].on_time_orders += delivered_on_time(order)
    for review in reviews:
        published, hidden = review.published_at, review.hidden_at
        if published is None or (at is not None and published > at):
            continue
        if hidden is not None and (at is None or hidden <= at):
            continue
        tallies = [users[review.subject_id]]
        if review.author_id == buyers[review.order_id]:
            tallies.append(gigs[review.gig_id])
        for tally in tallies:
            tally.rating_sum += review.rating
            tally.rating_count += 1
    return users, gigs


async def count_review(ctx: Context, review: Any, *, buyer_id: uuid.UUID, sign: int) -> None:
    """Add (`sign=1`) or take away (`-1`) a review in its subject's and its gig's ratings."""
    changes = {"rating_sum": sign * review.rating, "rating_count": sign}
    await _add(ctx, User, review.subject_id, changes)
    if review.author_id == buyer_id:
        await _add(ctx, Gig, review.gig_id, changes)


async def on_order_completed(ctx: Context, order: Any) -> None:
    """Count a just-completed order for its seller and award the badges it earns.

    Call it once per order, in the transaction that moves the order to COMPLETED (approval,
    the review window closing, a dispute released or split), after the move; the caller
    commits. The seller's `completed_orders` grows by one, and `on_time_orders` too when the
    order was delivered by its due date; then both sides' badges are evaluated (each badge a
    BADGE_AWARDED notification).
    """
    await _add(
        ctx,
        User,
        order.seller_id,
        {"completed_orders": 1, "on_time_orders": int(delivered_on_time(order))},
    )
    await award_badges(ctx, user_id=order.seller_id)
    await award_badges(ctx, user_id=order.buyer_id)


async def _add(ctx: Context, model: Any, key: uuid.UUID, changes: dict[str, int]) -> None:
    # In SQL (`x = x + n`), so concurrent changes to one row add up instead of overwriting.
    await ctx.session.execute(
        update(model)
        .where(model.id == key)
        .values({name: getattr(model, name) + delta for name, delta in changes.items()})
        .execution_options(synchronize_session="fetch")
    )

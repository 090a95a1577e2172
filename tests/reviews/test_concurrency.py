"""Several processes at once: a review is published, counted and announced exactly once."""

import asyncio
from datetime import timedelta

from sqlalchemy import select

from models.notification import NotificationType
from models.review import Review
from models.user import User, UserRole
from tests.factories import make_order, make_user
from tests.reviews.conftest import WINDOW, publish_due, stored, submit


async def test_two_scheduler_ticks_at_once_publish_each_review_once(services, db, market):
    buyers = [await make_user(services, role=UserRole.CLIENT) for _ in range(6)]
    for buyer in buyers:
        order = await make_order(services, gig=market.gig, buyer=buyer, seller=market.seller)
        await submit(services, buyer, order, 4)

    results = await asyncio.gather(
        *(publish_due(services, after=WINDOW + timedelta(seconds=1)) for _ in range(3))
    )

    assert sum(results) == 6
    assert all(r.published_at for r in await db.scalars(select(Review)))
    seller = await db.get(User, market.seller.id)
    assert (seller.rating_sum, seller.rating_count) == (24, 6)
    published = [n for n in await stored(db) if n.type is NotificationType.REVIEW_PUBLISHED]
    assert len(published) == 6


async def test_both_sides_reviewing_at_once_publish_both_exactly_once(services, db, market, order):
    await asyncio.gather(
        submit(services, market.buyer, order, 3), submit(services, market.seller, order, 5)
    )

    pair = await db.scalars(select(Review))
    assert len(pair) == 2
    assert all(review.published_at is not None for review in pair)
    seller, buyer = await db.get(User, market.seller.id), await db.get(User, market.buyer.id)
    assert (seller.rating_sum, seller.rating_count) == (3, 1)
    assert (buyer.rating_sum, buyer.rating_count) == (5, 1)
    published = [n for n in await stored(db) if n.type is NotificationType.REVIEW_PUBLISHED]
    assert sorted(n.user_id for n in published) == sorted([market.buyer.id, market.seller.id])

"""Badges: each rule at its boundary, awarded once, each award a notification."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.badges import BADGE_RULES, Standing, earned_badges
from models.notification import NotificationType
from models.order import Order
from models.review import Badge, BadgeKind
from models.types import utcnow
from models.user import User, UserRole
from resolvers.badges import award_badges
from resolvers.reputation import on_order_completed
from schema.relay import encode_id
from tests.factories import make_order, make_user, token_for
from tests.reviews.conftest import WINDOW, acting, publish_due, stored, submit

K = BadgeKind


def standing(**fields):
    base = {
        "completed_orders": 0,
        "on_time_orders": 0,
        "rating_sum": 0,
        "rating_count": 0,
        "email_verified": False,
        "phone_verified": False,
    }
    return Standing(**{**base, **fields})


def badges(**fields):
    return {rule.badge for rule in earned_badges(standing(**fields))}


# The rules, at their boundaries


def test_every_badge_kind_has_exactly_one_rule():
    assert sorted(rule.badge for rule in BADGE_RULES) == sorted(BadgeKind)


@pytest.mark.parametrize(
    ("completed", "first", "ten"),
    [(0, False, False), (1, True, False), (9, True, False), (10, True, True)],
)
def test_order_count_badges(completed, first, ten):
    earned = badges(completed_orders=completed)

    assert (K.FIRST_ORDER_COMPLETED in earned, K.TEN_ORDERS_COMPLETED in earned) == (first, ten)


@pytest.mark.parametrize(
    ("rating_sum", "rating_count", "top"),
    [
        (48, 10, True),  # exactly 4.8 over exactly 10
        (47, 10, False),  # 4.7
        (45, 9, False),  # 5.0, but over 9
        (58, 12, True),  # 4.83
        (57, 12, False),  # 4.75
        (480, 100, True),
        (479, 100, False),  # 4.79
    ],
)
def test_top_rated_is_an_average_of_at_least_4_8_over_at_least_10_reviews(
    rating_sum, rating_count, top
):
    assert (K.TOP_RATED in badges(rating_sum=rating_sum, rating_count=rating_count)) is top


@pytest.mark.parametrize(
    ("on_time", "completed", "earned"),
    [
        (9, 10, True),  # exactly 90% of exactly 10
        (8, 10, False),
        (9, 9, False),  # 100%, but of 9
        (18, 20, True),
        (17, 20, False),  # 85%
        (10, 11, True),  # 90.9%
        (9, 11, False),  # 81.8%
    ],
)
def test_on_time_is_at_least_90_percent_of_at_least_10_orders(on_time, completed, earned):
    assert (K.ON_TIME in badges(on_time_orders=on_time, completed_orders=completed)) is earned


@pytest.mark.parametrize(
    ("email", "phone", "earned"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_verified_needs_both_email_and_phone(email, phone, earned):
    assert (K.VERIFIED in badges(email_verified=email, phone_verified=phone)) is earned


# Awarded when an order completes or a review is published


async def complete(services, order):
    """What the order's completion transition does after moving the order."""
    async with acting(services) as ctx:
        await on_order_completed(ctx, await ctx.session.get(Order, order.id))
        await ctx.commit()


async def held(db, user):
    found = await db.scalars(select(Badge).where(Badge.user_id == user.id))
    return {badge.badge for badge in found}


async def completed_orders(services, market, count, *, late=0):
    """`count` orders completed for the seller, the last `late` of them delivered late."""
    now = utcnow()
    for n in range(count):
        due = now - timedelta(days=1)
        delivered = due + timedelta(hours=1) if n >= count - late else due
        order = await make_order(
            services,
            gig=market.gig,
            buyer=market.buyer,
            seller=market.seller,
            due_at=due,
            delivered_at=delivered,
        )
        await complete(services, order)


async def test_the_first_completed_order_earns_a_badge_and_a_notification(
    services, db, market, order, inbox
):
    await inbox.listen(market.seller, market.buyer)

    await complete(services, order)

    [badge] = await db.scalars(select(Badge))
    assert (badge.user_id, badge.badge) == (market.seller.id, K.FIRST_ORDER_COMPLETED)
    assert badge.awarded_at is not None
    [note] = await stored(db)
    assert (note.user_id, note.type) == (market.seller.id, NotificationType.BADGE_AWARDED)
    assert note.text == "You earned a badge: First order completed"
    assert note.target_id == encode_id("User", market.seller.id)
    assert await inbox.heard(market.seller, 1) == [str(note.id)]
    assert await inbox.heard(market.buyer, 0) == []
    seller = await db.get(User, market.seller.id)
    assert (seller.completed_orders, seller.on_time_orders) == (1, 1)


async def test_ten_completed_orders_earn_a_badge_at_the_tenth(services, db, market):
    await completed_orders(services, market, 9)
    assert K.TEN_ORDERS_COMPLETED not in await held(db, market.seller)

    await completed_orders(services, market, 1)

    assert K.TEN_ORDERS_COMPLETED in await held(db, market.seller)
    notes = [n.text for n in await stored(db, market.seller)]
    assert notes == [
        "You earned a badge: First order completed",
        "You earned a badge: Ten orders completed",
        "You earned a badge: On time",
    ]


async def test_on_time_is_earned_with_nine_of_ten_orders_delivered_by_their_due_date(
    services, db, market
):
    await completed_orders(services, market, 10, late=1)

    seller = await db.get(User, market.seller.id)
    assert (seller.completed_orders, seller.on_time_orders) == (10, 9)
    assert K.ON_TIME in await held(db, market.seller)


async def test_on_time_is_not_earned_with_eight_of_ten(services, db, market):
    await completed_orders(services, market, 10, late=2)

    assert K.ON_TIME not in await held(db, market.seller)


async def test_on_time_is_not_earned_with_fewer_than_ten_orders(services, db, market):
    await completed_orders(services, market, 9)

    assert K.ON_TIME not in await held(db, market.seller)


async def test_a_delivery_exactly_at_the_due_date_is_on_time(services, db, market):
    due = utcnow() - timedelta(days=1)
    order = await make_order(
        services,
        gig=market.gig,
        buyer=market.buyer,
        seller=market.seller,
        due_at=due,
        delivered_at=due,
    )

    await complete(services, order)

    assert (await db.get(User, market.seller.id)).on_time_orders == 1


async def test_verified_is_awarded_to_a_verified_side_when_an_order_completes(services, db, market):
    now = utcnow()
    buyer = await make_user(
        services, role=UserRole.CLIENT, email_verified_at=now, phone_verified_at=now
    )
    email_only = await make_user(services, role=UserRole.FREELANCER, email_verified_at=now)
    order = await make_order(services, gig=market.gig, buyer=buyer, seller=email_only)

    await complete(services, order)

    assert await held(db, buyer) == {K.VERIFIED}
    assert await held(db, email_only) == {K.FIRST_ORDER_COMPLETED}


async def five_star_reviews(services, market, ratings):
    """A review of the seller per rating, each on an order of its own, all published."""
    for rating in ratings:
        order = await make_order(services, gig=market.gig, buyer=market.buyer, seller=market.seller)
        await submit(services, market.buyer, order, rating)
    await publish_due(services, after=WINDOW + timedelta(seconds=1))


async def test_top_rated_is_earned_at_the_tenth_review_averaging_4_8(services, db, market):
    await five_star_reviews(services, market, [5] * 8 + [4])
    assert K.TOP_RATED not in await held(db, market.seller)

    await five_star_reviews(services, market, [4])

    seller = await db.get(User, market.seller.id)
    assert (seller.rating_sum, seller.rating_count) == (48, 10)
    assert K.TOP_RATED in await held(db, market.seller)
    texts = [n.text for n in await stored(db, market.seller)]
    assert texts.count("You earned a badge: Top rated") == 1


async def test_top_rated_is_not_earned_at_an_average_of_4_7(services, db, market):
    await five_star_reviews(services, market, [5] * 7 + [4] * 3)

    assert K.TOP_RATED not in await held(db, market.seller)


# Once only


async def test_awarding_twice_is_a_no_op(services, db, market, order):
    await complete(services, order)
    before = (await db.scalars(select(Badge)), await stored(db))

    async with acting(services) as ctx:
        assert await award_badges(ctx, user_id=market.seller.id) == []
        await ctx.commit()

    assert (await db.scalars(select(Badge)), await stored(db)) == before


async def test_two_awards_at_once_make_one_badge_and_one_notification(services, db, market):
    await db.execute(
        User.__table__.update()
        .where(User.id == market.seller.id)
        .values(completed_orders=1, on_time_orders=1)
    )

    async def award():
        async with acting(services) as ctx:
            awarded = await award_badges(ctx, user_id=market.seller.id)
            await ctx.commit()
            return awarded

    results = await asyncio.gather(award(), award())

    assert sorted(results) == [[], [K.FIRST_ORDER_COMPLETED]]
    assert len(await db.scalars(select(Badge))) == 1
    assert len(await stored(db)) == 1


async def test_badges_show_on_the_profile_with_their_award_date(gql, services, db, market, order):
    await complete(services, order)

    result = await gql(
        "query($id: ID!) { user(id: $id) { badges { badge awardedAt } completedOrders } }",
        {"id": encode_id("User", market.seller.id)},
        token=token_for(services, market.stranger),
    )

    user = result["data"]["user"]
    assert [b["badge"] for b in user["badges"]] == ["FIRST_ORDER_COMPLETED"]
    assert user["badges"][0]["awardedAt"] is not None
    assert user["completedOrders"] == 1

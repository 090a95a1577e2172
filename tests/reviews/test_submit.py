"""submitReview: double-blind, published together or when the window closes; bad input."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.catalog import Gig
from models.notification import Notification, NotificationType
from models.order import OrderStatus
from models.review import Review
from models.types import utcnow
from models.user import User
from schema.relay import encode_id
from tests.factories import make_order, token_for
from tests.reviews.conftest import WINDOW, publish_due, stored, submit
from tests.reviews.documents import NODE, SUBMIT


def review_input(order, **overrides):
    return {"orderId": encode_id("Order", order.id), "rating": 5, "comment": "Great!", **overrides}


async def submit_over_api(gql, services, user, order, **overrides):
    result = await gql(
        SUBMIT, {"input": review_input(order, **overrides)}, token=token_for(services, user)
    )
    return result["data"]["submitReview"]


async def snapshot(db):
    """Everything a refused review must leave as it was."""
    reviews = [(r.id, r.published_at) for r in await db.scalars(select(Review))]
    notifications = [n.id for n in await db.scalars(select(Notification))]
    users = [(u.id, u.rating_sum, u.rating_count) for u in await db.scalars(select(User))]
    gigs = [(g.id, g.rating_sum, g.rating_count) for g in await db.scalars(select(Gig))]
    return sorted(reviews), sorted(notifications), sorted(users), sorted(gigs)


async def see(gql, services, user, review_id):
    token = token_for(services, user) if user is not None else None
    result = await gql(NODE, {"id": encode_id("Review", review_id)}, token=token)
    return result["data"]["node"]


# Double-blind


async def test_a_first_review_waits_unseen_by_the_other_side(
    gql, services, db, market, order, inbox
):
    await inbox.listen(market.seller, market.buyer)

    payload = await submit_over_api(
        gql, services, market.buyer, order, rating=4, communication=5, quality=4, timeliness=3
    )

    assert payload["errors"] == []
    review = payload["review"]
    assert review["publishedAt"] is None
    assert (review["rating"], review["communication"], review["quality"], review["timeliness"]) == (
        4,
        5,
        4,
        3,
    )
    assert review["author"]["id"] == encode_id("User", market.buyer.id)
    assert review["subject"]["id"] == encode_id("User", market.seller.id)
    assert review["orderId"] == encode_id("Order", order.id)
    [stored_review] = await db.scalars(select(Review))
    assert await see(gql, services, market.buyer, stored_review.id) is not None
    assert await see(gql, services, market.seller, stored_review.id) is None
    assert await see(gql, services, market.stranger, stored_review.id) is None
    assert await see(gql, services, None, stored_review.id) is None
    seller = await db.get(User, market.seller.id)
    assert (seller.rating_sum, seller.rating_count) == (0, 0)
    [note] = await stored(db)
    assert (note.user_id, note.type) == (market.seller.id, NotificationType.REVIEW_RECEIVED)
    assert note.target_id == encode_id("Order", order.id)
    assert await inbox.heard(market.seller, 1) == [str(note.id)]
    assert await inbox.heard(market.buyer, 0) == []


@pytest.mark.parametrize("first", ["buyer", "seller"])
async def test_the_second_review_publishes_both_together(services, db, market, order, inbox, first):
    second = "seller" if first == "buyer" else "buyer"
    ratings = {"buyer": 4, "seller": 5}
    await submit(services, getattr(market, first), order, ratings[first])
    await inbox.listen(market.seller, market.buyer)

    await submit(services, getattr(market, second), order, ratings[second])

    pair = await db.scalars(select(Review))
    assert len(pair) == 2
    assert pair[0].published_at is not None
    assert pair[0].published_at == pair[1].published_at
    seller = await db.get(User, market.seller.id)
    buyer = await db.get(User, market.buyer.id)
    gig = await db.get(Gig, market.gig.id)
    assert (seller.rating_sum, seller.rating_count) == (4, 1)  # the buyer's review of the seller
    assert (buyer.rating_sum, buyer.rating_count) == (5, 1)
    assert (gig.rating_sum, gig.rating_count) == (4, 1)  # the buyer's only: it rates the work
    published = [n for n in await stored(db) if n.type is NotificationType.REVIEW_PUBLISHED]
    assert sorted((n.user_id, n.target_id) for n in published) == sorted(
        (r.subject_id, encode_id("Review", r.id)) for r in pair
    )
    received = [n for n in await stored(db) if n.type is NotificationType.REVIEW_RECEIVED]
    assert [n.user_id for n in received] == [getattr(market, second).id]  # for the first review
    for user in (market.buyer, market.seller):
        [mine] = [n for n in published if n.user_id == user.id]
        assert await inbox.heard(user, 1) == [str(mine.id)]


async def test_both_see_both_reviews_once_published(gql, services, db, market, order):
    await submit(services, market.buyer, order, 5)
    await submit(services, market.seller, order, 4)
    pair = await db.scalars(select(Review))

    for review in pair:
        for viewer in (market.buyer, market.seller, market.stranger, None):
            seen = await see(gql, services, viewer, review.id)
            assert seen["rating"] == review.rating
            assert seen["publishedAt"] is not None


async def test_a_lone_review_is_published_when_the_window_closes(
    services, db, market, order, inbox
):
    await submit(services, market.buyer, order, 3)
    await inbox.listen(market.seller)

    assert await publish_due(services, after=WINDOW - timedelta(minutes=1)) == 0
    assert (await db.scalar(select(Review))).published_at is None
    assert await publish_due(services, after=WINDOW + timedelta(seconds=1)) == 1

    review = await db.scalar(select(Review))
    assert review.published_at is not None
    seller = await db.get(User, market.seller.id)
    gig = await db.get(Gig, market.gig.id)
    assert (seller.rating_sum, seller.rating_count) == (3, 1)
    assert (gig.rating_sum, gig.rating_count) == (3, 1)
    published = [n for n in await stored(db) if n.type is NotificationType.REVIEW_PUBLISHED]
    assert [(n.user_id, n.target_id) for n in published] == [
        (market.seller.id, encode_id("Review", review.id))
    ]
    assert await inbox.heard(market.seller, 1) == [str(published[0].id)]


async def test_publishing_due_reviews_again_changes_nothing(services, db, market, order):
    await submit(services, market.buyer, order, 3)
    assert await publish_due(services, after=WINDOW + timedelta(seconds=1)) == 1
    before = await snapshot(db)

    assert await publish_due(services, after=WINDOW + timedelta(days=1)) == 0

    assert await snapshot(db) == before


async def test_a_review_at_the_end_of_the_window_is_accepted(services, db, market):
    order = await make_order(
        services,
        gig=market.gig,
        buyer=market.buyer,
        seller=market.seller,
        completed_at=utcnow() - WINDOW + timedelta(minutes=1),
    )

    review = await submit(services, market.buyer, order, 5)

    assert isinstance(review, Review)


# Refused, and nothing changed


async def refused(gql, services, db, user, order, **overrides):
    before = await snapshot(db)
    payload = await submit_over_api(gql, services, user, order, **overrides)
    assert payload["review"] is None
    assert await snapshot(db) == before
    [error] = payload["errors"]
    return error["code"], error["field"]


async def test_a_stranger_cannot_review_an_order_they_were_not_part_of(
    gql, services, db, market, order
):
    assert await refused(gql, services, db, market.stranger, order) == (
        "NOT_FOUND",
        ["input", "orderId"],
    )


async def test_an_admin_who_can_see_the_order_still_cannot_review_it(
    gql, services, db, market, order
):
    assert await refused(gql, services, db, market.admin, order) == (
        "NOT_ALLOWED",
        ["input", "orderId"],
    )


async def test_an_order_that_does_not_exist_is_not_found(gql, services, db, market, order):
    order.id = market.gig.id  # a real key, of something else

    assert (await refused(gql, services, db, market.buyer, order))[0] == "NOT_FOUND"


@pytest.mark.parametrize(
    "status", [OrderStatus.DELIVERED, OrderStatus.REFUNDED, OrderStatus.DISPUTED]
)
async def test_an_order_not_completed_cannot_be_reviewed(gql, services, db, market, status):
    order = await make_order(
        services, gig=market.gig, buyer=market.buyer, seller=market.seller, status=status
    )

    assert await refused(gql, services, db, market.buyer, order) == (
        "ORDER_NOT_COMPLETED",
        ["input", "orderId"],
    )


async def test_reviewing_twice_is_refused(gql, services, db, market, order):
    await submit(services, market.buyer, order, 5)

    assert await refused(gql, services, db, market.buyer, order) == (
        "ALREADY_REVIEWED",
        ["input", "orderId"],
    )


async def test_reviewing_twice_after_publication_is_refused(gql, services, db, market, order):
    await submit(services, market.buyer, order, 5)
    await submit(services, market.seller, order, 5)

    assert (await refused(gql, services, db, market.seller, order))[0] == "ALREADY_REVIEWED"


@pytest.mark.parametrize("rating", [0, 6, -1])
async def test_a_rating_outside_one_to_five_is_refused(gql, services, db, market, order, rating):
    assert await refused(gql, services, db, market.buyer, order, rating=rating) == (
        "OUT_OF_RANGE",
        ["input", "rating"],
    )


@pytest.mark.parametrize("name", ["communication", "quality", "timeliness"])
async def test_a_sub_rating_outside_one_to_five_is_refused(gql, services, db, market, order, name):
    assert await refused(gql, services, db, market.buyer, order, **{name: 0}) == (
        "OUT_OF_RANGE",
        ["input", name],
    )


async def test_the_seller_gives_no_sub_ratings_to_the_buyer(gql, services, db, market, order):
    assert await refused(gql, services, db, market.seller, order, quality=5) == (
        "INVALID",
        ["input", "quality"],
    )


async def test_a_comment_over_2000_characters_is_refused(gql, services, db, market, order):
    assert await refused(gql, services, db, market.buyer, order, comment="x" * 2001) == (
        "TOO_LONG",
        ["input", "comment"],
    )


async def test_a_comment_of_2000_characters_is_accepted(gql, services, db, market, order):
    payload = await submit_over_api(gql, services, market.buyer, order, comment="x" * 2000)

    assert payload["errors"] == []


async def test_a_review_after_the_window_is_refused(gql, services, db, market):
    order = await make_order(
        services,
        gig=market.gig,
        buyer=market.buyer,
        seller=market.seller,
        completed_at=utcnow() - WINDOW - timedelta(seconds=1),
    )

    assert await refused(gql, services, db, market.buyer, order) == (
        "REVIEW_WINDOW_CLOSED",
        ["input", "orderId"],
    )


async def test_an_anonymous_review_is_unauthenticated(gql, services, db, market, order):
    result = await gql(SUBMIT, {"input": review_input(order)})

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await db.scalars(select(Review)) == []

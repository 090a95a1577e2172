"""Order.reviews and Order.reviewState: what each side sees of the double-blind pair."""

from datetime import timedelta

from models.order import OrderStatus
from models.types import utcnow
from schema.relay import encode_id
from tests.factories import make_order, token_for
from tests.reviews.conftest import WINDOW, submit

ORDER_REVIEWS = """
query($id: ID!) { order(id: $id) {
  reviews { rating author { name } }
  reviewState { reviewed otherSideReviewed published canReview closesAt }
} }"""


async def seen_by(gql, services, user, order):
    result = await gql(
        ORDER_REVIEWS, {"id": encode_id("Order", order.id)}, token=token_for(services, user)
    )
    assert "errors" not in result, result
    return result["data"]["order"]


def state(reviewed, other_side_reviewed, published, can_review):
    return {
        "reviewed": reviewed,
        "otherSideReviewed": other_side_reviewed,
        "published": published,
        "canReview": can_review,
    }


def without_closing(order_view):
    view = dict(order_view["reviewState"])
    view.pop("closesAt")
    return view


async def test_each_side_sees_its_own_review_and_only_knows_of_the_other(
    gql, services, market, order
):
    before = await seen_by(gql, services, market.buyer, order)
    assert before["reviews"] == []
    assert without_closing(before) == state(False, False, False, True)

    await submit(services, market.seller, order, rating=4)

    buyer = await seen_by(gql, services, market.buyer, order)
    seller = await seen_by(gql, services, market.seller, order)
    assert buyer["reviews"] == []
    assert without_closing(buyer) == state(False, True, False, True)
    assert seller["reviews"] == [{"rating": 4, "author": {"name": "Sol Seller"}}]
    assert without_closing(seller) == state(True, False, False, False)

    await submit(services, market.buyer, order, rating=5)

    for side in (market.buyer, market.seller):
        both = await seen_by(gql, services, side, order)
        assert sorted(r["rating"] for r in both["reviews"]) == [4, 5]
        assert without_closing(both) == state(True, True, True, False)


async def test_the_window_is_shown_and_closes_review(gql, services, market):
    completed_at = utcnow() - WINDOW - timedelta(minutes=1)
    order = await make_order(
        services,
        gig=market.gig,
        buyer=market.buyer,
        seller=market.seller,
        completed_at=completed_at,
    )

    view = await seen_by(gql, services, market.buyer, order)

    assert without_closing(view) == state(False, False, False, False)
    assert view["reviewState"]["closesAt"].startswith((completed_at + WINDOW).date().isoformat())


async def test_review_state_is_for_the_sides_of_a_completed_order_only(
    gql, services, market, order
):
    await submit(services, market.buyer, order, rating=5)
    in_progress = await make_order(
        services,
        gig=market.gig,
        buyer=market.buyer,
        seller=market.seller,
        status=OrderStatus.IN_PROGRESS,
    )

    admin = await seen_by(gql, services, market.admin, order)
    assert admin["reviewState"] is None
    assert [r["rating"] for r in admin["reviews"]] == [5]  # admins see unpublished reviews
    assert (await seen_by(gql, services, market.buyer, in_progress)) == {
        "reviews": [],
        "reviewState": None,
    }

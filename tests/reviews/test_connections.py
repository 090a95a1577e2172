"""user.reviews and gig.reviews: published, visible, newest first, one query per page shape."""

from datetime import timedelta

from sqlalchemy import update

from models.review import Review
from models.types import utcnow
from models.user import UserRole
from schema.relay import encode_id
from tests.factories import make_gig, make_order, make_user
from tests.reviews.conftest import submit
from tests.reviews.documents import FEED_REVIEWS, GIG_REVIEWS, USER_REVIEWS
from tests.statements import counting_statements


async def reviewed_orders(services, db, market, ratings, *, gig=None):
    """An order per rating, reviewed by both sides (so published), published a day apart."""
    made = []
    for n, rating in enumerate(ratings):
        order = await make_order(
            services, gig=gig or market.gig, buyer=market.buyer, seller=market.seller
        )
        of_seller = await submit(services, market.buyer, order, rating)
        await submit(services, market.seller, order, 5)
        published = utcnow() - timedelta(days=len(ratings) - n)
        await db.execute(
            update(Review).where(Review.order_id == order.id).values(published_at=published)
        )
        made.append(of_seller)
    return made


def ids(connection):
    return [edge["node"]["id"] for edge in connection["edges"]]


async def test_a_users_reviews_are_the_published_ones_about_them_newest_first(
    gql, services, db, market
):
    about_seller = await reviewed_orders(services, db, market, [5, 4, 3])
    waiting = await make_order(services, gig=market.gig, buyer=market.buyer, seller=market.seller)
    await submit(services, market.buyer, waiting, 1)  # not published: not listed

    result = await gql(USER_REVIEWS, {"id": encode_id("User", market.seller.id)})

    user = result["data"]["user"]
    assert ids(user["reviews"]) == [encode_id("Review", r.id) for r in reversed(about_seller)]
    assert user["reviews"]["totalCount"] == 3
    assert (user["rating"], user["reviewCount"]) == (4.0, 3)


async def test_reviews_page_by_cursor(gql, services, db, market):
    about_seller = await reviewed_orders(services, db, market, [5, 4, 3, 2])
    variables = {"id": encode_id("User", market.seller.id), "first": 3}

    first = (await gql(USER_REVIEWS, variables))["data"]["user"]["reviews"]
    after = first["pageInfo"]["endCursor"]
    rest = (await gql(USER_REVIEWS, {**variables, "after": after}))["data"]["user"]["reviews"]

    assert first["pageInfo"]["hasNextPage"] is True
    assert ids(first) + ids(rest) == [encode_id("Review", r.id) for r in reversed(about_seller)]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_a_gigs_reviews_are_its_buyers_only(gql, services, db, market):
    of_seller = await reviewed_orders(services, db, market, [4, 2])

    result = await gql(GIG_REVIEWS, {"id": encode_id("Gig", market.gig.id)})

    gig = result["data"]["gig"]
    assert ids(gig["reviews"]) == [encode_id("Review", r.id) for r in reversed(of_seller)]
    assert (gig["rating"], gig["reviewCount"]) == (3.0, 2)


async def test_a_request_gig_is_rated_by_its_owners_reviews_of_the_work(gql, services, db, market):
    # On a REQUEST the gig's owner is the buyer: the gig lists what they wrote of the freelancer.
    [of_seller] = await reviewed_orders(services, db, market, [3], gig=market.request)

    result = await gql(GIG_REVIEWS, {"id": encode_id("Gig", market.request.id)})

    assert ids(result["data"]["gig"]["reviews"]) == [encode_id("Review", of_seller.id)]


async def test_a_bad_cursor_fails_only_its_own_field(gql, services, db, market):
    await reviewed_orders(services, db, market, [5])

    result = await gql(USER_REVIEWS, {"id": encode_id("User", market.seller.id), "after": "nope"})

    assert result["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def feed_statements(gql, services):
    with counting_statements(services) as statements:
        result = await gql(FEED_REVIEWS)
    assert "errors" not in result, result
    return len(statements), result["data"]["gigs"]["edges"]


async def test_the_feeds_reviews_load_in_a_fixed_number_of_queries(gql, services, db, market):
    async def more_sellers(count):
        for _ in range(count):
            seller = await make_user(services, role=UserRole.FREELANCER)
            gig = await make_gig(services, owner=seller, category=market.category)
            order = await make_order(services, gig=gig, buyer=market.buyer, seller=seller)
            await submit(services, market.buyer, order, 4)
            await submit(services, seller, order, 5)

    await more_sellers(2)
    few, edges = await feed_statements(gql, services)
    await more_sellers(4)
    many, more_edges = await feed_statements(gql, services)

    assert few == many
    assert len(more_edges) > len(edges)
    listed = [e["node"] for e in more_edges if e["node"]["reviews"]["edges"]]
    assert len(listed) == 6
    for node in listed:
        assert [r["node"]["rating"] for r in node["reviews"]["edges"]] == [4]
        assert [r["node"]["rating"] for r in node["seller"]["reviews"]["edges"]] == [4]

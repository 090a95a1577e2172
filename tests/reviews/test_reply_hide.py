"""replyToReview and hideReview: one public reply by the person reviewed; admins hide."""

from datetime import timedelta

from sqlalchemy import select

from models.audit import AuditLog
from models.catalog import Gig
from models.notification import NotificationType
from models.review import Review
from models.user import User
from schema.relay import encode_id
from tests.factories import token_for
from tests.reviews.conftest import WINDOW, publish_due, stored, submit
from tests.reviews.documents import HIDE, NODE, REPLY, USER_REVIEWS
from tests.reviews.test_submit import snapshot


async def reply(gql, services, user, review, text="Thank you, it was a pleasure!"):
    result = await gql(
        REPLY,
        {"id": encode_id("Review", review.id), "reply": text},
        token=token_for(services, user),
    )
    return result["data"]["replyToReview"]


async def hide(gql, services, user, review, reason="Insults the seller"):
    result = await gql(
        HIDE,
        {"id": encode_id("Review", review.id), "reason": reason},
        token=token_for(services, user),
    )
    return result["data"]["hideReview"]


async def published_pair(services, db, market, order, buyer_rating=4, seller_rating=5):
    """Both sides' reviews, published: (the buyer's of the seller, the seller's of the buyer)."""
    of_seller = await submit(services, market.buyer, order, buyer_rating)
    of_buyer = await submit(services, market.seller, order, seller_rating)
    return await db.get(Review, of_seller.id), await db.get(Review, of_buyer.id)


def codes(payload):
    return [(e["code"], e["field"]) for e in payload["errors"]]


# Replies


async def test_the_person_reviewed_replies_once_in_public(gql, services, db, market, order):
    of_seller, _ = await published_pair(services, db, market, order)

    payload = await reply(gql, services, market.seller, of_seller, "  Thanks a lot!  ")

    assert payload["errors"] == []
    assert payload["review"]["reply"] == "Thanks a lot!"
    assert payload["review"]["repliedAt"] is not None
    seen = await gql(NODE, {"id": encode_id("Review", of_seller.id)})
    assert seen["data"]["node"]["reply"] == "Thanks a lot!"


async def test_replying_twice_is_refused(gql, services, db, market, order):
    of_seller, _ = await published_pair(services, db, market, order)
    await reply(gql, services, market.seller, of_seller, "First")

    payload = await reply(gql, services, market.seller, of_seller, "Second")

    assert codes(payload) == [("ALREADY_REPLIED", ["input", "reviewId"])]
    assert (await db.get(Review, of_seller.id)).reply == "First"


async def test_replying_to_a_review_about_someone_else_is_refused(gql, services, db, market, order):
    of_seller, _ = await published_pair(services, db, market, order)
    before = await snapshot(db)

    for user in (market.buyer, market.stranger, market.admin):
        payload = await reply(gql, services, user, of_seller)
        assert codes(payload) == [("NOT_ALLOWED", ["input", "reviewId"])]

    assert (await db.get(Review, of_seller.id)).reply is None
    assert await snapshot(db) == before


async def test_a_review_not_yet_published_cannot_be_replied_to(gql, services, db, market, order):
    review = await submit(services, market.buyer, order, 2)

    payload = await reply(gql, services, market.seller, review)

    assert codes(payload) == [("NOT_FOUND", ["input", "reviewId"])]
    assert (await db.get(Review, review.id)).reply is None


async def test_an_empty_or_long_reply_is_refused(gql, services, db, market, order):
    of_seller, _ = await published_pair(services, db, market, order)

    assert codes(await reply(gql, services, market.seller, of_seller, "   ")) == [
        ("REQUIRED", ["input", "reply"])
    ]
    assert codes(await reply(gql, services, market.seller, of_seller, "x" * 2001)) == [
        ("TOO_LONG", ["input", "reply"])
    ]
    assert (await db.get(Review, of_seller.id)).reply is None


# Hiding


async def test_an_admin_hides_a_review_and_the_ratings_forget_it(gql, services, db, market, order):
    of_seller, _ = await published_pair(services, db, market, order, 1, 5)

    payload = await hide(gql, services, market.admin, of_seller, "Abusive language")

    assert payload["errors"] == []
    assert payload["review"]["hiddenAt"] is not None
    hidden = await db.get(Review, of_seller.id)
    assert (hidden.hidden_by_id, hidden.hidden_reason) == (market.admin.id, "Abusive language")
    seller = await db.get(User, market.seller.id)
    gig = await db.get(Gig, market.gig.id)
    buyer = await db.get(User, market.buyer.id)
    assert (seller.rating_sum, seller.rating_count) == (0, 0)
    assert (gig.rating_sum, gig.rating_count) == (0, 0)
    assert (buyer.rating_sum, buyer.rating_count) == (5, 1)  # the other review stays
    [entry] = await db.scalars(select(AuditLog))
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        market.admin.id,
        "review.hide",
        "review",
        of_seller.id,
    )
    assert entry.detail["reason"] == "Abusive language"


async def test_a_hidden_review_leaves_lists_and_is_seen_only_by_its_author_and_admins(
    gql, services, db, market, order
):
    of_seller, _ = await published_pair(services, db, market, order)
    await hide(gql, services, market.admin, of_seller)
    global_id = encode_id("Review", of_seller.id)

    listed = await gql(USER_REVIEWS, {"id": encode_id("User", market.seller.id)})
    assert listed["data"]["user"]["reviews"]["edges"] == []
    assert listed["data"]["user"]["reviewCount"] == 0
    for user, visible in [
        (market.buyer, True),
        (market.admin, True),
        (market.seller, False),
        (market.stranger, False),
    ]:
        seen = await gql(NODE, {"id": global_id}, token=token_for(services, user))
        assert (seen["data"]["node"] is not None) is visible


async def test_hiding_as_a_non_admin_is_refused(gql, services, db, market, order):
    of_seller, _ = await published_pair(services, db, market, order)
    before = await snapshot(db)

    for user in (market.seller, market.buyer, market.stranger):
        payload = await hide(gql, services, user, of_seller)
        assert codes(payload) == [("NOT_ALLOWED", ["input", "reviewId"])]

    assert (await db.get(Review, of_seller.id)).hidden_at is None
    assert await snapshot(db) == before
    assert await db.scalars(select(AuditLog)) == []


async def test_hiding_twice_is_refused(gql, services, db, market, order):
    of_seller, _ = await published_pair(services, db, market, order)
    await hide(gql, services, market.admin, of_seller)
    before = await snapshot(db)

    payload = await hide(gql, services, market.admin, of_seller)

    assert codes(payload) == [("ALREADY_HIDDEN", ["input", "reviewId"])]
    assert await snapshot(db) == before
    assert len(await db.scalars(select(AuditLog))) == 1


async def test_hiding_needs_a_reason(gql, services, db, market, order):
    of_seller, _ = await published_pair(services, db, market, order)

    payload = await hide(gql, services, market.admin, of_seller, "  ")

    assert codes(payload) == [("REQUIRED", ["input", "reason"])]
    assert (await db.get(Review, of_seller.id)).hidden_at is None


async def test_a_review_hidden_before_publication_never_counts(gql, services, db, market, order):
    review = await submit(services, market.buyer, order, 1)
    await hide(gql, services, market.admin, review)

    assert await publish_due(services, after=WINDOW + timedelta(seconds=1)) == 1

    published = await db.get(Review, review.id)
    assert published.published_at is not None
    seller = await db.get(User, market.seller.id)
    assert (seller.rating_sum, seller.rating_count) == (0, 0)
    assert [n.type for n in await stored(db)] == [NotificationType.REVIEW_RECEIVED]

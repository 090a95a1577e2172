"""The demo marketplace: complete, balanced to the cent, honest aggregates, seeded only once."""

import base64
import io
import uuid
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import Row, func, select, update

from models.audit import AuditLog
from models.badges import BADGE_RULES, Standing
from models.catalog import Application, Category, Gig, GigKind
from models.chat import Conversation
from models.db import open_session
from models.ledger import AccountKind, LedgerAccount, LedgerPosting, LedgerTransaction
from models.notification import Notification, NotificationType
from models.order import Order, OrderStatus
from models.review import Badge, BadgeKind, Review
from models.tables import metadata
from models.user import User, UserRole
from resolvers.context import Services
from resolvers.seed import ADMIN_EMAIL, DEMO_DOMAIN, DEMO_PASSWORD, FEE_BPS, seed_marketplace
from tests.reviews.test_reputation import kept, recount

T = NotificationType
# What each notification type points at, as its Relay global id's type.
TARGET_TYPES = {
    T.APPLICATION_RECEIVED: "Application",
    T.APPLICATION_ACCEPTED: "Order",
    T.APPLICATION_DECLINED: "Application",
    T.MESSAGE_RECEIVED: "Conversation",
    T.REVIEW_RECEIVED: "Order",
    T.REVIEW_PUBLISHED: "Review",
    T.BADGE_AWARDED: "User",
}
TARGET_MODELS = {
    "Application": Application,
    "Conversation": Conversation,
    "Order": Order,
    "Review": Review,
    "User": User,
}

HOLDING_ESCROW = {
    OrderStatus.IN_PROGRESS,
    OrderStatus.DELIVERED,
    OrderStatus.REVISION_REQUESTED,
    OrderStatus.DISPUTED,
}


@pytest.fixture(autouse=True)
async def flatten_categories(services: Services):
    """Let the `services` clean-up empty the category table after a seed.

    It deletes each table in one statement, and SQLite refuses to delete a parent category
    before its children (the self-reference is RESTRICT); a flat tree deletes in any order.
    """
    yield
    async with open_session(services.sessions) as session:
        await session.execute(update(Category).values(parent_id=None))
        await session.commit()


async def seed(services: Services) -> str:
    out = io.StringIO()
    await seed_marketplace(services.settings, scale=1, out=out)
    return out.getvalue()


async def ledger_legs(services: Services) -> list[Row]:
    """Every posting, with its account and the transaction it belongs to."""
    statement = (
        select(
            LedgerPosting.amount,
            LedgerAccount.kind.label("account"),
            LedgerAccount.owner_key,
            LedgerTransaction.kind.label("movement"),
            LedgerTransaction.idempotency,
            LedgerTransaction.order_id,
        )
        .join_from(LedgerPosting, LedgerAccount)
        .join(LedgerTransaction)
    )
    async with open_session(services.sessions) as session:
        return list(await session.execute(statement))


async def test_seeding_prints_progress_and_the_demo_logins(services):
    output = await seed(services)

    lines = [line.split() for line in output.splitlines()]
    assert ["gig", "0"] not in lines
    assert any(line[:1] == ["gig"] for line in lines)
    assert [ADMIN_EMAIL, DEMO_PASSWORD, "ADMIN"] in lines
    logins = {line[2] for line in lines if len(line) == 3 and line[1] == DEMO_PASSWORD}
    assert logins == {role.value for role in UserRole}


async def test_every_demo_account_shares_the_demo_password(services, db):
    await seed(services)

    hashes = set(await db.scalars(select(User.password_hash)))

    assert len(hashes) == 1
    assert await services.passwords.verify(hashes.pop(), DEMO_PASSWORD)


async def test_the_printed_admin_login_signs_in_over_graphql(services, gql):
    await seed(services)

    result = await gql(
        "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) {"
        " user { role } errors { code } } }",
        {"e": ADMIN_EMAIL, "p": DEMO_PASSWORD},
    )

    assert result["data"]["login"] == {"user": {"role": "ADMIN"}, "errors": []}


async def test_orders_exist_in_every_status(services, db):
    await seed(services)

    statuses = await db.scalars(select(Order.status).distinct())

    assert set(statuses) == set(OrderStatus)


async def test_there_are_at_least_200_gigs_of_both_kinds(services, db):
    await seed(services)

    kinds = await db.scalars(select(Gig.kind))

    assert len(kinds) >= 200
    assert set(kinds) == set(GigKind)


async def test_every_ledger_transaction_sums_to_zero(services, db):
    await seed(services)
    by_transaction: dict[str, int] = defaultdict(int)

    for leg in await ledger_legs(services):
        by_transaction[leg.idempotency] += leg.amount

    assert by_transaction
    assert set(by_transaction.values()) == {0}
    assert await db.scalar(select(func.sum(LedgerPosting.amount))) == 0


async def test_each_escrow_holds_what_was_funded_less_released_and_refunded(services, db):
    await seed(services)
    moved: dict[tuple, int] = defaultdict(int)
    for leg in await ledger_legs(services):
        if leg.account is AccountKind.ESCROW:
            assert leg.owner_key == f"escrow:{leg.order_id}"
            moved[leg.order_id, leg.movement] += leg.amount

    for order in await db.scalars(select(Order).where(Order.funded_at.is_not(None))):
        funded = moved[order.id, "FUND"]
        released, refunded = -moved[order.id, "RELEASE"], -moved[order.id, "REFUND"]
        balance = funded - released - refunded
        assert funded == order.price
        assert balance == (order.price if order.status in HOLDING_ESCROW else 0), order.status
        assert balance >= 0


async def test_a_release_pays_the_seller_the_price_less_a_ten_percent_fee(services, db):
    await seed(services)
    releases: dict[object, dict[AccountKind, int]] = defaultdict(dict)
    for leg in await ledger_legs(services):
        if leg.movement == "RELEASE":
            releases[leg.order_id][leg.account] = leg.amount

    prices = {order.id: order.price for order in await db.scalars(select(Order))}
    assert releases
    for order_id, legs in releases.items():
        fee = prices[order_id] * FEE_BPS // 10_000
        assert legs[AccountKind.PLATFORM_FEES] == fee
        assert legs[AccountKind.WALLET] == prices[order_id] - fee
        assert legs[AccountKind.ESCROW] == -prices[order_id]


async def test_no_wallet_is_negative(services):
    await seed(services)
    wallets: dict[str, int] = defaultdict(int)

    for leg in await ledger_legs(services):
        if leg.account is AccountKind.WALLET:
            wallets[leg.owner_key] += leg.amount

    assert wallets
    assert min(wallets.values()) > 0


async def test_user_ratings_add_up_their_published_visible_reviews(services, db):
    await seed(services)
    expected: dict[object, list[int]] = defaultdict(lambda: [0, 0])
    visible = (Review.published_at.is_not(None), Review.hidden_at.is_(None))

    for review in await db.scalars(select(Review).where(*visible)):
        expected[review.subject_id][0] += review.rating
        expected[review.subject_id][1] += 1

    users = await db.scalars(select(User))
    assert any(user.rating_count for user in users)
    for user in users:
        assert [user.rating_sum, user.rating_count] == expected[user.id], user.email


async def test_gig_ratings_add_up_the_published_visible_reviews_of_their_buyers(services, db):
    await seed(services)
    expected: dict[object, list[int]] = defaultdict(lambda: [0, 0])
    visible = (Review.published_at.is_not(None), Review.hidden_at.is_(None))
    by_buyers = select(Review).join(Order, Order.id == Review.order_id)

    for review in await db.scalars(by_buyers.where(Review.author_id == Order.buyer_id, *visible)):
        expected[review.gig_id][0] += review.rating
        expected[review.gig_id][1] += 1

    for gig in await db.scalars(select(Gig)):
        assert [gig.rating_sum, gig.rating_count] == expected[gig.id], gig.slug


async def test_seeding_twice_changes_nothing(services, db):
    await seed(services)
    counts = {
        t.name: await db.scalar(select(func.count()).select_from(t)) for t in metadata.sorted_tables
    }

    output = await seed(services)

    assert "already there" in output
    assert {
        t.name: await db.scalar(select(func.count()).select_from(t)) for t in metadata.sorted_tables
    } == counts


async def test_the_reputation_aggregates_equal_a_full_recount(services, db):
    await seed(services)
    people = set(await db.scalars(select(User.id)))
    gig_ids = set(await db.scalars(select(Gig.id)))

    stored, expected = await kept(db, people, gig_ids), await recount(db, people, gig_ids)

    assert any(counts[2] for counts in stored[0].values())
    assert stored == expected


async def test_every_badge_is_held_and_the_demo_freelancer_holds_them_all(services, db):
    await seed(services)
    freelancer = await db.scalar(select(User.id).where(User.email == f"freelancer@{DEMO_DOMAIN}"))

    badges = await db.scalars(select(Badge))

    assert {badge.badge for badge in badges} == set(BadgeKind)
    assert {badge.badge for badge in badges if badge.user_id == freelancer} == set(BadgeKind)


async def test_each_badge_holder_met_its_rule_when_it_was_awarded(services, db):
    await seed(services)
    orders = await db.scalars(select(Order).where(Order.status == OrderStatus.COMPLETED))
    reviews = await db.scalars(select(Review))
    users = {user.id: user for user in await db.scalars(select(User))}
    rules = {rule.badge: rule for rule in BADGE_RULES}

    for badge in await db.scalars(select(Badge)):
        at, user = badge.awarded_at, users[badge.user_id]
        sold = [o for o in orders if o.seller_id == user.id and o.completed_at <= at]
        counted = [
            r
            for r in reviews
            if r.subject_id == user.id
            and r.published_at is not None
            and r.published_at <= at
            and (r.hidden_at is None or r.hidden_at > at)
        ]
        standing = Standing(
            completed_orders=len(sold),
            on_time_orders=sum(o.delivered_at <= o.due_at for o in sold),
            rating_sum=sum(r.rating for r in counted),
            rating_count=len(counted),
            email_verified=user.email_verified_at is not None and user.email_verified_at <= at,
            phone_verified=user.phone_verified_at is not None and user.phone_verified_at <= at,
        )
        assert rules[badge.badge].earned(standing), (user.email, badge.badge, standing)


async def test_reviews_are_double_blind_and_published_together_or_when_the_window_closes(
    services, db
):
    await seed(services)
    window = timedelta(seconds=services.settings.review_blind_window_seconds)
    orders = {order.id: order for order in await db.scalars(select(Order))}
    by_order: dict[object, list[Review]] = defaultdict(list)
    for review in await db.scalars(select(Review)):
        by_order[review.order_id].append(review)

    for order_id, pair in by_order.items():
        order, closes = orders[order_id], orders[order_id].completed_at + window
        assert order.status is OrderStatus.COMPLETED
        for review in pair:
            assert order.completed_at < review.created_at < closes
            by_buyer = review.author_id == order.buyer_id
            assert review.subject_id == (order.seller_id if by_buyer else order.buyer_id)
            assert (review.quality is not None) is by_buyer  # sub-ratings rate the seller
        written = max(review.created_at for review in pair)
        expected = written if len(pair) == 2 else closes
        published = {review.published_at for review in pair}
        assert published in ({expected}, {None}), order_id
        if published == {None}:
            assert len(pair) == 1
    reviews = [review for pair in by_order.values() for review in pair]
    assert any(review.published_at is None for review in reviews)  # still behind the window
    assert any(review.reply for review in reviews)


async def test_a_hidden_review_was_hidden_by_an_admin_after_it_was_published(services, db):
    await seed(services)
    admin = await db.scalar(select(User.id).where(User.email == ADMIN_EMAIL))

    hidden = await db.scalars(select(Review).where(Review.hidden_at.is_not(None)))
    audits = await db.scalars(select(AuditLog).where(AuditLog.action == "review.hide"))

    assert hidden
    for review in hidden:
        assert review.hidden_by_id == admin
        assert review.hidden_reason
        assert review.published_at <= review.hidden_at
    assert {(a.actor_id, a.target_id) for a in audits} == {(admin, r.id) for r in hidden}


async def test_notifications_of_many_types_some_read_some_unread(services, db):
    await seed(services)

    notifications = await db.scalars(select(Notification))

    types = {notification.type for notification in notifications}
    assert set(TARGET_TYPES) | {T.ORDER_UPDATED, T.PAYMENT_SUCCEEDED} <= types
    assert {notification.read_at is None for notification in notifications} == {True, False}


async def test_each_notification_targets_a_row_of_what_its_type_is_about(services, db):
    await seed(services)
    targets: dict[str, set[uuid.UUID]] = defaultdict(set)

    for notification in await db.scalars(select(Notification)):
        kind, key = base64.b64decode(notification.target_id).decode().split(":")
        assert kind == TARGET_TYPES.get(notification.type, "Order"), notification.type
        targets[kind].add(uuid.UUID(key))
        if notification.type is T.BADGE_AWARDED:
            assert uuid.UUID(key) == notification.user_id

    for kind, keys in targets.items():
        model = TARGET_MODELS[kind]
        assert set(await db.scalars(select(model.id).where(model.id.in_(keys)))) == keys, kind

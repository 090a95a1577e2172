"""The reputation aggregates equal a full recount after any history of reviews, reveals, hides."""

from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from models.catalog import Gig, GigKind
from models.order import Order, OrderStatus
from models.review import Review
from models.types import utcnow
from models.user import User, UserRole
from resolvers import reviews
from resolvers.reputation import on_order_completed
from tests.factories import make_category, make_gig, make_order, make_user
from tests.reviews.conftest import WINDOW, acting, attempt, publish_due, submit

ORDERS = 3
SIDES = ("buyer", "seller")
orders = st.integers(0, ORDERS - 1)
sides = st.sampled_from(SIDES)
# Writing reviews is most of a history: hides and reveals need reviews to act on.
submits = st.tuples(st.just("submit"), orders, sides, st.integers(1, 5))
steps = st.one_of(
    submits,
    submits,
    st.tuples(st.just("close"), orders),
    st.tuples(st.just("hide"), orders, sides),
    st.tuples(st.just("complete"), st.just(ORDERS - 1), st.booleans()),
)


async def recount(db, people, gig_ids):
    """The aggregates of `people` and the gigs, as a full recomputation from the rows says."""
    users = {key: [0, 0, 0, 0] for key in people}
    gigs = {key: [0, 0] for key in gig_ids}
    orders = await db.scalars(select(Order).where(Order.gig_id.in_(gig_ids)))
    for order in orders:
        if order.status is OrderStatus.COMPLETED:
            users[order.seller_id][2] += 1
            users[order.seller_id][3] += order.delivered_at <= order.due_at
    buyers = {order.id: order.buyer_id for order in orders}
    visible = select(Review).where(
        Review.gig_id.in_(gig_ids), Review.published_at.is_not(None), Review.hidden_at.is_(None)
    )
    for review in await db.scalars(visible):
        users[review.subject_id][0] += review.rating
        users[review.subject_id][1] += 1
        if review.author_id == buyers[review.order_id]:
            gigs[review.gig_id][0] += review.rating
            gigs[review.gig_id][1] += 1
    return users, gigs


async def kept(db, people, gig_ids):
    """The aggregates of `people` and the gigs, as stored."""
    users = await db.scalars(select(User).where(User.id.in_(people)))
    gigs = await db.scalars(select(Gig).where(Gig.id.in_(gig_ids)))
    return (
        {u.id: [u.rating_sum, u.rating_count, u.completed_orders, u.on_time_orders] for u in users},
        {g.id: [g.rating_sum, g.rating_count] for g in gigs},
    )


async def world(services):
    """Three people, a service and a request, and three orders between them: two of them just
    completed (their reviews can be written), one delivered (it may complete later)."""
    category = await make_category(services)
    ann, ben, cat = [await make_user(services, role=UserRole.FREELANCER) for _ in range(3)]
    admin = await make_user(services, role=UserRole.ADMIN)
    service = await make_gig(services, owner=ann, category=category)
    request = await make_gig(services, owner=ben, category=category, kind=GigKind.REQUEST)
    deals = [(service, ben, ann), (request, ben, cat), (service, cat, ann)]
    orders = [
        await make_order(
            services, gig=gig, buyer=buyer, seller=seller, status=OrderStatus.DELIVERED
        )
        for gig, buyer, seller in deals
    ]
    await complete(services, orders[0], True)
    await complete(services, orders[1], False)
    return orders, {order.id: (order.buyer_id, order.seller_id) for order in orders}, admin


async def complete(services, order, on_time):
    async with acting(services) as ctx:
        current = await ctx.session.get(Order, order.id)
        if current.status is OrderStatus.COMPLETED:
            return
        now = utcnow()
        # What the lifecycle's completion does, the move itself aside: stamp, then count.
        current.status, current.completed_at = OrderStatus.COMPLETED, now
        current.due_at = now - timedelta(hours=1)
        current.delivered_at = current.due_at + timedelta(minutes=-1 if on_time else 1)
        await ctx.session.flush()
        await on_order_completed(ctx, current)
        await ctx.commit()


async def run(services, db, step, orders, sides, admin):
    kind, index, *rest = step
    order = orders[index]
    if kind == "complete":
        await complete(services, order, rest[0])
    elif kind == "submit":
        side, rating = rest
        author = await db.get(User, sides[order.id][SIDES.index(side)])
        await submit(services, author, order, rating)
    elif kind == "close":
        closed = utcnow() - WINDOW - timedelta(seconds=1)
        await db.execute(
            update(Order)
            .where(Order.id == order.id, Order.status == OrderStatus.COMPLETED)
            .values(completed_at=closed)
        )
        await publish_due(services, after=timedelta())
    else:
        author_id = sides[order.id][SIDES.index(rest[0])]
        review = await db.scalar(
            select(Review).where(Review.order_id == order.id, Review.author_id == author_id)
        )
        if review is not None:
            await attempt(services, admin, reviews.hide_review, review_id=review.id, reason="Rude")


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(steps, min_size=3, max_size=16))
# Histories worth running every time, whatever the search finds.
@example([("submit", 0, "buyer", 2), ("submit", 0, "seller", 5), ("hide", 0, "buyer")])
@example([("submit", 1, "buyer", 4), ("close", 1), ("hide", 1, "buyer"), ("hide", 1, "buyer")])
@example([("submit", 0, "seller", 1), ("hide", 0, "seller"), ("submit", 0, "buyer", 3)])
@example([("hide", 0, "buyer"), ("submit", 0, "buyer", 1), ("hide", 0, "buyer"), ("close", 0)])
@example([("submit", 2, "buyer", 5), ("complete", 2, False), ("submit", 2, "buyer", 5)])
@example([("complete", 2, True), ("submit", 2, "seller", 3), ("submit", 2, "buyer", 4)])
async def test_the_aggregates_always_equal_a_recount(services, db, history):
    orders, sides, admin = await world(services)
    # Each example has people and gigs of its own: earlier examples' rows stay, unrelated.
    people = {person for pair in sides.values() for person in pair}
    gig_ids = {order.gig_id for order in orders}

    for step in history:
        await run(services, db, step, orders, sides, admin)
        assert await kept(db, people, gig_ids) == await recount(db, people, gig_ids), step

"""Reviews and notifications: a small market, use-cases called directly, live events heard."""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from models.catalog import Gig, GigKind
from models.errors import DomainError
from models.notification import Notification
from models.types import utcnow
from models.user import User, UserRole
from resolvers import reviews
from resolvers.context import Context, Services
from tests.factories import make_category, make_gig, make_order, make_user
from tests.inbox import Inbox, stored

WINDOW = timedelta(days=14)


@dataclass
class Market:
    buyer: User
    seller: User
    admin: User
    stranger: User
    gig: Gig  # the seller's SERVICE
    request: Gig  # the buyer's REQUEST, which the seller was hired for
    category: Any


@pytest.fixture
async def market(services) -> Market:
    category = await make_category(services)
    buyer = await make_user(services, role=UserRole.CLIENT, name="Bea Buyer")
    seller = await make_user(services, role=UserRole.FREELANCER, name="Sol Seller")
    return Market(
        buyer=buyer,
        seller=seller,
        admin=await make_user(services, role=UserRole.ADMIN, name="Ada Admin"),
        stranger=await make_user(services, role=UserRole.CLIENT, name="Stan Stranger"),
        gig=await make_gig(services, owner=seller, category=category, title="Logo design"),
        request=await make_gig(
            services, owner=buyer, category=category, kind=GigKind.REQUEST, title="Build my site"
        ),
        category=category,
    )


@pytest.fixture
async def order(services, market) -> Any:
    """A COMPLETED order of the seller's gig, completed just now."""
    return await make_order(services, gig=market.gig, buyer=market.buyer, seller=market.seller)


@contextlib.asynccontextmanager
async def acting(services: Services, user: User | None = None) -> AsyncIterator[Context]:
    """A context as a request would have it, signed in as `user`; closed (rolled back) after."""
    ctx = Context(services)
    if user is not None:
        ctx.authenticate(user.id)
    try:
        yield ctx
    finally:
        await ctx.close()


async def attempt(services: Services, user: User | None, use_case: Any, **arguments: Any) -> Any:
    """Run a use-case as `user`; a domain failure is returned (and rolled back), not raised."""
    async with acting(services, user) as ctx:
        try:
            return await use_case(ctx, **arguments)
        except DomainError as error:
            await ctx.rollback()
            return error


async def submit(services: Services, author: User, order: Any, rating: int = 5, **extra: Any):
    return await attempt(
        services,
        author,
        reviews.submit_review,
        order_id=order.id,
        rating=rating,
        comment=extra.pop("comment", f"Rated {rating}"),
        **extra,
    )


async def publish_due(services: Services, *, after: timedelta = WINDOW) -> int:
    """Run the scheduler's review tick as if `after` had passed since now."""
    async with acting(services) as ctx:
        return await reviews.publish_due_reviews(ctx, now=utcnow() + after)


async def assert_notified_once(db, inbox: Inbox, user: User, kind: Any) -> Notification:
    """Exactly one notification in all, for `user`, of `kind`: stored, and announced live."""
    everything = await stored(db)
    assert [(n.user_id, n.type) for n in everything] == [(user.id, kind)]
    assert await inbox.heard(user, 1) == [str(everything[0].id)]
    return everything[0]

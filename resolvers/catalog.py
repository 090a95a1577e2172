"""Categories, favorites and view counts."""

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError

from models.catalog import Category, Favorite, Gig, GigStatus
from models.db import SessionFactory, open_session
from models.errors import NotFound
from resolvers.context import Context
from resolvers.loaders import GIG_COLUMNS
from resolvers.pagination import Ordering, Page, SortKey, paginate

logger = logging.getLogger("gigstream.views")

FAVORITES = Ordering(
    "favorites",
    (
        SortKey("t", Favorite.created_at, descending=True, kind=datetime),
        SortKey("id", Favorite.id, descending=True, kind=uuid.UUID),
    ),
)


async def categories(ctx: Context) -> list[Any]:
    """Every category, parents first, each level in its display order."""
    rows = await ctx.session.execute(
        select(*Category.__table__.c).order_by(
            Category.parent_id.is_not(None), Category.position, Category.name
        )
    )
    return list(rows)


async def add_favorite(ctx: Context, *, gig_id: uuid.UUID) -> Gig:
    """Save a gig to the viewer's favorites; saving it again changes nothing."""
    viewer = await ctx.require_viewer()
    gig = await ctx.session.get(Gig, gig_id)
    if gig is None or (gig.status is not GigStatus.ACTIVE and gig.owner_id != viewer.id):
        raise NotFound("No such gig", field="gigId")
    exists = await ctx.session.scalar(
        select(Favorite.id).where(Favorite.user_id == viewer.id, Favorite.gig_id == gig_id)
    )
    if exists is None:
        ctx.session.add(Favorite(user_id=viewer.id, gig_id=gig_id))
        try:
            await ctx.commit()
        except IntegrityError:
            await ctx.rollback()  # saved concurrently by another request: the same outcome
    return gig


async def remove_favorite(ctx: Context, *, gig_id: uuid.UUID) -> Gig:
    """Remove a gig from the viewer's favorites; removing it again changes nothing."""
    viewer = await ctx.require_viewer()
    gig = await ctx.session.get(Gig, gig_id)
    if gig is None:
        raise NotFound("No such gig", field="gigId")
    await ctx.session.execute(
        delete(Favorite).where(Favorite.user_id == viewer.id, Favorite.gig_id == gig_id)
    )
    await ctx.commit()
    return gig


async def favorites(
    ctx: Context, *, user_id: uuid.UUID, first: int | None, after: str | None
) -> Page:
    """The gigs a user saved, most recently saved first (still visible ones only)."""
    statement = (
        select(*GIG_COLUMNS)
        .join(Favorite, Favorite.gig_id == Gig.id)
        .where(Favorite.user_id == user_id, Gig.status == GigStatus.ACTIVE)
    )
    return await paginate(ctx.session, statement, FAVORITES, first=first, after=after)


def count_view(ctx: Context, gig: Gig) -> None:
    """Count a view of a gig's page, unless its owner is looking."""
    if gig.owner_id != ctx.viewer_id:
        ctx.services.views.count(gig.id)


class ViewCounter:
    """Views add up in memory and reach the database in one batch every few seconds.

    A read never costs a write; the increments are additive, so any number of processes
    flushing their own counts add up to the right total.
    """

    def __init__(self, sessions: SessionFactory, *, interval: float = 5.0) -> None:
        self._sessions = sessions
        self._interval = interval
        self._pending: Counter[uuid.UUID] = Counter()
        self._task: asyncio.Task[None] | None = None

    def count(self, gig_id: uuid.UUID) -> None:
        self._pending[gig_id] += 1

    async def flush(self) -> None:
        """Write the counts gathered so far."""
        pending, self._pending = self._pending, Counter()
        if not pending:
            return
        table = Gig.__table__
        statement = (
            update(table)
            .where(table.c.id == bindparam("gig"))
            .values(view_count=table.c.view_count + bindparam("views"))
        )
        try:
            async with open_session(self._sessions) as session:
                await session.execute(
                    statement, [{"gig": gig, "views": n} for gig, n in pending.items()]
                )
                await session.commit()
        except Exception:
            self._pending.update(pending)  # keep them for the next flush
            raise

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="view-counter")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except Exception:
                logger.exception("flushing view counts failed; retrying next time")


async def prime_gigs(
    ctx: Context,
    gigs: list[Any],
    *,
    sellers: bool = False,
    seller_skills: bool = False,
    seller_badges: bool = False,
    packages: bool = False,
    favorites: bool = False,
    categories: bool = False,
) -> None:
    """Load the relations a page of gigs will show, before GraphQL asks for them one by one.

    The statements are the ones the loaders would batch anyway; loaded up front, the fields
    that show them read the values synchronously (`Loader.now`) instead of awaiting each.
    """
    if not gigs:
        return
    loaders = ctx.loaders
    gig_ids = [gig.id for gig in gigs]
    seller_ids = [gig.owner_id for gig in gigs]
    # One after another: the request's session runs one statement at a time anyway.
    if sellers or seller_skills or seller_badges:
        await loaders.user_by_id.fill(seller_ids)
    if seller_skills:
        await loaders.skills_by_user_id.fill(seller_ids)
    if seller_badges:
        await loaders.badges_by_user_id.fill(seller_ids)
    if packages:
        await loaders.packages_by_gig_id.fill(gig_ids)
    if favorites:
        await loaders.is_favorite_by_gig_id.fill(gig_ids)
    if categories:
        await loaders.category_by_id.fill(gig.category_id for gig in gigs)

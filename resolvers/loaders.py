"""Per-request DataLoaders, named `<target>_by_<key>`, returning results in key order.

They select plain columns into rows rather than ORM objects: the feed loads hundreds of
them per request, and rows cost a fraction of an identity-mapped entity.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.sql import Select
from strawberry.dataloader import DataLoader

from models.catalog import Category, Favorite, Gig, GigPackage, GigStatus, Skill, UserSkill
from models.review import Badge as UserBadge
from models.user import User
from resolvers.applications import GigPageKey, gig_pages
from resolvers.pagination import Ordering, Page, SortKey, paginate_each

if TYPE_CHECKING:
    from resolvers.context import Context

PageKey = tuple[uuid.UUID, int | None, str | None]
NEWEST_GIGS = Ordering(
    "gigs:NEWEST",
    (
        SortKey("t", Gig.listed_at, descending=True, kind=datetime),
        SortKey("id", Gig.id, descending=True, kind=uuid.UUID),
    ),
)

# Everything a profile may show; never the password hash.
USER_COLUMNS = tuple(c for c in User.__table__.c if c.name != "password_hash")
GIG_COLUMNS = tuple(Gig.__table__.c)
PACKAGE_COLUMNS = tuple(GigPackage.__table__.c)


def _keyed(statement: Select[Any], key: Any) -> Select[Any]:
    """`statement` for the keys bound at run time: built once, compiled once, cached."""
    return statement.where(key.in_(bindparam("keys", expanding=True)))


USERS = _keyed(select(*USER_COLUMNS), User.id)
GIGS = _keyed(select(*GIG_COLUMNS), Gig.id)
CATEGORIES = _keyed(select(*Category.__table__.c), Category.id)
PACKAGES = _keyed(
    select(*PACKAGE_COLUMNS).order_by(GigPackage.price, GigPackage.tier), GigPackage.gig_id
)
SKILLS = _keyed(
    select(Skill.id, Skill.name, Skill.slug, UserSkill.level, UserSkill.user_id)
    .join(UserSkill, UserSkill.skill_id == Skill.id)
    .order_by(Skill.name),
    UserSkill.user_id,
)
BADGES = _keyed(
    select(UserBadge.badge, UserBadge.awarded_at, UserBadge.user_id).order_by(UserBadge.awarded_at),
    UserBadge.user_id,
)
FAVORITES = _keyed(
    select(Favorite.gig_id).where(Favorite.user_id == bindparam("viewer")), Favorite.gig_id
)
ACTIVE_GIG_COUNTS = _keyed(
    select(Gig.category_id, func.count())
    .where(Gig.status == GigStatus.ACTIVE)
    .group_by(Gig.category_id),
    Gig.category_id,
)
ACTIVE_GIGS = select(*GIG_COLUMNS).where(Gig.status == GigStatus.ACTIVE)


class Loaders:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self.user_by_id = self._one(USERS)
        self.gig_by_id = self._one(GIGS)
        self.category_by_id = self._one(CATEGORIES)
        self.packages_by_gig_id = self._many(PACKAGES, "gig_id")
        self.skills_by_user_id = self._many(SKILLS, "user_id")
        self.badges_by_user_id = self._many(BADGES, "user_id")
        self.active_gig_page_by_owner_id = self.pages(ACTIVE_GIGS, NEWEST_GIGS, Gig.owner_id)
        self.is_favorite_by_gig_id = DataLoader[uuid.UUID, bool](self._favorites)
        self.active_gig_count_by_category_id = DataLoader[uuid.UUID, int](self._category_counts)
        self.application_page_by_gig_id = DataLoader[GigPageKey, Page](
            lambda keys: gig_pages(self._ctx.session, keys)
        )

    def _one(self, statement: Select[Any]) -> DataLoader[uuid.UUID, Any]:
        async def load(keys: Sequence[uuid.UUID]) -> list[Any]:
            rows = await self._ctx.session.rows(statement, {"keys": keys})
            by_id = {row.id: row for row in rows}
            return [by_id.get(k) for k in keys]

        return DataLoader(load)

    def _many(self, statement: Select[Any], name: str) -> DataLoader[uuid.UUID, list[Any]]:
        async def load(keys: Sequence[uuid.UUID]) -> list[list[Any]]:
            grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
            for row in await self._ctx.session.rows(statement, {"keys": keys}):
                grouped[getattr(row, name)].append(row)
            return [grouped.get(k, []) for k in keys]

        return DataLoader(load)

    def pages(
        self, statement: Select[Any], ordering: Ordering, partition: Any
    ) -> DataLoader[PageKey, Page]:
        """A loader of one page per parent, keyed `(parent id, first, after)`: parents asked
        for with the same `first` and `after` share one query."""

        async def load(keys: Sequence[PageKey]) -> list[Page]:
            pages: dict[PageKey, Page] = {}
            groups: dict[tuple[int | None, str | None], list[uuid.UUID]] = defaultdict(list)
            for parent, first, after in keys:
                groups[first, after].append(parent)
            for (first, after), parents in groups.items():
                found = await paginate_each(
                    self._ctx.session,
                    statement,
                    ordering,
                    partition=partition,
                    keys=parents,
                    first=first,
                    after=after,
                )
                pages.update(
                    ((parent, first, after), page)
                    for parent, page in zip(parents, found, strict=True)
                )
            return [pages[key] for key in keys]

        return DataLoader(load)

    async def _favorites(self, keys: Sequence[uuid.UUID]) -> list[bool]:
        viewer_id = self._ctx.viewer_id
        if viewer_id is None:
            return [False] * len(keys)
        rows = await self._ctx.session.rows(FAVORITES, {"keys": keys, "viewer": viewer_id})
        favorites = {gig_id for (gig_id,) in rows}
        return [key in favorites for key in keys]

    async def _category_counts(self, keys: Sequence[uuid.UUID]) -> list[int]:
        rows = await self._ctx.session.rows(ACTIVE_GIG_COUNTS, {"keys": keys})
        counts = dict(rows)
        return [counts.get(key, 0) for key in keys]

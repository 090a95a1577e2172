"""Per-request DataLoaders, named `<target>_by_<key>`, returning results in key order.

They select plain columns into rows rather than ORM objects: the feed loads hundreds of
them per request, and rows cost a fraction of an identity-mapped entity.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import ARRAY, any_, bindparam, func, select
from sqlalchemy.sql import Select
from strawberry.dataloader import DataLoader, DefaultCache

from models.catalog import (
    Category,
    Favorite,
    Gig,
    GigImage,
    GigPackage,
    GigStatus,
    Skill,
    UserSkill,
)
from models.file import StoredFile
from models.review import Badge as UserBadge
from models.review import Review
from models.user import User
from resolvers.applications import GigPageKey, gig_pages
from resolvers.order_loaders import OrderLoaders
from resolvers.pagination import Ordering, Page, SortKey, paginate_each
from resolvers.reviews import GIG_REVIEWS, NEWEST_REVIEWS, PUBLIC_REVIEWS

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
PACKAGE_COLUMNS = tuple(
    c for c in GigPackage.__table__.c if c.name not in {"id", "created_at", "updated_at"}
)


@dataclass(frozen=True, slots=True)
class Keyed:
    """A statement for keys bound at run time, built once in each backend's best form."""

    in_list: Select[Any]
    any_array: Select[Any]

    def on(self, *, sqlite: bool) -> Select[Any]:
        return self.in_list if sqlite else self.any_array


def _keyed(statement: Select[Any], key: Any) -> Keyed:
    return Keyed(
        statement.where(key.in_(bindparam("keys", expanding=True))),
        # PostgreSQL binds and plans one array parameter far faster than twenty scalars.
        statement.where(key == any_(bindparam("keys", type_=ARRAY(key.type)))),
    )


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
IS_ACTIVE = Gig.status == GigStatus.ACTIVE
ACTIVE_GIGS = select(*GIG_COLUMNS).where(IS_ACTIVE)


class _Futures(DefaultCache[Any, Any]):
    """strawberry's cache keyed by the keys themselves, read and written by the dict's own
    methods: a call of the cache's method and of its key function less per lookup."""

    def __init__(self) -> None:
        super().__init__()
        self.get = self.cache_map.get  # type: ignore[method-assign]
        self.set = self.cache_map.__setitem__  # type: ignore[method-assign]

    def delete(self, key: Any) -> None:
        # A key may be held as a value rather than a future (`Loader.held`).
        self.cache_map.pop(key, None)


_MISSING = object()


class Loader(DataLoader[Any, Any]):
    """A DataLoader that can also load ahead (`fill`) and hand over a value it holds (`now`).

    What `fill` loads is held as plain values, not as futures: a future is made only for a
    caller that awaits `load`. The feed fills some 80 values a request.
    """

    def __init__(self, load_fn: Any) -> None:
        super().__init__(load_fn, cache_map=_Futures())
        self.held: dict[Any, Any] = {}

    def now(self, key: Any) -> Any:
        """The value itself when loaded already, so GraphQL has nothing to await; else a future.

        graphql-core completes an awaited field through a coroutine and, in lists, a gathered
        task: in the feed that was most of a request's cost. Filled relations skip it.
        """
        value = self.held.get(key, _MISSING)
        if value is not _MISSING:
            return value
        future = self.cache_map.get(key)
        loaded = future is not None and future.done() and not future.cancelled()
        if loaded and future.exception() is None:
            return future.result()
        return self.load(key)

    def hold(self, values: Iterable[tuple[Any, Any]]) -> None:
        """Hold `(key, value)` pairs loaded by other means, where nothing is held yet."""
        for key, value in values:
            if not self.holds(key):
                self.held[key] = value

    def holds(self, key: Any) -> bool:
        """Whether `key` was loaded, or is being loaded, already."""
        return key in self.held or self.cache_map.get(key) is not None

    def load(self, key: Any) -> Any:
        value = self.held.get(key, _MISSING)
        if value is _MISSING:
            return super().load(key)
        future = self.loop.create_future()
        future.set_result(value)
        return future

    async def fill(self, keys: Iterable[Any]) -> None:
        """Load the keys not held yet with one call of the batch function, and hold them.

        What `load_many` does for a page that is about to be shown, without a future per key
        awaited through `gather` (a task, and two callbacks per key): priming four relations
        of a 20-gig page that way cost more than the statements themselves.
        """
        held, futures = self.held, self.cache_map.get  # `holds`, without a call per key
        missing = [key for key in dict.fromkeys(keys) if key not in held and futures(key) is None]
        if not missing:
            return
        values = await self.load_fn(missing)
        for key, value in zip(missing, values, strict=True):
            if isinstance(value, BaseException):
                future = self.loop.create_future()
                future.set_exception(value)
                self.cache_map.set(key, future)
            else:
                self.held[key] = value

    def clear(self, key: Any) -> None:
        self.held.pop(key, None)
        super().clear(key)

    def clear_many(self, keys: Iterable[Any]) -> None:
        for key in keys:
            self.clear(key)

    def clear_all(self) -> None:
        self.held.clear()
        super().clear_all()


class Loaders:
    """One request's DataLoaders, each made when first used: a WebSocket builds a context per
    delivered event, and most of them need one or two loaders, not all of them."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._sqlite = ctx.settings.is_sqlite

    def clear(self) -> None:
        """Forget every loader made so far and all that each holds, as the context closes.

        Each loader's batch function closes over this object: a reference cycle, which only
        the garbage collector frees, and with it every row and future the request loaded (some
        560 objects for the home feed). Young collections then walked and promoted the rows
        of every request: 17% of the feed server's CPU, where cleared at close they are freed
        by reference counting as the request ends.
        """
        made = self.__dict__
        for name in _MADE_ON_USE & made.keys():
            loader = made.pop(name)
            if isinstance(loader, OrderLoaders):
                loader.clear()

    @cached_property
    def orders(self) -> OrderLoaders:
        return OrderLoaders(self._ctx)

    @cached_property
    def user_by_id(self) -> Loader:
        return self._one(USERS.on(sqlite=self._sqlite))

    @cached_property
    def gig_by_id(self) -> Loader:
        return self._one(GIGS.on(sqlite=self._sqlite))

    @cached_property
    def category_by_id(self) -> Loader:
        return self._one(CATEGORIES.on(sqlite=self._sqlite))

    @cached_property
    def packages_by_gig_id(self) -> Loader:
        return self._many(PACKAGES.on(sqlite=self._sqlite), "gig_id")

    @cached_property
    def skills_by_user_id(self) -> Loader:
        return self._many(SKILLS.on(sqlite=self._sqlite), "user_id")

    @cached_property
    def badges_by_user_id(self) -> Loader:
        return self._many(BADGES.on(sqlite=self._sqlite), "user_id")

    @cached_property
    def active_gig_page_by_owner_id(self) -> DataLoader[Any, Page]:
        return self.pages(ACTIVE_GIGS, NEWEST_GIGS, Gig.owner_id)

    # Reviews: published, visible, newest first; of a user, and of a gig by its buyers.
    @cached_property
    def review_page_by_subject_id(self) -> DataLoader[Any, Page]:
        return self.pages(PUBLIC_REVIEWS, NEWEST_REVIEWS, Review.subject_id)

    @cached_property
    def review_page_by_gig_id(self) -> DataLoader[Any, Page]:
        return self.pages(GIG_REVIEWS, NEWEST_REVIEWS, Review.gig_id)

    @cached_property
    def file_by_id(self) -> Loader:
        return Loader(self._files)

    @cached_property
    def images_by_gig_id(self) -> Loader:
        return Loader(self._gig_images)

    @cached_property
    def is_favorite_by_gig_id(self) -> Loader:
        return Loader(self._favorites)

    @cached_property
    def active_gig_count_by_category_id(self) -> Loader:
        return Loader(self._category_counts)

    @cached_property
    def application_page_by_gig_id(self) -> DataLoader[GigPageKey, Page]:
        return DataLoader[GigPageKey, Page](lambda keys: gig_pages(self._ctx.session, keys))

    def _one(self, statement: Select[Any]) -> Loader:
        async def load(keys: Sequence[uuid.UUID]) -> list[Any]:
            rows = await self._ctx.session.rows(statement, {"keys": list(keys)})
            by_id = {row.id: row for row in rows}
            return [by_id.get(k) for k in keys]

        return Loader(load)

    def _many(self, statement: Select[Any], name: str) -> Loader:
        async def load(keys: Sequence[uuid.UUID]) -> list[list[Any]]:
            grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
            for row in await self._ctx.session.rows(statement, {"keys": list(keys)}):
                grouped[getattr(row, name)].append(row)
            return [grouped.get(k, []) for k in keys]

        return Loader(load)

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

    async def _files(self, keys: Sequence[uuid.UUID]) -> list[StoredFile | None]:
        # Entities, not rows: the File type reads its access rule and URLs off the entity.
        found = await self._ctx.session.scalars(
            select(StoredFile).where(StoredFile.id.in_(list(keys)))
        )
        by_id = {file.id: file for file in found}
        return [by_id.get(key) for key in keys]

    async def _gig_images(self, keys: Sequence[uuid.UUID]) -> list[list[StoredFile]]:
        rows = await self._ctx.session.execute(
            select(GigImage.gig_id, StoredFile)
            .join(StoredFile, StoredFile.id == GigImage.file_id)
            .where(GigImage.gig_id.in_(list(keys)))
            .order_by(GigImage.position)
        )
        grouped: dict[uuid.UUID, list[StoredFile]] = defaultdict(list)
        for gig_id, file in rows:
            grouped[gig_id].append(file)
        return [grouped.get(key, []) for key in keys]

    async def _favorites(self, keys: Sequence[uuid.UUID]) -> list[bool]:
        viewer_id = self._ctx.viewer_id
        if viewer_id is None:
            return [False] * len(keys)
        rows = await self._ctx.session.rows(
            FAVORITES.on(sqlite=self._sqlite), {"keys": list(keys), "viewer": viewer_id}
        )
        favorites = {gig_id for (gig_id,) in rows}
        return [key in favorites for key in keys]

    async def _category_counts(self, keys: Sequence[uuid.UUID]) -> list[int]:
        rows = await self._ctx.session.rows(
            ACTIVE_GIG_COUNTS.on(sqlite=self._sqlite), {"keys": list(keys)}
        )
        counts = dict(rows)
        return [counts.get(key, 0) for key in keys]


_MADE_ON_USE = frozenset(
    name for name, member in vars(Loaders).items() if isinstance(member, cached_property)
)

"""Browse and search gigs: filters, five sorts, keyset pages."""

import enum
import functools
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Float,
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from models.catalog import Category, Favorite, Gig, GigKind, GigStatus
from models.errors import ErrorCode, ValidationFailed
from models.gig_rules import clean_tags
from models.money import to_minor
from resolvers.context import Context
from resolvers.loaders import GIG_COLUMNS, IS_ACTIVE, NEWEST_GIGS
from resolvers.pagination import Ordering, Page, SortKey, paginate

SEARCH_MAX = 200
MAX_SEARCH_TERMS = 8


class GigSort(enum.StrEnum):
    NEWEST = "NEWEST"
    PRICE_ASC = "PRICE_ASC"
    PRICE_DESC = "PRICE_DESC"
    RATING = "RATING"
    RELEVANCE = "RELEVANCE"


@dataclass(slots=True)
class GigFilter:
    search: str | None = None
    kind: GigKind | None = None
    category: str | None = None
    tags: list[str] | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    seller_id: uuid.UUID | None = None
    status: list[GigStatus] | None = None


# PostgreSQL only: a generated, weighted tsvector with a GIN index (see the migration).
_SEARCH_VECTOR = literal_column("gig.search_vector")
_ID = SortKey("id", Gig.id, descending=True, kind=uuid.UUID)
# Whole hundredths of a star: an integer, so cursors compare exactly on both backends.
_RATING = case((Gig.rating_count == 0, 0), else_=Gig.rating_sum * 100 // Gig.rating_count)

ORDERINGS = {
    GigSort.NEWEST: NEWEST_GIGS,
    GigSort.PRICE_ASC: Ordering(
        "gigs:PRICE_ASC",
        (SortKey("p", Gig.min_price), SortKey("id", Gig.id, kind=uuid.UUID)),
    ),
    GigSort.PRICE_DESC: Ordering(
        "gigs:PRICE_DESC", (SortKey("p", Gig.min_price, descending=True), _ID)
    ),
    GigSort.RATING: Ordering(
        "gigs:RATING",
        (
            SortKey("r", _RATING, descending=True),
            SortKey("n", Gig.rating_count, descending=True),
            _ID,
        ),
    ),
}


async def search_gigs(
    ctx: Context,
    *,
    filter: GigFilter,
    sort: GigSort,
    first: int | None,
    after: str | None,
    columns: frozenset[str] | None = None,
    saved: bool = False,
) -> Page:
    """One page of the gigs that match `filter`, in `sort` order, as the viewer may see them:
    rows of the `columns` named (with the id and owner), of every column when None.

    With `saved`, the page also reads whether the signed-in viewer saved each gig, and holds
    the answers in the favorites loader: `isFavorite` without a statement of its own."""
    conditions = await _conditions(ctx, filter)
    # Browsing with no filter (the home feed) reuses one statement, and its paged forms.
    if len(conditions) == 1 and conditions[0] is IS_ACTIVE:
        statement = _active_gigs(columns)
    else:
        statement = select(*_gig_columns(columns)).where(*conditions)
    terms = _terms(filter.search)
    if sort is GigSort.RELEVANCE and terms:
        ordering = _relevance(ctx, filter.search or "", terms)
    else:
        ordering = ORDERINGS[GigSort.NEWEST if sort is GigSort.RELEVANCE else sort]
    # The favorites loader's own rule: no viewer id (anonymous, or a bad token), nothing saved.
    viewer_id = ctx.viewer_id if saved else None
    page = await paginate(
        ctx.session,
        statement,
        ordering,
        first=first,
        after=after,
        also=(_SAVED_BY_VIEWER,) if viewer_id else (),
        bound={"viewer": viewer_id} if viewer_id else None,
    )
    if viewer_id is not None:
        ctx.loaders.is_favorite_by_gig_id.hold((row.id, row.saved_by_viewer) for row in page.rows)
    return page


_SAVED_BY_VIEWER = (
    exists()
    .where(Favorite.gig_id == Gig.id, Favorite.user_id == bindparam("viewer"))
    .label("saved_by_viewer")
)

# What every page of gigs reads, whatever its query selects: the id, and the owner (the
# page primes its seller).
_ALWAYS_READ = frozenset({"id", "owner_id"})


def _gig_columns(names: Iterable[str] | None) -> tuple[Any, ...]:
    """The gig columns named, with those always read, in the table's order; all when None."""
    if names is None:
        return GIG_COLUMNS
    wanted = _ALWAYS_READ.union(names)
    return tuple(column for column in GIG_COLUMNS if column.name in wanted)


@functools.lru_cache(maxsize=64)
def _active_gigs(names: frozenset[str] | None) -> Select[Any]:
    """The unfiltered browse, one statement per column set: its paged forms are built once."""
    return select(*_gig_columns(names)).where(IS_ACTIVE)


async def _conditions(ctx: Context, f: GigFilter) -> list[ColumnElement[bool]]:
    conditions = [await _visibility(ctx, f.status)]
    if f.kind is not None:
        conditions.append(Gig.kind == f.kind)
    if f.seller_id is not None:
        conditions.append(Gig.owner_id == f.seller_id)
    if f.category is not None:
        conditions.append(Gig.category_id.in_(await _category_and_children(ctx, f.category)))
    if f.tags:
        conditions.extend(_has_tag(ctx, tag) for tag in clean_tags(f.tags))
    low = to_minor(f.min_price, field="filter.minPrice", minimum=0) if f.min_price else None
    high = to_minor(f.max_price, field="filter.maxPrice", minimum=0) if f.max_price else None
    if low is not None and high is not None and low > high:
        raise ValidationFailed(
            "minPrice is above maxPrice", code=ErrorCode.OUT_OF_RANGE, field="filter.minPrice"
        )
    # Ranges overlap: a gig from 50 to 200 is within a budget of 100.
    if low is not None:
        conditions.append(Gig.max_price >= low)
    if high is not None:
        conditions.append(Gig.min_price <= high)
    terms = _terms(f.search)
    if terms:
        conditions.append(_matches(ctx, f.search or "", terms))
    return conditions


async def _visibility(ctx: Context, statuses: list[GigStatus] | None) -> ColumnElement[bool]:
    """ACTIVE gigs for everyone; other states only the viewer's own (all of them for admins)."""
    wanted = set(statuses or [GigStatus.ACTIVE])
    others = wanted - {GigStatus.ACTIVE}
    clauses = [IS_ACTIVE] if GigStatus.ACTIVE in wanted else []
    if others:
        viewer = await ctx.viewer()
        if viewer is not None:
            mine = true() if viewer.is_admin else Gig.owner_id == viewer.id
            clauses.append(and_(Gig.status.in_(others), mine))
    if len(clauses) == 1:
        return clauses[0]
    return or_(*clauses) if clauses else literal(False)


async def _category_and_children(ctx: Context, slug: str) -> list[uuid.UUID]:
    parent = await ctx.session.scalar(select(Category.id).where(Category.slug == slug))
    if parent is None:
        raise ValidationFailed(
            "no such category", code=ErrorCode.NOT_FOUND, field="filter.category"
        )
    children = await ctx.session.scalars(select(Category.id).where(Category.parent_id == parent))
    return [parent, *children]


def _has_tag(ctx: Context, tag: str) -> ColumnElement[bool]:
    if ctx.settings.is_sqlite:
        each = func.json_each(Gig.tags).table_valued("value")
        return exists(select(1).select_from(each).where(each.c.value == tag))
    return cast(Gig.tags, JSONB).contains([tag])


def _terms(search: str | None) -> list[str]:
    if not search:
        return []
    if len(search) > SEARCH_MAX:
        raise ValidationFailed(
            f"search must be at most {SEARCH_MAX} characters",
            code=ErrorCode.TOO_LONG,
            field="filter.search",
        )
    return re.findall(r"\w+", search.lower())[:MAX_SEARCH_TERMS]


def _matches(ctx: Context, search: str, terms: list[str]) -> ColumnElement[bool]:
    if not ctx.settings.is_sqlite:
        return _SEARCH_VECTOR.op("@@")(func.websearch_to_tsquery("english", search))
    # SQLite, the simpler match: every term appears in the title, the tags or the description.
    text = func.lower(Gig.title + " " + cast(Gig.tags, Text) + " " + Gig.description)
    return and_(*(text.contains(term, autoescape=True) for term in terms))


def _relevance(ctx: Context, search: str, terms: list[str]) -> Ordering:
    if ctx.settings.is_sqlite:
        title = func.lower(Gig.title)
        score = sum(
            (case((title.contains(term, autoescape=True), 3), else_=1) for term in terms),
            start=literal(0),
        )
        return Ordering("gigs:RELEVANCE", (SortKey("s", score, descending=True), _ID))
    query = func.websearch_to_tsquery("english", search)
    rank = cast(func.ts_rank_cd(_SEARCH_VECTOR, query), Float)
    return Ordering("gigs:RELEVANCE", (SortKey("s", rank, descending=True, kind=float), _ID))

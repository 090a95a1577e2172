"""Keyset pagination: opaque cursors that stay correct while rows are inserted between pages."""

import base64
import binascii
import json
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from models.db import SerialSession as AsyncSession
from models.errors import ErrorCode, ValidationFailed

DEFAULT_PAGE = 20
MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class SortKey:
    """One column of an ordering; its value travels in the cursor under `label`."""

    label: str
    expression: ColumnElement[Any]
    descending: bool = False
    kind: type = int


@dataclass(frozen=True, slots=True)
class Ordering:
    """A named total order: the last key must be unique (the primary key)."""

    name: str
    keys: tuple[SortKey, ...]

    def order_by(self) -> list[ColumnElement[Any]]:
        return [
            key.expression.desc() if key.descending else key.expression.asc() for key in self.keys
        ]

    def columns(self) -> list[ColumnElement[Any]]:
        """The sort values, labelled, to select beside the row so its cursor can be made."""
        return [key.expression.label(f"sort_{key.label}") for key in self.keys]

    def after(self, values: Sequence[Any]) -> ColumnElement[bool]:
        """Rows strictly after the row whose sort values are `values`."""
        condition: ColumnElement[bool] = false()
        for key, value in reversed(list(zip(self.keys, values, strict=True))):
            beyond = key.expression < value if key.descending else key.expression > value
            condition = or_(beyond, and_(key.expression == value, condition))
        return condition

    def cursor(self, row: Any) -> str:
        values = [_dump(getattr(row, f"sort_{key.label}")) for key in self.keys]
        payload = json.dumps([self.name, values], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(payload).decode().rstrip("=")

    def decode(self, cursor: str) -> list[Any]:
        """The sort values in a cursor of this ordering; `INVALID_CURSOR` for anything else."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            name, values = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if name != self.name or len(values) != len(self.keys):
                raise ValueError
            return [_load(key.kind, value) for key, value in zip(self.keys, values, strict=True)]
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise ValidationFailed(
                "after is not a cursor of this list", code=ErrorCode.INVALID_CURSOR, field="after"
            ) from None


def _dump(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex
    return value


def _load(kind: type, value: Any) -> Any:
    if kind is datetime:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive time in cursor")
        return parsed
    if kind is uuid.UUID:
        return uuid.UUID(hex=value)
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("unexpected cursor value")


def page_size(first: int | None) -> int:
    """`first`, defaulting to 20; more than 100 or less than 0 is refused, not clamped."""
    if first is None:
        return DEFAULT_PAGE
    if not 0 <= first <= MAX_PAGE:
        raise ValidationFailed(
            f"first must be between 0 and {MAX_PAGE}", code=ErrorCode.OUT_OF_RANGE, field="first"
        )
    return first


@dataclass(slots=True)
class Page:
    """One page of rows, and what a connection needs to describe it."""

    rows: list[Any]
    has_next: bool
    ordering: Ordering
    count_statement: Select[Any] | None

    def cursor(self, row: Any) -> str:
        return self.ordering.cursor(row)

    @property
    def end_cursor(self) -> str | None:
        return self.cursor(self.rows[-1]) if self.rows else None


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    ordering: Ordering,
    *,
    first: int | None,
    after: str | None,
    also: tuple[ColumnElement[Any], ...] = (),
    bound: dict[str, Any] | None = None,
) -> Page:
    """Run `statement` (already filtered) for the page after `after`, in `ordering`; the
    rows also carry the labelled columns `also` (module constants), whose parameters are
    `bound`. The count ignores them."""
    limit = page_size(first)
    paged, count_statement = _paged(statement, ordering, after=bool(after), also=also)
    parameters: dict[str, Any] = {"page_limit": limit + 1, **(bound or {})}
    if after:
        values = ordering.decode(after)
        parameters.update((f"after_{index}", value) for index, value in enumerate(values))
    rows = list(await session.rows(paged, parameters))
    return Page(
        rows=rows[:limit],
        has_next=len(rows) > limit,
        ordering=ordering,
        count_statement=count_statement,
    )


# Paged forms of the statements lists are built from (most are module constants), the page
# size and the cursor's values left as parameters: built, and keyed for SQLAlchemy's caches,
# once rather than on every request.
_PAGED_KEPT = 256
_paged_forms: OrderedDict[tuple[Any, ...], tuple[Any, Any, Any, Any]] = OrderedDict()


def _paged(
    statement: Select[Any],
    ordering: Ordering,
    *,
    after: bool,
    also: tuple[ColumnElement[Any], ...] = (),
) -> tuple[Any, Any]:
    """`statement` with the columns `also`, in `ordering`, limited by `page_limit` and, with
    `after`, past the row whose sort values are `after_0`, `after_1`...; and the statement
    that counts all its rows."""
    key = (id(statement), id(ordering), after, *map(id, also))  # `also` are constants
    found = _paged_forms.get(key)
    if found is not None and found[0] is statement and found[1] is ordering:
        _paged_forms.move_to_end(key)
        return found[2], found[3]
    count = select(func.count()).select_from(statement.order_by(None).subquery())
    paged = statement.add_columns(*also, *ordering.columns())
    if after:
        positions = [
            bindparam(f"after_{index}", type_=sort.expression.type)
            for index, sort in enumerate(ordering.keys)
        ]
        paged = paged.where(ordering.after(positions))
    paged = paged.order_by(*ordering.order_by()).limit(bindparam("page_limit"))
    _paged_forms[key] = (statement, ordering, paged, count)
    if len(_paged_forms) > _PAGED_KEPT:
        _paged_forms.popitem(last=False)
    return paged, count


async def paginate_each(
    session: AsyncSession,
    statement: Select[Any],
    ordering: Ordering,
    *,
    partition: ColumnElement[Any],
    keys: Sequence[Any],
    first: int | None,
    after: str | None,
) -> list[Page]:
    """One page per key of `partition` (say, each seller's gigs) in a single query."""
    limit = page_size(first)
    statement = statement.where(partition.in_(keys))
    counted = statement.order_by(None)
    if after:
        statement = statement.where(ordering.after(ordering.decode(after)))
    numbered = statement.add_columns(
        *ordering.columns(),
        partition.label("partition_key"),
        func.row_number()
        .over(partition_by=partition, order_by=ordering.order_by())
        .label("row_number"),
    ).subquery()
    result = await session.rows(
        select(numbered).where(numbered.c.row_number <= limit + 1).order_by(numbered.c.row_number)
    )
    grouped: dict[Any, list[Any]] = {key: [] for key in keys}
    for row in result:
        grouped[row.partition_key].append(row)
    return [
        Page(
            rows=grouped[key][:limit],
            has_next=len(grouped[key]) > limit,
            ordering=ordering,
            count_statement=select(func.count()).select_from(
                counted.where(partition == key).subquery()
            ),
        )
        for key in keys
    ]

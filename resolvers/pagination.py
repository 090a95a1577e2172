"""Keyset pagination: opaque cursors that stay correct while rows are inserted between pages."""

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select
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
) -> Page:
    """Run `statement` (already filtered) for the page after `after`, in `ordering`."""
    limit = page_size(first)
    count_statement = select(func.count()).select_from(statement.order_by(None).subquery())
    statement = statement.add_columns(*ordering.columns())
    if after:
        statement = statement.where(ordering.after(ordering.decode(after)))
    rows = list(await session.rows(statement.order_by(*ordering.order_by()).limit(limit + 1)))
    return Page(
        rows=rows[:limit],
        has_next=len(rows) > limit,
        ordering=ordering,
        count_statement=count_statement,
    )


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

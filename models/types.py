"""Column types that behave the same on SQLite and PostgreSQL."""

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        # asyncpg reads timestamptz as aware UTC datetimes: nothing to do, so no call per value
        # (a page of the feed read some 250 of them).
        if dialect.driver == "asyncpg":
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None or value.tzinfo is UTC:
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StrEnum(TypeDecorator[enum.Enum]):
    """A Python enum stored as its value in a VARCHAR, so adding a member needs no DDL."""

    impl = String(32)
    cache_ok = True

    def __init__(self, enum_class: type[enum.Enum]) -> None:
        super().__init__()
        self.enum_class = enum_class
        self._members = _Members(enum_class)

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return self.enum_class(value).value

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        # Rows are read by the thousand: where the driver hands the stored string over as it
        # is, reading one is a lookup in C, not two Python calls and the enum's machinery.
        if self.impl_instance.result_processor(dialect, coltype) is None:
            return self._members.__getitem__
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: str | None, dialect: Any) -> enum.Enum | None:
        return self._members[value]


class _Members(dict[str | None, enum.Enum | None]):
    """An enum's members by stored value, None by None; another value is the enum's to judge
    (a ValueError for one it does not know)."""

    def __init__(self, enum_class: type[enum.Enum]) -> None:
        super().__init__({member.value: member for member in enum_class})
        self[None] = None
        self.enum_class = enum_class

    def __missing__(self, value: str) -> enum.Enum:
        return self.enum_class(value)

"""Column types read the same values back on SQLite and on PostgreSQL (asyncpg)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite

from models.types import StrEnum, UTCDateTime
from models.user import UserRole

DIALECTS = [PGDialect_asyncpg(), SQLiteDialect_aiosqlite()]


def reader(type_, dialect):
    """What reading a column of `type_` does to the driver's value, as SQLAlchemy picks it."""
    process = type_._cached_result_processor(dialect, None)
    return process or (lambda value: value)


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.driver)
def test_a_stored_enum_value_reads_as_its_member_and_null_as_none(dialect):
    read = reader(StrEnum(UserRole), dialect)
    assert read(UserRole.CLIENT.value) is UserRole.CLIENT
    assert read(None) is None


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.driver)
def test_a_stored_value_the_enum_does_not_know_is_an_error(dialect):
    with pytest.raises(ValueError, match="EMPEROR"):
        reader(StrEnum(UserRole), dialect)("EMPEROR")


def test_asyncpg_timestamps_are_read_as_the_driver_gives_them():
    # asyncpg already reads timestamptz as aware UTC datetimes: no processor, no call per value.
    assert UTCDateTime()._cached_result_processor(PGDialect_asyncpg(), None) is None


def test_sqlite_timestamps_are_read_back_aware_in_utc():
    read = reader(UTCDateTime(), SQLiteDialect_aiosqlite())
    assert read("2026-12-06 04:30:00.000000") == datetime(2026, 12, 6, 4, 30, tzinfo=UTC)
    assert read("2026-12-06 04:30:00.000000").tzinfo is UTC
    assert read(None) is None

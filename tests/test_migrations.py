"""The migrations build exactly the schema the models describe, and unwind to nothing.

Self-contained: PostgreSQL when DATABASE_URL points at one (a throwaway database is created
beside it), otherwise a temporary SQLite file. The tests are sync on purpose: they drive the
migrations the way the server's CLI does, on loops of their own.
"""

import asyncio
import os
import secrets
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

import migrations
from models.tables import metadata

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` on a loop that never becomes current: pytest-asyncio's stays untouched."""
    with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
        return runner.run(coroutine)


async def _on_connection(url: str | URL, function: Callable[[Connection], T], **options: Any) -> T:
    engine = create_async_engine(url, poolclass=NullPool, **options)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(function)
    finally:
        await engine.dispose()


def _admin(url: URL, statement: str) -> None:
    def execute(connection: Connection) -> None:
        connection.execute(text(statement))

    run(_on_connection(url, execute, isolation_level="AUTOCOMMIT"))


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    server = make_url(configured)
    name = f"{server.database or 'gigstream'}_migrations_{secrets.token_hex(4)}"
    _admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def schema_differences(url: str) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": migrations.include_object},
        )
        return compare_metadata(context, metadata)

    return run(_on_connection(url, compare))


def table_names(url: str) -> set[str]:
    return run(_on_connection(url, lambda connection: set(inspect(connection).get_table_names())))


def test_upgrade_to_head_builds_exactly_the_models_schema(fresh_database_url: str) -> None:
    migrations.upgrade(fresh_database_url)

    assert schema_differences(fresh_database_url) == []


def test_downgrade_to_base_drops_everything_and_upgrade_rebuilds_it(
    fresh_database_url: str,
) -> None:
    migrations.upgrade(fresh_database_url)

    migrations.downgrade(fresh_database_url, "base")
    assert table_names(fresh_database_url) == {"alembic_version"}

    migrations.upgrade(fresh_database_url)
    assert table_names(fresh_database_url) == set(metadata.tables) | {"alembic_version"}
    assert schema_differences(fresh_database_url) == []


def test_upgrade_twice_is_a_no_op(fresh_database_url: str) -> None:
    migrations.upgrade(fresh_database_url)

    migrations.upgrade(fresh_database_url)

    assert schema_differences(fresh_database_url) == []


def test_revisions_import_no_application_code() -> None:
    revisions = sorted((migrations.MIGRATIONS_DIR / "versions").glob("*.py"))

    assert revisions
    for revision in revisions:
        source = revision.read_text()
        for forbidden in ("import models", "from models", "sqlmodel"):
            assert forbidden not in source, f"{revision.name} uses {forbidden!r}"

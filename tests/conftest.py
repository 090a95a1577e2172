"""A database per test run, emptied after each test; the app served in-process over ASGI."""

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import Table, delete, select
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from migrations import upgrade
from models.db import open_session
from models.settings import Settings
from models.tables import metadata
from resolvers.context import Services
from server import create_app
from tests.inbox import Inbox

TEST_SECRET = "test-secret-" + "x" * 40


def _plain_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _create_pg_database(base_url: str, name: str) -> None:
    conn = await asyncpg.connect(_plain_url(base_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop_pg_database(base_url: str, name: str) -> None:
    conn = await asyncpg.connect(_plain_url(base_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database: PostgreSQL when `DATABASE_URL` says so, else a SQLite file."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgresql"):
        name = f"gigstream_test_{uuid.uuid4().hex[:10]}"
        asyncio.run(_create_pg_database(base, name))
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
        asyncio.run(_drop_pg_database(base, name))
    else:
        path: Path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL") or None,
        jwt_secret=TEST_SECRET,
        jwt_secret_file=tmp_path_factory.mktemp("secret") / "jwt_secret",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        log_level="WARNING",
        view_flush_seconds=3600,  # tests flush view counts themselves
        scheduler_interval_seconds=3600,  # tests tick the order timers themselves
        upload_dir=tmp_path_factory.mktemp("uploads"),
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def services(app: Starlette) -> AsyncIterator[Services]:
    """The app's services; every row the test wrote is deleted after it."""
    services: Services = app.state.services
    yield services
    async with open_session(services.sessions) as session:
        # DELETE, not TRUNCATE: on a handful of rows it is many times faster on PostgreSQL.
        for table in reversed(metadata.sorted_tables):
            await _delete_all(session, table)
        await session.commit()


async def _delete_all(session: Any, table: Table) -> None:
    """Empty a table; one whose rows reference each other (a tree) is emptied leaves first."""
    parents = [fk.parent for fk in table.foreign_keys if fk.column.table is table]
    if not parents:
        await session.execute(delete(table))
        return
    [parent] = parents
    while (
        await session.execute(
            delete(table).where(table.c.id.not_in(select(parent).where(parent.is_not(None))))
        )
    ).rowcount:
        pass


class Db:
    """Direct database access for tests: every call is a short transaction of its own, so a
    test never holds a lock or a stale snapshot while the app works."""

    def __init__(self, services: Services) -> None:
        self._sessions = services.sessions

    async def scalar(self, statement: Any) -> Any:
        return await self._run(lambda session: session.scalar(statement))

    async def scalars(self, statement: Any) -> list[Any]:
        return list(await self._run(lambda session: session.scalars(statement)))

    async def get(self, model: type, key: Any) -> Any:
        return await self._run(lambda session: session.get(model, key))

    async def execute(self, statement: Any) -> None:
        await self._run(lambda session: session.execute(statement))

    async def _run(self, operation: Any) -> Any:
        async with open_session(self._sessions) as session:
            result = await operation(session)
            await session.commit()  # ends the transaction; loaded objects stay readable
            return result


@pytest.fixture
def db(services: Services) -> Db:
    return Db(services)


@pytest.fixture
async def client(app: Starlette, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


class GraphQLClient:
    """Posts GraphQL documents to the app and returns the decoded response."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


@pytest.fixture
async def inbox(services: Services) -> AsyncIterator[Inbox]:
    """Each user's notifications heard live, once `inbox.listen(user, ...)` is called."""
    async with contextlib.AsyncExitStack() as stack:
        yield Inbox(services, stack)

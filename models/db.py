"""The database engine and sessions, for SQLite and PostgreSQL alike."""

import asyncio
import collections
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from models.settings import Settings


class SerialSession(AsyncSession):
    """A session whose database calls take turns.

    GraphQL resolves sibling fields concurrently, so several DataLoaders may reach for the
    request's session at once; a session holds one connection, which serves one call at a
    time. A task already holding the turn may call again (`scalars` calls `execute`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turn = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    async def rows(self, statement: Any, parameters: dict[str, Any] | None = None) -> list[Any]:
        """Run a Core select on the session's connection, without the ORM's per-statement
        work, and return light records: what loaders use, many times per request.

        Records are named tuples rather than SQLAlchemy rows: GraphQL probes every value it
        completes for `__await__`, and a row answers a missing attribute by raising from
        Python, which cost a tenth of the feed's time.
        """
        connection = await self.connection()
        result = await connection.execute(statement, parameters)
        make = record_type(tuple(result.keys()))._make
        return [make(row) for row in result]


def _taking_turns(name: str) -> Any:
    method = getattr(SerialSession, name)

    @functools.wraps(method)
    async def call(self: SerialSession, *args: Any, **kwargs: Any) -> Any:
        task = asyncio.current_task()
        if self._holder is task:
            return await method(self, *args, **kwargs)
        async with self._turn:
            self._holder = task
            try:
                return await method(self, *args, **kwargs)
            finally:
                self._holder = None

    return call


for _name in (
    "rows",
    "execute",
    "scalar",
    "scalars",
    "get",
    "get_one",
    "flush",
    "commit",
    "rollback",
    "refresh",
    "merge",
    "delete",
    "connection",
    "run_sync",
    "close",
):
    setattr(SerialSession, _name, _taking_turns(_name))

SessionFactory = async_sessionmaker[SerialSession]


@functools.cache
def record_type(fields: tuple[str, ...]) -> type:
    """The named tuple for rows of these columns, made once per distinct column list."""
    return collections.namedtuple("Record", fields)


def create_engine(settings: Settings, *, pool: bool = True) -> AsyncEngine:
    """Create the async engine, with SQLite tuned for a web server."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        return engine
    if not pool:
        return create_async_engine(url, poolclass=NullPool)
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling is off so that BEGIN IMMEDIATE below is ours:
    # a writer takes the lock when it starts, instead of failing on upgrade mid-transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_on_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> SessionFactory:
    """Make sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, class_=SerialSession, expire_on_commit=False)


@asynccontextmanager
async def open_session(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """Open a session that rolls back whatever was left uncommitted."""
    async with factory() as session:
        try:
            yield session
        finally:
            if session.in_transaction():
                await session.rollback()

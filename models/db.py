"""The database engine and sessions, for SQLite and PostgreSQL alike."""

import asyncio
import collections
import functools
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import Select, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
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
        found = _direct_statement(connection, statement)
        if found is not None:
            direct, extracted = found
            return await direct.fetch(connection, extracted, parameters)
        result = await connection.execute(statement, parameters)
        make = record_type(tuple(result.keys()))._make
        return [make(row) for row in result]


class DirectStatement:
    """A select compiled once for asyncpg and run on the driver's connection.

    SQLAlchemy's execution of a small select costs ten times asyncpg's own (a third of a
    millisecond of CPU against 50 us): cursor emulation, result metadata, row objects. This
    keeps what matters of it: the statement is compiled by SQLAlchemy and cached under its
    cache key, parameters and results pass through the same type processors, and it runs on
    the session's connection, in the session's transaction when one is open.
    """

    __slots__ = (
        "bind_processors",
        "columns",
        "compiled",
        "dialect",
        "make",
        "positions",
        "result_processors",
        "sql",
    )

    def __init__(self, compiled: Any, dialect: Any) -> None:
        self.sql = compiled.string
        self.compiled = compiled
        self.dialect = dialect
        self.positions = tuple(compiled.positiontup or ())
        self.bind_processors = compiled._bind_processors
        self.columns = compiled._result_columns
        self.make = record_type(tuple(column[0] for column in self.columns))._make
        # Some processors depend on the type the server reports (numeric, say): they are
        # chosen on first use, from the prepared statement's columns, as SQLAlchemy's are.
        self.result_processors: tuple[tuple[int, Any], ...] | None = None

    async def fetch(
        self, connection: AsyncConnection, extracted: Any, parameters: dict[str, Any] | None
    ) -> list[Any]:
        """The records, with `extracted` (the literals of the statement's cache key) and
        `parameters` bound."""
        values = self.compiled.construct_params(
            parameters, extracted_parameters=extracted, escape_names=False
        )
        processors = self.bind_processors
        arguments = [
            processors[name](values[name]) if name in processors else values[name]
            for name in self.positions
        ]
        adapted = (await connection.get_raw_connection()).dbapi_connection
        driver = adapted.driver_connection
        try:
            if adapted._transaction is None and adapted.isolation_level not in _OWN_SNAPSHOTS:
                await adapted._start_transaction()
            if self.result_processors is None:
                prepared = await driver.prepare(self.sql)
                self.result_processors = self._processors(prepared.get_attributes())
            records = await driver.fetch(self.sql, *arguments)
        except _BROKEN_CONNECTION:
            # Gone or in an unknown state (the server went away unnoticed): never pooled again.
            await connection.invalidate()
            raise
        make, result_processors = self.make, self.result_processors
        if not result_processors:
            return [make(record) for record in records]
        rows = []
        for record in records:
            row = list(record)
            for index, processor in result_processors:
                row[index] = processor(row[index])
            rows.append(make(row))
        return rows

    def _processors(self, attributes: Any) -> tuple[tuple[int, Any], ...]:
        chosen = (
            column[3]._cached_result_processor(self.dialect, attribute.type.oid)
            for column, attribute in zip(self.columns, attributes, strict=True)
        )
        return tuple((index, p) for index, p in enumerate(chosen) if p is not None)


_BROKEN_CONNECTION = (
    OSError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
)

# Where every statement reads its own snapshot anyway (PostgreSQL's default, READ COMMITTED,
# is the server's unless configured), a select before the session's first write needs no
# BEGIN of its own: read-only requests save that round trip and the ROLLBACK that ends it.
_OWN_SNAPSHOTS = (None, "READ COMMITTED", "autocommit")

# Compiled selects by SQLAlchemy cache key, per dialect: the same bounded reuse SQLAlchemy's
# own compiled cache gives, for the statements the direct path runs.
_direct_cache: weakref.WeakKeyDictionary[Any, dict[Any, DirectStatement | None]] = (
    weakref.WeakKeyDictionary()
)
_DIRECT_CACHE_SIZE = 500


def _direct_statement(connection: AsyncConnection, statement: Any) -> tuple[Any, Any] | None:
    """The direct form of `statement` on this connection and the literals to bind, or None
    where SQLAlchemy must run it: another driver, a listener watching statements (tests count
    them), a locking or non-select statement, parameters expanded at execution."""
    sync = connection.sync_connection
    dialect = connection.dialect
    if (
        dialect.driver != "asyncpg"
        or sync is None
        or sync.dispatch.before_cursor_execute
        or sync.dispatch.after_cursor_execute
        or not isinstance(statement, Select)
        or statement._for_update_arg is not None
    ):
        return None
    key = statement._generate_cache_key()
    if key is None:
        return None
    cache = _direct_cache.setdefault(dialect, {})
    if key.key in cache:
        direct = cache[key.key]
        return None if direct is None else (direct, key.bindparams)
    compiled = dialect.statement_compiler(dialect, statement, cache_key=key)
    plain = not (
        compiled.literal_execute_params
        or compiled.post_compile_params
        or any(bind.expanding for bind in compiled.binds.values())
    )
    direct = DirectStatement(compiled, dialect) if plain else None
    if len(cache) >= _DIRECT_CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[key.key] = direct
    return None if direct is None else (direct, key.bindparams)


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
    engine = create_async_engine(url, pool_size=10, max_overflow=20)
    event.listen(engine.sync_engine, "checkout", _check_on_checkout)
    event.listen(engine.sync_engine, "checkin", _note_checkin)
    return engine


# A connection idle longer than this is pinged before it is handed out again.
PING_AFTER_IDLE_SECONDS = 10.0


def _check_on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """pool_pre_ping, for connections that may have gone stale: one the server closed (a
    restart) is known closed without a round trip, and one that sat idle is pinged. A busy
    pool then pays nothing per request, where pre_ping cost three round trips each time
    (asyncpg's ping is BEGIN, a statement, ROLLBACK). Raising makes the pool connect anew."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this connection")
    checked_in = record.info.get("checked_in")  # None: connected just now
    if checked_in is not None and time.monotonic() - checked_in > PING_AFTER_IDLE_SECONDS:
        try:
            dbapi_connection.ping()
        except Exception as error:
            raise DisconnectionError("an idle connection no longer answers") from error


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


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

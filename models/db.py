"""The database engine and sessions, for SQLite and PostgreSQL alike."""

import asyncio
import collections
import functools
import logging
import operator
import time
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import Select, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, InvalidRequestError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool, QueuePool

from models.settings import Settings

logger = logging.getLogger("gigstream.db")


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
        # (transaction, its connection, the driver's connection): looked up once per
        # transaction, where `connection()` and `get_raw_connection()` cost a greenlet each.
        self._bound: tuple[Any, AsyncConnection, Any] | None = None

    async def rows(self, statement: Any, parameters: dict[str, Any] | None = None) -> list[Any]:
        """Run a Core select on the session's connection, without the ORM's per-statement
        work, and return light records: what loaders use, many times per request.

        Records are asyncpg's own on the direct path, named tuples otherwise, with the columns
        as attributes either way, rather than SQLAlchemy rows: GraphQL probes every value it
        completes for `__await__`, and a row answers a missing attribute by raising from
        Python, which cost a tenth of the feed's time.
        """
        transaction = self.sync_session.get_transaction()
        bound = self._bound
        if bound is None or bound[0] is not transaction or transaction is None:
            connection = await self.connection()
            sync = connection.sync_connection
            # The pooled connection is there to read unless it was invalidated (re-connecting
            # is I/O, which needs get_raw_connection's greenlet): one greenlet less a request.
            pooled = sync.connection if sync is not None and not sync.invalidated else None
            raw = (pooled or await connection.get_raw_connection()).dbapi_connection
            bound = self._bound = (self.sync_session.get_transaction(), connection, raw)
        connection = bound[1]
        found = _direct_statement(connection, statement)
        if found is not None:
            direct, key = found
            try:
                return await direct.fetch(bound[2], key, parameters)
            except _BROKEN_CONNECTION:
                # Gone or in an unknown state (the server went away unnoticed): not pooled again.
                self._bound = None
                await connection.invalidate()
                raise
        result = await connection.execute(statement, parameters)
        make = record_maker(tuple(result.keys()))
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
        "columns",
        "compiled",
        "dialect",
        "key",
        "positions",
        "record_class",
        "sql",
        "static",
    )

    def __init__(self, compiled: Any, dialect: Any, key: Any) -> None:
        self.sql = compiled.string
        self.compiled = compiled
        self.dialect = dialect
        # The cache key of the very statement compiled: its literals are these, processed once.
        self.key = key
        processors = compiled._bind_processors
        self.positions = tuple(
            (name, processors.get(name)) for name in (compiled.positiontup or ())
        )
        values = compiled.construct_params(escape_names=False, _check=False)
        self.static = {
            name: processor(values[name]) if processor else values[name]
            for name, processor in self.positions
            if not compiled.binds[name].required
        }
        self.columns = compiled._result_columns
        # Some result processors depend on the type the server reports (numeric, say): they
        # are chosen on first use, from the prepared statement's columns, as SQLAlchemy's are.
        self.record_class: type[asyncpg.Record] | None = None

    async def fetch(self, adapted: Any, key: Any, parameters: dict[str, Any] | None) -> list[Any]:
        """The records of the statement whose cache key is `key`, `parameters` bound, on
        SQLAlchemy's adapted asyncpg connection."""
        if key is self.key:
            given = parameters or {}
            arguments = []
            for name, processor in self.positions:
                if name in given:
                    value = given[name]
                    arguments.append(processor(value) if processor else value)
                elif name in self.static:
                    arguments.append(self.static[name])
                else:
                    raise InvalidRequestError(f"A value is required for bind parameter {name!r}")
        else:  # the same statement built anew: its literals come with its cache key
            values = self.compiled.construct_params(
                parameters, extracted_parameters=key.bindparams, escape_names=False
            )
            arguments = [
                processor(values[name]) if processor else values[name]
                for name, processor in self.positions
            ]
        driver = adapted.driver_connection
        if adapted._transaction is None and adapted.isolation_level not in _OWN_SNAPSHOTS:
            await adapted._start_transaction()
        if self.record_class is None:
            prepared = await driver.prepare(self.sql)
            self.record_class = self._record_class(prepared.get_attributes())
        return await driver.fetch(self.sql, *arguments, record_class=self.record_class)

    def _record_class(self, attributes: Any) -> type[asyncpg.Record]:
        """asyncpg's record with each column as an attribute, read through its processor.

        The driver makes these rows itself: nothing is copied out of its record into another
        row, and a processor (an enum's, say) runs only for the columns that are read. They
        compare, hash, unpack and index as tuples do, like the named tuples of `rows`' other
        path."""
        fields = tuple(column[0] for column in self.columns)
        namespace: dict[str, Any] = {"__slots__": (), "_fields": fields}
        for index, (column, attribute) in enumerate(zip(self.columns, attributes, strict=True)):
            value = operator.itemgetter(index)
            processor = column[3]._cached_result_processor(self.dialect, attribute.type.oid)
            namespace[column[0]] = property(
                value if processor is None else _through(processor, value)
            )
        return type("Record", (asyncpg.Record,), namespace)


def _through(processor: Callable[[Any], Any], value: Callable[[Any], Any]) -> Any:
    return lambda record: processor(value(record))


_BROKEN_CONNECTION = (
    OSError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
)

# Where every statement reads its own snapshot anyway (PostgreSQL's default, READ COMMITTED,
# is the server's unless configured), a select before the session's first write needs no
# BEGIN of its own: read-only requests save that round trip and the ROLLBACK that ends it.
# The adapter holds asyncpg's names: None until a level is set, "read_committed" once the
# pool has reset a connection that ran with another level (AUTOCOMMIT, say).
_OWN_SNAPSHOTS = (None, "read_committed", "autocommit")

# Compiled selects by SQLAlchemy cache key, per dialect: the same bounded reuse SQLAlchemy's
# own compiled cache gives, for the statements the direct path runs.
_direct_cache: weakref.WeakKeyDictionary[Any, dict[Any, DirectStatement | None]] = (
    weakref.WeakKeyDictionary()
)
_DIRECT_CACHE_SIZE = 500
_UNSEEN = object()


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
    direct = cache.get(key.key, _UNSEEN)  # one lookup: a cache key's tuple is long to hash
    if direct is not _UNSEEN:
        return None if direct is None else (direct, key)
    compiled = dialect.statement_compiler(dialect, statement, cache_key=key)
    plain = not (
        compiled.literal_execute_params
        or compiled.post_compile_params
        or any(bind.expanding for bind in compiled.binds.values())
    )
    direct = DirectStatement(compiled, dialect, key) if plain else None
    if len(cache) >= _DIRECT_CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[key.key] = direct
    return None if direct is None else (direct, key)


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
def record_maker(fields: tuple[str, ...]) -> Callable[[Any], Any]:
    """Makes the record of these columns from a row's values: what a named tuple's `_make`
    does, without its Python call. One named tuple per distinct column list."""
    return functools.partial(tuple.__new__, collections.namedtuple("Record", fields))


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
    engine = create_async_engine(
        url, pool_size=settings.database_pool_size, max_overflow=settings.database_pool_overflow
    )
    event.listen(engine.sync_engine, "connect", _learn_types_on_connect)
    event.listen(engine.sync_engine, "checkout", _check_on_checkout)
    event.listen(engine.sync_engine, "checkin", _note_checkin)
    return engine


# asyncpg has no built-in codec for `uuid[]`, the type of every loader's `= ANY($1)` keys: the
# first statement binding one on a connection asks the server about the type (a catalogue
# query of 2-8 ms, between two round trips that turn JIT off and on again). On a fresh pool
# that came with the first burst of traffic, on every connection at once, and held the first
# second of the realtime benchmark up by a few hundred milliseconds. Asked once, at connect.
_TYPES_TO_LEARN = "SELECT NULL::uuid[]"


def _learn_types_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.run_async(lambda driver: driver.fetchval(_TYPES_TO_LEARN))


async def fill_pool(engine: AsyncEngine, *, within: float = 10) -> int:
    """Open the pool's connections now, so that the first burst of requests after a start
    does not pay for connecting (on PostgreSQL a server process each). Best effort, for at
    most `within` seconds: a database that does not answer is for /readyz to report, and the
    pool connects on demand once it does. Returns how many connections the pool holds."""
    pool = engine.pool
    if not isinstance(pool, QueuePool) or engine.dialect.name == "sqlite":
        return 0
    wanted = pool.size() - pool.checkedin()
    if wanted <= 0:
        return pool.checkedin()
    opened: list[AsyncConnection] = []

    async def connect() -> None:
        opened.append(await engine.connect())

    error: BaseException | None = None
    try:
        async with asyncio.timeout(within):
            await connect()  # alone: the first connection also initializes the dialect
            results = await asyncio.gather(
                *(connect() for _ in range(wanted - 1)), return_exceptions=True
            )
        error = next((r for r in results if isinstance(r, BaseException)), None)
    except Exception as failure:
        error = failure
    finally:
        await asyncio.gather(*(conn.close() for conn in opened), return_exceptions=True)
    if error is not None:
        logger.warning(
            "the database pool opened %d of %d connections: %r", len(opened), wanted, error
        )
    return pool.checkedin()


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

"""The Alembic environment: async engines, SQLite and PostgreSQL, one migrator at a time."""

import asyncio
import concurrent.futures
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext
from alembic.operations.ops import MigrationScript
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator
from sqlmodel.sql.sqltypes import AutoString

# A checkout is not installed: `alembic` run from the project directory must still find `models`.
_PROJECT_DIR = str(Path(__file__).resolve().parent.parent)
if _PROJECT_DIR not in sys.path:
    sys.path.insert(0, _PROJECT_DIR)

from migrations import include_object  # noqa: E402
from models.settings import Settings  # noqa: E402
from models.tables import metadata  # noqa: E402

# Any constant will do, as long as every process uses the same one: "gigstrea" in ASCII.
ADVISORY_LOCK_KEY = 0x6769677374726561

config = context.config
target_metadata = metadata

if config.cmd_opts is not None:
    # The `alembic` command line has no logging set up (pyproject holds no logging section).
    logging.basicConfig(level=logging.INFO, format="%(levelname)-5.5s [%(name)s] %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def database_url() -> str:
    # get_main_option would raise: the command line reads pyproject.toml and has no ini section.
    section = config.get_section(config.config_ini_section, {})
    return section.get("sqlalchemy.url") or Settings().database_url


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render our column types as plain SQLAlchemy ones, so that no revision imports app code."""
    if type_ != "type":
        return False
    if isinstance(obj, TypeDecorator):
        obj = obj.impl_instance
    if isinstance(obj, AutoString):
        return f"sa.{sa.String(obj.length)!r}"
    if isinstance(obj, TypeDecorator):
        raise TypeError(f"no plain rendering for the nested column type {obj!r}")
    if type(obj).__module__ == "sqlalchemy.sql.sqltypes":
        return f"sa.{obj!r}"
    return False


def skip_empty_revision(context_: Any, revision: Any, directives: list[MigrationScript]) -> None:
    """Write no file when autogenerate finds nothing to change."""
    cmd_opts = config.cmd_opts
    if cmd_opts is not None and getattr(cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops is not None and script.upgrade_ops.is_empty():
            directives[:] = []


def configure_options(dialect_name: str) -> dict[str, Any]:
    options: dict[str, Any] = {
        "target_metadata": target_metadata,
        "include_object": include_object,
        "render_as_batch": True,
        "compare_type": True,
        "render_item": render_item,
        "process_revision_directives": skip_empty_revision,
    }
    if dialect_name == "sqlite":
        # With the connection set up below, SQLite runs DDL in one transaction too: a failed
        # migration leaves nothing half done, and BEGIN IMMEDIATE queues concurrent migrators.
        options["transactional_ddl"] = True
    return options


def take_migration_lock(dialect_name: str) -> None:
    """Serialize migrators: the second one waits, then finds the database already at head."""
    if dialect_name == "postgresql":
        context.execute(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")


def run_migrations_offline() -> None:
    url = make_url(database_url())
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **configure_options(url.get_backend_name()),
    )
    with context.begin_transaction():
        take_migration_lock(url.get_backend_name())
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    dialect_name = connection.dialect.name
    context.configure(connection=connection, **configure_options(dialect_name))
    with context.begin_transaction():
        take_migration_lock(dialect_name)
        context.run_migrations()


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's implicit transactions would commit DDL piecemeal; the BEGIN below is ours.
    # Foreign keys stay off (the SQLite default): batch mode drops and re-creates tables.
    dbapi_connection.isolation_level = None


def _sqlite_on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


async def run_async_migrations() -> None:
    url = make_url(database_url())
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, poolclass=NullPool, connect_args={"timeout": 60})
        sa.event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        sa.event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
    else:
        engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


def run_coroutine(factory: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine to completion from sync code, even on a thread whose loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # A loop of its own that never becomes the thread's current one (asyncio.run would
        # reset that): the caller's event loop state is left as it was.
        with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
            runner.run(factory())
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(factory())).result()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_coroutine(run_async_migrations)

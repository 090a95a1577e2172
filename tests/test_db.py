"""The session's direct path for selects on asyncpg, and the pool's check of stale connections."""

import asyncio
import os
import uuid

import asyncpg
import pytest
from sqlalchemy import func, make_url, select
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.exc import SQLAlchemyError

from models import db as models_db
from models.catalog import Gig, GigStatus
from models.db import DirectStatement, open_session
from resolvers import loaders
from resolvers.pagination import paginate
from resolvers.search import ORDERINGS, GigSort
from tests.catalog.test_feed import add_gigs, make_sellers
from tests.conftest import _plain_url
from tests.factories import make_category, make_user
from tests.statements import counting_statements

POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")
pytestmark = pytest.mark.skipif(not POSTGRES, reason="the direct path is asyncpg's")


@pytest.fixture
async def market(services):
    sellers = await make_sellers(services, count=3)
    await add_gigs(services, sellers, await make_category(services), 7)
    async with open_session(services.sessions) as session:
        gigs = list(await session.execute(select(Gig.id, Gig.category_id, Gig.title)))
    return sellers, gigs


def statements(sellers, gigs):
    seller_ids = [seller.id for seller in sellers]
    gig_ids = [gig.id for gig in gigs]
    return {
        "users": (loaders.USERS.on(sqlite=False), {"keys": seller_ids}),
        "gigs": (loaders.GIGS.on(sqlite=False), {"keys": gig_ids}),
        "packages": (loaders.PACKAGES.on(sqlite=False), {"keys": gig_ids}),
        "skills": (loaders.SKILLS.on(sqlite=False), {"keys": seller_ids}),
        "favorites": (loaders.FAVORITES.on(sqlite=False), {"keys": gig_ids, "viewer": None}),
        "counts": (loaders.ACTIVE_GIG_COUNTS.on(sqlite=False), {"keys": [gigs[0].category_id]}),
        "literals": (select(Gig.id, Gig.status).where(Gig.status == GigStatus.ACTIVE), None),
    }


async def test_a_direct_select_returns_what_sqlalchemy_returns(services, market):
    async with open_session(services.sessions) as session:
        for name, (statement, parameters) in statements(*market).items():
            direct = await session.rows(statement, parameters)
            with counting_statements(services) as seen:  # a listener: SQLAlchemy's own path
                reference = await session.rows(statement, parameters)
            assert seen, name
            assert direct == reference, name
            # Read by name, each value as SQLAlchemy's processors make it (an enum, not text).
            assert list(map(_attributes, direct)) == list(map(_attributes, reference)), name
            assert direct or name == "favorites", name


def _attributes(row):
    return [(name, type(getattr(row, name)), getattr(row, name)) for name in row._fields]


async def test_pages_read_directly_match_across_a_cursor(services, market):
    ordering = ORDERINGS[GigSort.NEWEST]
    base = select(*loaders.GIG_COLUMNS).where(Gig.status == GigStatus.ACTIVE)
    async with open_session(services.sessions) as session:
        first = await paginate(session, base, ordering, first=3, after=None)
        second = await paginate(session, base, ordering, first=3, after=first.end_cursor)
        with counting_statements(services):
            reference = await paginate(session, base, ordering, first=3, after=first.end_cursor)
    assert second.rows == reference.rows
    assert not {row.id for row in first.rows} & {row.id for row in second.rows}


async def test_the_direct_path_is_taken_when_no_one_listens(services, market, monkeypatch):
    calls = []
    original = DirectStatement.fetch

    async def spying(self, *args):
        calls.append(self.sql)
        return await original(self, *args)

    monkeypatch.setattr(DirectStatement, "fetch", spying)
    statement, parameters = statements(*market)["users"]
    async with open_session(services.sessions) as session:
        await session.rows(statement, parameters)
        with counting_statements(services):
            await session.rows(statement, parameters)
    assert len(calls) == 1


async def test_a_read_before_any_write_opens_no_transaction(services, market):
    statement, parameters = statements(*market)["users"]
    async with open_session(services.sessions) as session:
        await session.rows(statement, parameters)
        raw = await (await session.connection()).get_raw_connection()
        assert raw.dbapi_connection._transaction is None
        assert not raw.driver_connection.is_in_transaction()


async def test_a_connection_reset_to_read_committed_still_reads_without_begin(
    one_connection, market
):
    services = one_connection
    statement, parameters = statements(*market)["users"]
    async with open_session(services.sessions) as session:
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        await session.rows(statement, parameters)
    async with open_session(services.sessions) as session:  # the same connection, reset
        await session.rows(statement, parameters)
        raw = await (await session.connection()).get_raw_connection()
        assert raw.dbapi_connection.isolation_level == "read_committed"
        assert not raw.driver_connection.is_in_transaction()


async def test_a_read_after_a_write_sees_it_inside_the_transaction(services, market):
    _, gigs = market
    statement = select(Gig.id, Gig.title).where(Gig.id == gigs[0].id)
    async with open_session(services.sessions) as session:
        gig = await session.get(Gig, gigs[0].id)
        gig.title = "Renamed, not yet committed"
        await session.flush()
        [row] = await session.rows(statement)
        assert row.title == "Renamed, not yet committed"
        await session.rollback()
        [row] = await session.rows(statement)
        assert row.title == gigs[0].title


async def test_a_locking_select_goes_through_sqlalchemy(services, market, monkeypatch):
    monkeypatch.setattr(DirectStatement, "fetch", lambda *_: pytest.fail("locked directly"))
    async with open_session(services.sessions) as session:
        rows = await session.rows(select(Gig.id).with_for_update())
        await session.rollback()
    assert len(rows) == len(market[1])


async def test_a_failed_direct_read_leaves_the_session_usable(services, market):
    async with open_session(services.sessions) as session:
        with pytest.raises(asyncpg.exceptions.DivisionByZeroError):
            await session.rows(select(func.count() / 0))
        await session.rollback()
        [row] = await session.rows(select(func.count()).select_from(Gig))
    assert row[0] == len(market[1])


async def _terminate_app_connections(settings):
    conn = await asyncpg.connect(_plain_url(settings.database_url))
    try:
        return await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()


async def _read_user(services, user_id):
    async with open_session(services.sessions) as session:
        return await session.rows(loaders.USERS.on(sqlite=False), {"keys": [user_id]})


def _pooled(services):
    """The driver connections waiting in the pool."""
    pool = services.sessions.kw["bind"].sync_engine.pool
    return [record.dbapi_connection.driver_connection for record in pool._pool._queue._queue]


@pytest.fixture
async def one_connection(services):
    """A pool holding a single connection, so a test knows which one it is handed."""
    await services.sessions.kw["bind"].dispose()
    return services


async def test_a_connection_the_server_closed_is_replaced_on_checkout(one_connection, settings):
    services = one_connection
    user = await make_user(services)
    await _read_user(services, user.id)
    assert len(_pooled(services)) == 1

    assert await _terminate_app_connections(settings) >= 1
    for _ in range(500):  # until the client has read the server's goodbye
        if all(conn.is_closed() for conn in _pooled(services)):
            break
        await asyncio.sleep(0.01)
    assert all(conn.is_closed() for conn in _pooled(services))

    [row] = await _read_user(services, user.id)
    assert row.id == user.id


async def test_a_connection_that_died_unnoticed_fails_one_read_at_most(one_connection, settings):
    services = one_connection
    user = await make_user(services)
    await _read_user(services, user.id)

    await _terminate_app_connections(settings)
    failures = 0
    try:
        await _read_user(services, user.id)
    except models_db._BROKEN_CONNECTION:
        failures += 1

    [row] = await _read_user(services, user.id)
    assert row.id == user.id
    assert failures <= 1


async def test_an_idle_connection_is_pinged_before_it_is_handed_out(one_connection, monkeypatch):
    services = one_connection
    user = await make_user(services)
    await _read_user(services, user.id)
    pings = []
    original = AsyncAdapt_asyncpg_connection.ping

    def counting_ping(self):
        pings.append(self)
        return original(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counting_ping)
    [row] = await _read_user(services, user.id)
    assert pings == []  # just used: no round trip

    monkeypatch.setattr(models_db, "PING_AFTER_IDLE_SECONDS", -1.0)
    [row] = await _read_user(services, user.id)
    assert row.id == user.id
    assert len(pings) == 1


async def test_a_select_built_anew_binds_its_own_literals(services, market):
    _, gigs = market
    async with open_session(services.sessions) as session:
        for gig in gigs[:3]:
            statement = select(Gig.id).where(Gig.title == gig.title, Gig.id == gig.id)
            assert await session.rows(statement) == [(gig.id,)]


async def test_a_missing_parameter_is_refused_as_sqlalchemy_refuses_it(services, market):
    statement, _ = statements(*market)["users"]
    async with open_session(services.sessions) as session:
        with pytest.raises(SQLAlchemyError, match="required for bind parameter 'keys'"):
            await session.rows(statement, {})
        with (
            counting_statements(services),
            pytest.raises(SQLAlchemyError, match="required for bind parameter 'keys'"),
        ):
            await session.rows(statement, {})


async def test_filling_the_pool_opens_its_connections_before_any_request(settings):
    engine = models_db.create_engine(settings.model_copy(update={"database_pool_size": 4}))
    try:
        assert await models_db.fill_pool(engine) == 4
        assert engine.pool.checkedin() == 4
        assert await models_db.fill_pool(engine) == 4  # full already: opens none
    finally:
        await engine.dispose()


async def test_a_new_connection_binds_uuid_arrays_without_asking_the_server_what_they_are(
    settings,
):
    engine = models_db.create_engine(settings)
    try:
        async with open_session(models_db.session_factory(engine)) as session:
            connection = await session.connection()
            driver = (await connection.get_raw_connection()).driver_connection
            sent: list[str] = []
            driver.add_query_logger(lambda record: sent.append(record.query))
            await session.rows(loaders.USERS.on(sqlite=False), {"keys": [uuid.uuid4()]})
        # The statement alone: no type introspection (nor JIT toggled around one) before it.
        assert len(sent) == 1, sent
        assert '"user".id = ANY' in sent[0]
    finally:
        await engine.dispose()


async def test_a_database_that_does_not_answer_leaves_the_pool_to_connect_later(settings):
    url = make_url(settings.database_url).set(port=1)  # nothing listens there
    unreachable = settings.model_copy(update={"database_url": url.render_as_string(False)})
    engine = models_db.create_engine(unreachable)
    try:
        assert await models_db.fill_pool(engine, within=5) == 0
    finally:
        await engine.dispose()

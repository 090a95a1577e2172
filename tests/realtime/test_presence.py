"""Presence leases, in memory and on Redis: held, refused over a limit, refreshed, lapsed,
and shared by every process on one Redis."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from resolvers.presence import LEASES_PER_CALL, Presence
from tests.realtime.conftest import eventually, pubsub_settings

MakePresence = Callable[..., Awaitable[Presence]]


@pytest.fixture
async def make_presence() -> AsyncIterator[MakePresence]:
    """A `Presence` on a URL (started, so refreshing, unless `start=False`); stopped after."""
    made: list[Presence] = []

    async def make(url: str, *, ttl: float = 5, start: bool = True, **overrides: Any) -> Presence:
        presence = Presence(pubsub_settings(url, **overrides), ttl=ttl)
        if start:
            await presence.start()
        made.append(presence)
        return presence

    yield make
    for presence in made:
        await presence.stop()


def new_key() -> str:
    """A key no other test (or other engineer's run on the shared Redis) uses."""
    return f"presence:test:{uuid.uuid4().hex}"


async def present(presence: Presence, key: str) -> bool:
    [here] = await presence.present([key])
    return here


async def test_a_key_is_present_while_a_lease_is_held(backend_url, make_presence):
    presence = await make_presence(backend_url)
    key, other = new_key(), new_key()

    lease = await presence.acquire(key)

    assert lease is not None
    assert await presence.present([key, other]) == [True, False]
    presence.release(lease)
    await eventually(lambda: _absent(presence, key))


async def _absent(presence: Presence, key: str) -> bool:
    return not await present(presence, key)


async def test_a_key_stays_present_while_any_of_its_leases_is_held(backend_url, make_presence):
    presence = await make_presence(backend_url)
    key = new_key()

    first, second = await presence.acquire(key), await presence.acquire(key)
    assert first is not None
    assert second is not None
    presence.release(first)
    await asyncio.sleep(0.1)

    assert await present(presence, key)
    presence.release(second)
    await eventually(lambda: _absent(presence, key))


async def test_a_lease_beyond_the_limit_is_refused_until_one_is_released(
    backend_url, make_presence
):
    presence = await make_presence(backend_url)
    key = new_key()

    leases = [await presence.acquire(key, limit=2) for _ in range(3)]

    assert leases[0] is not None
    assert leases[1] is not None
    assert leases[2] is None
    presence.release(leases[0])
    await eventually(lambda: _acquires(presence, key, limit=2))


async def _acquires(presence: Presence, key: str, *, limit: int) -> bool:
    return await presence.acquire(key, limit=limit) is not None


async def test_a_lease_its_holder_refreshes_outlives_the_ttl(backend_url, make_presence):
    presence = await make_presence(backend_url, ttl=0.3)
    key = new_key()
    await presence.acquire(key)

    await asyncio.sleep(1)

    assert await present(presence, key)


async def test_more_leases_than_one_refresh_call_carries_all_outlive_the_ttl(
    backend_url, make_presence
):
    presence = await make_presence(backend_url, ttl=0.4)
    keys = [new_key() for _ in range(LEASES_PER_CALL + 7)]
    for key in keys:
        assert await presence.acquire(key) is not None

    await asyncio.sleep(1.2)

    assert await presence.present(keys) == [True] * len(keys)


async def test_a_lease_nobody_refreshes_lapses_after_the_ttl(backend_url, make_presence):
    presence = await make_presence(backend_url, ttl=0.3, start=False)  # no heartbeat
    key = new_key()
    await presence.acquire(key, limit=1)
    assert await present(presence, key)

    await asyncio.sleep(0.5)

    assert not await present(presence, key)
    assert await presence.acquire(key, limit=1) is not None  # its seat is free again


async def test_two_instances_on_one_redis_see_each_others_leases(shared_redis_url, make_presence):
    here = await make_presence(shared_redis_url)
    there = await make_presence(shared_redis_url)
    key = new_key()

    lease = await here.acquire(key, limit=2)
    assert await there.acquire(key, limit=2) is not None

    assert await present(there, key)
    assert await there.acquire(key, limit=2) is None  # two live, one in each process
    assert lease is not None
    here.release(lease)
    await eventually(lambda: _acquires(there, key, limit=2))


async def test_a_crashed_instances_leases_lapse_by_themselves(shared_redis_url, make_presence):
    crashed = await make_presence(shared_redis_url, ttl=0.5)
    survivor = await make_presence(shared_redis_url, ttl=0.5)
    key = new_key()
    await crashed.acquire(key)
    await asyncio.sleep(0.6)  # refreshed past its first TTL
    assert await present(survivor, key)

    await crashed.stop(release=False)  # dies: no release, no more refreshing

    assert await present(survivor, key)
    await eventually(lambda: _absent(survivor, key), within=2)


async def test_with_redis_down_everyone_is_absent_and_holding_goes_on_without(
    redis_server, make_presence
):
    presence = await make_presence(redis_server.url, pubsub_timeout_seconds=0.3)
    key = new_key()
    redis_server.kill()

    assert await presence.present([key]) == [False]
    async with presence.holding(key) as lease:
        assert lease is None

"""Redis going away and coming back, on Redis servers of the tests' own."""

import asyncio
import logging
from types import SimpleNamespace

import pytest

from models.db import create_engine, session_factory
from models.settings import Settings
from resolvers.health import readiness
from resolvers.pubsub import GAP, PubSubUnavailable
from resolvers.pubsub_redis import backoff_delay
from tests.realtime.conftest import eventually, new_channel, numsub, receive


async def test_after_a_redis_restart_the_layer_resubscribes_and_the_subscriber_receives(
    redis_server, make_pubsub
):
    pubsub = await make_pubsub(redis_server.url)
    channel = new_channel()

    async with pubsub.subscribe(channel) as events:
        redis_server.kill()
        await eventually(lambda: not pubsub.healthy)
        with pytest.raises(PubSubUnavailable):
            await pubsub.ping()

        await redis_server.start()
        await eventually(lambda: pubsub.healthy)
        await pubsub.ping()
        assert pubsub.reconnects == 1
        assert await numsub(redis_server.url, channel) == 1
        assert await pubsub.publish(channel, {"order": "after"}) is True

        assert await receive(events, 1) == [{"order": "after"}]


async def test_readiness_reports_pubsub_down_while_redis_is_down(redis_server, make_pubsub):
    pubsub = await make_pubsub(redis_server.url)
    engine = create_engine(Settings(_env_file=None, database_url="sqlite+aiosqlite://"))
    services = SimpleNamespace(broadcast=pubsub, sessions=session_factory(engine))
    try:
        assert await readiness(services) == {"database": "ok", "pubsub": "ok"}

        redis_server.kill()
        await eventually(lambda: not pubsub.healthy)
        assert await readiness(services) == {"database": "ok", "pubsub": "down: PubSubUnavailable"}

        await redis_server.start()
        await eventually(lambda: pubsub.healthy)
        assert await readiness(services) == {"database": "ok", "pubsub": "ok"}
    finally:
        await engine.dispose()


async def test_a_silent_redis_is_detected_by_ping_and_reconnected(redis_server, make_pubsub):
    pubsub = await make_pubsub(
        redis_server.url, pubsub_ping_seconds=0.2, pubsub_timeout_seconds=0.3
    )
    channel = new_channel()

    async with pubsub.subscribe(channel, gaps=True) as events:
        redis_server.pause()  # no FIN, no RST: only an unanswered PING tells
        await eventually(lambda: not pubsub.healthy, within=3)

        redis_server.resume()
        await eventually(lambda: pubsub.healthy)
        assert await receive(events, 1) == [GAP]
        await pubsub.publish(channel, {"order": "1"})
        assert await receive(events, 1) == [{"order": "1"}]


async def test_reconnection_backs_off_while_redis_stays_down(redis_server, make_pubsub):
    pubsub = await make_pubsub(redis_server.url, pubsub_reconnect_max_seconds=0.4)
    backend = pubsub._backend

    redis_server.kill()
    await asyncio.sleep(2)

    # Without backoff (0.05-0.1 s apart) that would be 20-40 attempts; doubling up to a cap of
    # 0.4 s (0.2-0.4 s apart with jitter) leaves room for at most about a dozen.
    assert 3 <= backend.failed_attempts <= 13
    await redis_server.start()
    await eventually(lambda: pubsub.healthy)
    assert backend.failed_attempts == 0


def test_the_reconnect_delay_doubles_up_to_the_cap_with_jitter():
    for failures, low, high in [(0, 0.05, 0.1), (1, 0.1, 0.2), (2, 0.2, 0.4), (3, 0.4, 0.8)]:
        delays = [backoff_delay(failures, cap=10) for _ in range(100)]
        assert low <= min(delays)
        assert max(delays) <= high
        assert len(set(delays)) > 1
    assert 5 <= backoff_delay(1000, cap=10) <= 10


async def test_publish_while_redis_is_down_returns_false_logs_and_counts(
    redis_server, make_pubsub, caplog
):
    pubsub = await make_pubsub(redis_server.url)
    redis_server.kill()
    caplog.set_level(logging.WARNING, logger="gigstream.pubsub")

    assert await pubsub.publish(new_channel(), {"order": "1"}) is False
    assert await pubsub.publish(new_channel(), {"order": "2"}) is False

    assert pubsub.failed_publishes == 2
    assert [r.message for r in caplog.records if "could not publish" in r.message][-1].startswith(
        "pub/sub could not publish on gigstream-test:"
    )


async def test_subscribing_while_redis_is_down_fails_clearly_and_leaves_nothing(
    redis_server, make_pubsub
):
    pubsub = await make_pubsub(redis_server.url, pubsub_timeout_seconds=0.3)
    redis_server.kill()
    await eventually(lambda: not pubsub.healthy)

    with pytest.raises(PubSubUnavailable, match="retry shortly"):
        async with pubsub.subscribe(new_channel()):
            pass

    assert (pubsub.channel_count, pubsub.subscriber_count) == (0, 0)


async def test_a_subscriber_asking_for_gaps_is_told_after_an_outage_and_others_are_not(
    redis_server, make_pubsub
):
    pubsub = await make_pubsub(redis_server.url)
    channel = new_channel()

    async with pubsub.subscribe(channel, gaps=True) as told, pubsub.subscribe(channel) as plain:
        redis_server.kill()
        await eventually(lambda: not pubsub.healthy)
        await redis_server.start()
        await eventually(lambda: pubsub.healthy)
        await pubsub.publish(channel, {"order": "1"})

        assert await receive(told, 2) == [GAP, {"order": "1"}]
        assert await receive(plain, 1) == [{"order": "1"}]


async def test_starting_while_redis_is_down_reports_down_then_recovers(redis_server, make_pubsub):
    redis_server.kill()
    pubsub = await make_pubsub(redis_server.url)  # starts anyway: /readyz tells the truth

    assert not pubsub.healthy
    await redis_server.start()
    await eventually(lambda: pubsub.healthy)
    channel = new_channel()
    async with pubsub.subscribe(channel) as events:
        await pubsub.publish(channel, {"order": "1"})
        assert await receive(events, 1) == [{"order": "1"}]

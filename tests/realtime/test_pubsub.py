"""The pub/sub layer, on memory and on Redis: delivery, fan-out, lag, and clean-up."""

import asyncio
from typing import Any

import pytest
from broadcaster._backends.memory import MemoryBackend

from resolvers.pubsub import PubSub, PubSubUnavailable, SubscriberLagged
from tests.realtime.conftest import (
    eventually,
    new_channel,
    numsub,
    pubsub_settings,
    receive,
    unsubscribed,
)


async def test_a_subscriber_receives_a_published_event(backend_url, make_pubsub):
    pubsub = await make_pubsub(backend_url)
    channel = new_channel()

    async with pubsub.subscribe(channel) as events:
        assert await pubsub.publish(channel, {"order": "42"}) is True

        assert await receive(events, 1) == [{"order": "42"}]


async def test_events_arrive_in_the_order_they_were_published(backend_url, make_pubsub):
    pubsub = await make_pubsub(backend_url)
    channel = new_channel()

    async with pubsub.subscribe(channel) as events:
        for n in range(50):
            await pubsub.publish(channel, {"n": n})

        assert [event["n"] for event in await receive(events, 50)] == list(range(50))


async def test_fifty_concurrent_first_subscribers_all_receive(backend_url, make_pubsub):
    pubsub = await make_pubsub(backend_url)
    channel = new_channel()
    subscribed = asyncio.Barrier(51)

    async def subscriber() -> list[dict]:
        async with pubsub.subscribe(channel) as events:
            await subscribed.wait()
            return await receive(events, 1)

    tasks = [asyncio.create_task(subscriber()) for _ in range(50)]
    await subscribed.wait()
    await pubsub.publish(channel, {"order": "7"})

    assert await asyncio.gather(*tasks) == [[{"order": "7"}]] * 50


async def test_a_channel_has_one_redis_subscription_however_many_subscribers(
    shared_redis_url, make_pubsub
):
    pubsub = await make_pubsub(shared_redis_url)
    channel = new_channel()

    async with pubsub.subscribe(channel), pubsub.subscribe(channel), pubsub.subscribe(channel):
        assert (pubsub.channel_count, pubsub.subscriber_count) == (1, 3)
        assert await numsub(shared_redis_url, channel) == 1

    await eventually(lambda: unsubscribed(shared_redis_url, channel))


async def test_each_subscriber_gets_its_own_copy_of_an_event(backend_url, make_pubsub):
    pubsub = await make_pubsub(backend_url)
    channel = new_channel()

    async with pubsub.subscribe(channel) as first, pubsub.subscribe(channel) as second:
        await pubsub.publish(channel, {"order": "1"})
        [mine] = await receive(first, 1)
        mine["order"] = "changed"

        assert await receive(second, 1) == [{"order": "1"}]


async def test_a_slow_subscriber_is_ended_with_a_lag_error_while_others_keep_receiving(
    backend_url, make_pubsub
):
    pubsub = await make_pubsub(backend_url, pubsub_queue_size=10)
    channel = new_channel()
    published = 200

    async with pubsub.subscribe(channel) as slow, pubsub.subscribe(channel) as fast:
        reader = asyncio.create_task(receive(fast, published))
        most_queued_for_slow = 0
        for n in range(published):
            await pubsub.publish(channel, {"n": n})
            most_queued_for_slow = max(most_queued_for_slow, slow.pending)
            await asyncio.sleep(0)

        assert [event["n"] for event in await reader] == list(range(published))
        assert most_queued_for_slow <= 10
        assert slow.pending == 1  # nothing but the error: the events it missed were freed
        assert pubsub.lagged_subscribers == 1
        assert pubsub.subscriber_count == 1  # the fast one: no more deliveries to the slow one
        with pytest.raises(SubscriberLagged, match=r"fell behind.*Resume from your last cursor"):
            await receive(slow, 1)
        assert await receive(slow, 1, within=0.1) == []  # the stream stays ended


async def test_subscribe_and_unsubscribe_a_thousand_times_leaves_nothing_behind(
    backend_url, make_pubsub
):
    pubsub = await make_pubsub(backend_url)
    channels = [new_channel() for _ in range(10)]
    baseline_tasks = len(asyncio.all_tasks())

    async def cycles(worker: int) -> None:
        for n in range(100):
            async with pubsub.subscribe(channels[(worker + n) % len(channels)]):
                await asyncio.sleep(0)

    await asyncio.gather(*(cycles(worker) for worker in range(10)))

    assert (pubsub.channel_count, pubsub.subscriber_count) == (0, 0)
    await eventually(lambda: len(asyncio.all_tasks()) == baseline_tasks)
    if backend_url != "memory://":
        await eventually(lambda: unsubscribed(backend_url, *channels))


async def test_a_subscriber_that_gives_up_while_subscribing_leaves_nothing_behind(
    backend_url, make_pubsub
):
    pubsub = await make_pubsub(backend_url)
    channel = new_channel()
    baseline_tasks = len(asyncio.all_tasks())

    async def subscriber() -> None:
        async with pubsub.subscribe(channel):
            await asyncio.sleep(3600)

    task = asyncio.create_task(subscriber())
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert pubsub.channel_count == 0
    await eventually(lambda: len(asyncio.all_tasks()) == baseline_tasks)
    async with pubsub.subscribe(channel) as events:  # and the channel still works
        await pubsub.publish(channel, {"order": "3"})
        assert await receive(events, 1) == [{"order": "3"}]


async def test_publishing_an_event_that_is_not_json_returns_false_and_counts(
    backend_url, make_pubsub
):
    pubsub = await make_pubsub(backend_url)

    assert await pubsub.publish(new_channel(), {"order": object()}) is False
    assert pubsub.failed_publishes == 1


async def test_disconnect_ends_open_streams_with_a_clear_error(backend_url, make_pubsub):
    pubsub = await make_pubsub(backend_url)
    channel = new_channel()

    async with pubsub.subscribe(channel) as events:
        await pubsub.disconnect()

        with pytest.raises(PubSubUnavailable, match="resume from your last cursor"):
            await receive(events, 1)
    with pytest.raises(PubSubUnavailable, match="not connected"):
        await pubsub.ping()
    await pubsub.connect()  # the fixture disconnects it again


async def test_ping_answers_when_connected(backend_url, make_pubsub):
    pubsub = await make_pubsub(backend_url)

    await pubsub.ping()
    assert pubsub.healthy


class _CancelAnsweringBackend(MemoryBackend):
    """A backend whose publish, cancelled in flight, answers as redis-py can: with an error of
    its own, or as if the command had gone through."""

    def __init__(self, answer: BaseException | None) -> None:
        super().__init__("memory://")
        self.answer = answer
        self.publishing = asyncio.Event()

    async def publish(self, channel: str, message: Any) -> None:
        self.publishing.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            if self.answer is not None:
                raise self.answer from None


@pytest.mark.parametrize(
    "answer", [ConnectionError("Connection closed by server."), None], ids=["an error", "none"]
)
async def test_a_publish_cancelled_in_flight_ends_cancelled_whatever_the_backend_answers(answer):
    backend = _CancelAnsweringBackend(answer)
    pubsub = PubSub(pubsub_settings("memory://"), backend=backend)
    await pubsub.connect()
    try:
        publishing = asyncio.create_task(pubsub.publish("orders", {"order": "1"}))
        await backend.publishing.wait()
        publishing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await publishing
    finally:
        await pubsub.disconnect()

    assert publishing.cancelled()

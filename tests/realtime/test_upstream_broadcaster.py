"""Documents faults of broadcaster 0.3.1 itself, the reasons `resolvers.pubsub` does not use its
`Broadcast` class or its `RedisBackend`. These tests pass while the fault is there: when one
fails after an upgrade, upstream fixed it, and our layer may be able to lean on it again.
(The fixed behaviour is tested in test_pubsub.py and test_redis_outage.py.)"""

import asyncio

from broadcaster import Broadcast
from broadcaster._backends.redis import RedisBackend

from tests.realtime.conftest import new_channel


class _SubscribeBeforeWaking(RedisBackend):
    """broadcaster's backend with only its first fault patched: wake the listener after."""

    async def subscribe(self, channel: str) -> None:
        await self._pubsub.subscribe(channel)
        self._ready.set()


async def _delivered(broadcast: Broadcast, subscribers: int) -> tuple[int, int]:
    """(how many subscribers received one publish, how many failed when leaving)."""
    channel = new_channel()
    subscribed = asyncio.Barrier(subscribers + 1)

    async def subscriber() -> bool:
        async with broadcast.subscribe(channel) as events:
            await subscribed.wait()
            try:
                async with asyncio.timeout(1):
                    async for _event in events:
                        return True
            except TimeoutError:
                pass
        return False

    tasks = [asyncio.create_task(subscriber()) for _ in range(subscribers)]
    await subscribed.wait()
    await asyncio.sleep(0.1)
    await broadcast.publish(channel, "{}")
    results = await asyncio.gather(*tasks, return_exceptions=True)
    return results.count(True), sum(isinstance(result, Exception) for result in results)


async def test_upstream_redis_backend_delivers_nothing_with_redis_py_8(shared_redis_url):
    broadcast = Broadcast(shared_redis_url)
    await broadcast.connect()
    try:
        assert await _delivered(broadcast, 1) == (0, 0)
    finally:
        await broadcast.disconnect()


async def test_upstream_broadcast_loses_concurrent_first_subscribers(shared_redis_url):
    broadcast = Broadcast(backend=_SubscribeBeforeWaking(shared_redis_url))
    await broadcast.connect()
    try:
        received, failed = await _delivered(broadcast, 50)
    finally:
        await broadcast.disconnect()

    assert received < 50  # measured: 1, the last subscriber to set the channel's queue
    assert failed > 0  # the others' queues are gone: leaving raises KeyError


async def test_upstream_broadcast_queues_grow_without_limit_for_a_slow_subscriber():
    async with Broadcast("memory://") as broadcast:
        channel = new_channel()
        async with broadcast.subscribe(channel):
            for _ in range(1000):
                await broadcast.publish(channel, "{}")
            await asyncio.sleep(0.1)

            [queue] = broadcast._subscribers[channel]
            assert queue.qsize() == 1000

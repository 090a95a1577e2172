"""Two processes on one Redis: what one publishes, the other's subscribers receive, in order."""

from tests.realtime.conftest import new_channel, numsub, receive


async def test_a_subscriber_on_one_instance_receives_in_order_what_another_publishes(
    shared_redis_url, make_pubsub
):
    here = await make_pubsub(shared_redis_url)
    there = await make_pubsub(shared_redis_url)
    channel = new_channel()

    async with here.subscribe(channel) as events, there.subscribe(channel) as theirs:
        for n in range(100):
            assert await there.publish(channel, {"n": n}) is True

        assert [event["n"] for event in await receive(events, 100)] == list(range(100))
        assert [event["n"] for event in await receive(theirs, 100)] == list(range(100))
        assert await numsub(shared_redis_url, channel) == 2  # one per instance

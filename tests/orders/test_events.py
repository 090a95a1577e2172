"""Every move is published after its commit: small JSON, ids not objects, server-built channels."""

import asyncio

from schema.relay import decode_id


async def next_event(subscription, within=5.0):
    return await asyncio.wait_for(anext(subscription), within)


async def test_each_move_is_published_on_the_order_and_both_sides_channels(api, services, market):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    key = str(decode_id(order_id)[1])
    broadcast = services.broadcast

    async with (
        broadcast.subscribe(f"order:{key}") as order_events,
        broadcast.subscribe(f"user-orders:{market.buyer.id}") as buyer_events,
        broadcast.subscribe(f"user-orders:{market.seller.id}") as seller_events,
    ):
        await api.pay(market.buyer, order_id)
        await api.deliver(market.seller, order_id)

        funded = [await next_event(s) for s in (order_events, buyer_events, seller_events)]
        delivered = await next_event(order_events)

    assert funded[0] == funded[1] == funded[2]
    assert funded[0]["order"] == key
    assert (funded[0]["previous"], funded[0]["status"]) == ("PENDING_PAYMENT", "IN_PROGRESS")
    assert set(funded[0]) == {"order", "status", "previous", "event"}
    assert (delivered["previous"], delivered["status"]) == ("IN_PROGRESS", "DELIVERED")


async def test_a_refused_move_publishes_nothing(api, services, market):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    key = str(decode_id(order_id)[1])

    async with services.broadcast.subscribe(f"order:{key}") as events:
        refused = await api.approve(market.buyer, order_id)

        assert [e["code"] for e in refused["errors"]] == ["INVALID_TRANSITION"]
        try:
            event = await next_event(events, within=0.3)
        except TimeoutError:
            event = None

    assert event is None


async def test_a_new_order_is_announced_to_both_sides(api, services, market):
    async with services.broadcast.subscribe(f"user-orders:{market.seller.id}") as events:
        order_id = (await api.place(market.buyer, market.service))["order"]["id"]

        event = await next_event(events)

    assert event["order"] == str(decode_id(order_id)[1])
    assert (event["previous"], event["status"]) == (None, "PENDING_PAYMENT")

"""A WebSocket outlives its access token; its subscriptions do not."""

import asyncio

from models.notification import NotificationType
from resolvers.context import Context
from resolvers.notifications import channel, notify
from resolvers.security import issue_access_token
from tests.factories import make_user
from tests.realtime.test_notification_added import NOTIFICATION_ADDED
from tests.realtime.test_subscriptions import (  # noqa: F401 -- fixtures
    answer,
    connect,
    nexts,
    subscribed,
    ws_url,
)


def short_lived_token(services, user, seconds: int) -> str:
    settings = services.settings.model_copy(update={"access_token_ttl_seconds": seconds})
    return issue_access_token(settings, user_id=user.id).token


async def _notify(services, user) -> None:
    ctx = Context(services)
    try:
        await notify(
            ctx, user_id=user.id, type=NotificationType.ORDER_UPDATED, text="News", target_id=None
        )
        await ctx.commit()
    finally:
        await ctx.close()


async def test_a_stream_ends_unauthenticated_when_the_token_expires(ws_url, services):  # noqa: F811
    user = await make_user(services)
    connection, ws = await connect(ws_url, short_lived_token(services, user, 2))
    async with connection:
        await ws.subscribe("1", NOTIFICATION_ADDED)
        await subscribed(services, channel(user.id))
        await _notify(services, user)
        [delivered] = await nexts(ws, "1", 1)
        ended = await answer(ws, "1")
        closing = await ws.receive()
        channel_gone = await _unsubscribed(services, channel(user.id))

    assert delivered["data"]["notificationAdded"]["text"] == "News"
    errors = ended["payload"] if ended["type"] == "error" else ended["payload"]["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]
    assert "expired" in errors[0]["message"]
    assert closing == {"id": "1", "type": "complete"}
    assert channel_gone


async def _unsubscribed(services, name: str, within: float = 5) -> bool:
    for _ in range(int(within / 0.01)):
        if name not in services.broadcast._channels:
            return True
        await asyncio.sleep(0.01)
    return False

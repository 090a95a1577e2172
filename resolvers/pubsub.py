"""Publish/subscribe for live events: in memory by default, Redis when `REDIS_URL` is set."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from broadcaster import Broadcast

from models.settings import Settings

logger = logging.getLogger("gigstream.pubsub")


class PubSub:
    """Small JSON events on server-built channel names; subscribers reload what they show."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.redis_url or "memory://"
        self._broadcast = Broadcast(self.url)
        self._redis = aioredis.from_url(settings.redis_url) if settings.redis_url else None

    async def connect(self) -> None:
        await self._broadcast.connect()

    async def disconnect(self) -> None:
        await self._broadcast.disconnect()
        if self._redis is not None:
            await self._redis.aclose()

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        await self._broadcast.publish(channel=channel, message=json.dumps(event))

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        async with self._broadcast.subscribe(channel=channel) as subscriber:

            async def events() -> AsyncIterator[dict[str, Any]]:
                async for event in subscriber:
                    yield json.loads(event.message)

            yield events()

    async def ping(self) -> None:
        """Raise unless the pub/sub backend answers."""
        if self._redis is not None:
            await asyncio.wait_for(self._redis.ping(), timeout=2)

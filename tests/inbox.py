"""Notifications as a test sees them: stored in the database, and heard live."""

import asyncio
import contextlib
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from models.notification import Notification
from models.user import User
from resolvers.context import Services
from resolvers.notifications import channel


class Inbox:
    """Each user's live notification events, heard through the app's pub/sub."""

    def __init__(self, services: Services, stack: contextlib.AsyncExitStack) -> None:
        self._services = services
        self._stack = stack
        self.events: dict[uuid.UUID, list[str]] = defaultdict(list)

    async def listen(self, *users: User) -> None:
        for user in users:
            stream = await self._stack.enter_async_context(
                self._services.broadcast.subscribe(channel(user.id))
            )
            task = asyncio.create_task(self._collect(user.id, stream))
            self._stack.callback(task.cancel)

    async def _collect(self, user_id: uuid.UUID, stream: Any) -> None:
        async for event in stream:
            self.events[user_id].append(event["notification"])

    async def heard(self, user: User, count: int) -> list[str]:
        """The ids announced to `user`, once `count` have come; then a moment for extras."""
        for _ in range(300):
            if len(self.events[user.id]) >= count:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        return list(self.events[user.id])


async def stored(db, user: User | None = None) -> list[Notification]:
    """Notifications, oldest first; only `user`'s if given."""
    statement = select(Notification).order_by(Notification.created_at, Notification.id)
    if user is not None:
        statement = statement.where(Notification.user_id == user.id)
    return await db.scalars(statement)

"""Per-request DataLoaders, named `<target>_by_<key>`, each returning results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlmodel import select
from strawberry.dataloader import DataLoader

from models.user import User

if TYPE_CHECKING:
    from resolvers.context import Context


class Loaders:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self.user_by_id = DataLoader[uuid.UUID, User | None](self._users_by_id)

    async def _users_by_id(self, keys: Sequence[uuid.UUID]) -> list[User | None]:
        rows = await self._ctx.session.scalars(select(User).where(User.id.in_(keys)))
        by_id = {user.id: user for user in rows}
        return [by_id.get(key) for key in keys]

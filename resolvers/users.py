"""Reading users: who may see a profile, and which of its fields."""

import uuid

from models.user import User
from resolvers.context import Context


async def visible_user(ctx: Context, *, user_id: uuid.UUID) -> User | None:
    """Return a user's public profile, `None` for an unknown or deactivated account."""
    user = await ctx.loaders.user_by_id.load(user_id)
    if user is None or user.deactivated_at is not None:
        return None
    return user


async def user_entity(ctx: Context, *, user_id: uuid.UUID) -> User | None:
    """Like `visible_user`, as an entity rather than a loader row."""
    user = await ctx.session.get(User, user_id)
    return None if user is None or user.deactivated_at is not None else user


async def may_see_private_fields(ctx: Context, user: User) -> bool:
    """Email, phone and wallet are for the user themself and for admins."""
    viewer = await ctx.viewer()
    return viewer is not None and (viewer.id == user.id or viewer.is_admin)

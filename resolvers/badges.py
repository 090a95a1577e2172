"""Award the badges a user's standing earns, once each, and tell them."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models.badges import Standing, earned_badges
from models.notification import NotificationType
from models.review import Badge, BadgeKind
from models.user import User
from resolvers.notifications import current_time, global_id, notify

if TYPE_CHECKING:
    from resolvers.context import Context


async def award_badges(ctx: Context, *, user_id: uuid.UUID) -> list[BadgeKind]:
    """Award every badge the user's standing now earns and they lack; return the new ones.

    Runs in the caller's transaction, after the aggregates changed. Idempotent: a badge already
    held (or awarded by a concurrent transaction) is left as it is and not announced again.
    """
    # Read the aggregates afresh: they were just changed in SQL, not on the entity.
    await ctx.session.flush()
    user = await ctx.session.get(User, user_id, populate_existing=True)
    if user is None:
        return []
    earned = earned_badges(Standing.of(user))
    if not earned:
        return []
    held = set(await ctx.session.scalars(select(Badge.badge).where(Badge.user_id == user_id)))
    at = current_time(ctx)
    insert = sqlite_insert if ctx.settings.is_sqlite else pg_insert
    awarded = []
    for rule in earned:
        if rule.badge in held:
            continue
        # ON CONFLICT: a concurrent award of the same badge makes this a no-op, not an error
        # that would abort the caller's transaction.
        inserted = await ctx.session.scalar(
            insert(Badge)
            .values(user_id=user_id, badge=rule.badge, awarded_at=at)
            .on_conflict_do_nothing(index_elements=["user_id", "badge"])
            .returning(Badge.id)
        )
        if inserted is None:
            continue
        awarded.append(rule.badge)
        await notify(
            ctx,
            user_id=user_id,
            type=NotificationType.BADGE_AWARDED,
            text=f"You earned a badge: {rule.title}",
            target_id=global_id("User", user_id),
        )
    return awarded

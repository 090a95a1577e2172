"""The notification centre over GraphQL: `notifications`, marking them read, email choices."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models import notification as m
from resolvers import notifications
from resolvers.context import Context
from schema.catalog import RowBacked
from schema.errors import UserError, attempt
from schema.ids import id_of
from schema.node import Node, register_node
from schema.pagination import Connection
from schema.relay import encode_id

NotificationType = strawberry.enum(m.NotificationType, name="NotificationType")


@strawberry.type(name="Notification", description="Something that happened that you care about.")
class Notification(Node, RowBacked):
    type: NotificationType
    text: str = strawberry.field(description="One short sentence to show as it is.")
    read_at: datetime | None
    created_at: datetime

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("Notification", root.id)

    @strawberry.field(description="The global id of what it is about, to open with `node`.")
    @staticmethod
    def target_id(root: Any) -> strawberry.ID | None:
        return None if root.target_id is None else strawberry.ID(root.target_id)

    @strawberry.field
    @staticmethod
    def read(root: Any) -> bool:
        return root.read_at is not None


@strawberry.type(name="NotificationConnection")
class NotificationConnection(Connection[Notification]):
    pass


@strawberry.type(description="Whether one type of notification also comes by email.")
class NotificationPreference:
    type: NotificationType
    email: bool


def _preferences(pairs: list[tuple[Any, bool]]) -> list[NotificationPreference]:
    return [NotificationPreference(type=kind, email=email) for kind, email in pairs]


async def unread_count(ctx: Context, user: Any) -> int | None:
    """`User.unreadNotificationCount`: the user themself only."""
    viewer = await ctx.viewer()
    if viewer is None or viewer.id != user.id:
        return None
    return await notifications.unread_count(ctx, user_id=user.id)


async def email_preferences(ctx: Context, user: Any) -> list[NotificationPreference] | None:
    """`User.notificationPreferences`: the user themself only."""
    viewer = await ctx.viewer()
    if viewer is None or viewer.id != user.id:
        return None
    return _preferences(await notifications.email_preferences(ctx, user_id=user.id))


@strawberry.type
class NotificationQueries:
    @strawberry.field(description="The viewer's notifications, newest first.")
    async def notifications(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        unread_only: bool = False,
    ) -> NotificationConnection:
        page = await notifications.viewer_notifications(
            info.context, first=first, after=after, unread_only=unread_only
        )
        return NotificationConnection(_page=page, _after=after)


@strawberry.input
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Your notifications to mark read (at most 100)."
    )
    all: bool = strawberry.field(default=False, description="Mark every one read instead.")


@strawberry.type
class MarkNotificationsReadPayload:
    marked_count: int | None = strawberry.field(description="How many were unread until now.")
    unread_count: int | None = strawberry.field(description="How many are still unread.")
    errors: list[UserError]


@strawberry.input
class NotificationPreferenceInput:
    type: NotificationType
    email: bool


@strawberry.input
class UpdateNotificationPreferencesInput:
    preferences: list[NotificationPreferenceInput] = strawberry.field(
        description="The types to change; the others stay as they are."
    )


@strawberry.type
class UpdateNotificationPreferencesPayload:
    preferences: list[NotificationPreference] | None = strawberry.field(
        description="Every type, with its choice."
    )
    errors: list[UserError]


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(description="Mark your notifications read: the ones given, or all.")
    async def mark_notifications_read(
        self, info: Info[Context, None], input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        ctx = info.context

        async def call() -> tuple[int, int]:
            keys = None
            if input.ids is not None:
                keys = [
                    id_of(key, "Notification", field=f"ids.{index}")
                    for index, key in enumerate(input.ids)
                ]
            return await notifications.mark_read(ctx, ids=keys, all=input.all)

        counts, errors = await attempt(ctx, call())
        marked, unread = counts if counts is not None else (None, None)
        return MarkNotificationsReadPayload(marked_count=marked, unread_count=unread, errors=errors)

    @strawberry.mutation(description="Choose which types of notification also come by email.")
    async def update_notification_preferences(
        self, info: Info[Context, None], input: UpdateNotificationPreferencesInput
    ) -> UpdateNotificationPreferencesPayload:
        ctx = info.context
        wanted = [(m.NotificationType(p.type), p.email) for p in input.preferences]

        async def call() -> Any:
            return await notifications.update_email_preferences(ctx, preferences=wanted)

        pairs, errors = await attempt(ctx, call())
        return UpdateNotificationPreferencesPayload(
            preferences=None if pairs is None else _preferences(pairs), errors=errors
        )


register_node(
    Notification,
    m.Notification,
    lambda ctx, key: notifications.visible_notification(ctx, notification_id=key),
)

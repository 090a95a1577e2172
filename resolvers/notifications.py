"""The notification centre: what a user should hear about, stored, sent live, and emailed."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models.account import Channel
from models.errors import ErrorCode, NotFound, ValidationFailed
from models.notification import TEXT_MAX, Notification, NotificationPreference, NotificationType
from models.types import utcnow
from models.user import User
from resolvers.pagination import MAX_PAGE, Ordering, Page, SortKey, paginate

if TYPE_CHECKING:
    from resolvers.context import Context

# Types that never email one by one: they wait for the user's digest (see `send_email_digests`).
DIGESTED = frozenset({NotificationType.MESSAGE_RECEIVED})
DIGEST_MAX_LINES = 20
NOTIFICATION_COLUMNS = tuple(Notification.__table__.c)
NOTIFICATIONS = Ordering(
    "notifications",
    (
        SortKey("t", Notification.created_at, descending=True, kind=datetime),
        SortKey("id", Notification.id, descending=True, kind=uuid.UUID),
    ),
)


def current_time(ctx: Context) -> datetime:
    """The time by the services' clock: the order lifecycle's, which tests move."""
    return ctx.services.clock.now()


def global_id(type_name: str, key: uuid.UUID) -> str:
    """The Relay id `schema.relay.encode_id` makes; resolvers never import the schema."""
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def channel(user_id: uuid.UUID) -> str:
    """Where a user's new notifications are announced, as `{"notification": "<uuid>"}`."""
    return f"notifications:{user_id}"


async def notify(
    ctx: Context,
    *,
    user_id: uuid.UUID,
    type: NotificationType,
    text: str,
    target_id: str | None,
) -> Notification:
    """Store a notification in the caller's transaction; announce and email it after commit.

    The caller commits (`ctx.commit()`): nothing is published or sent if it rolls back.
    `text` is one short sentence (cut to 500 characters), `target_id` the Relay global id of
    what the notification is about (`global_id("Order", order.id)`), for `node(id:)`.
    After the commit, `{"notification": "<uuid>"}` is published on `notifications:{user_id}`.
    Email follows the user's preference for `type` (on unless turned off) and goes only to a
    verified address: MESSAGE_RECEIVED waits for the digest (`send_email_digests`), every other
    type is queued now, in the caller's transaction, through the outbox.
    """
    at = current_time(ctx)
    notification = Notification(
        user_id=user_id, type=type, text=_short(text), target_id=target_id, created_at=at
    )
    ctx.session.add(notification)
    user = await ctx.session.get(User, user_id)
    if user is not None and _reachable(user) and await _wants_email(ctx, user_id, type):
        if type in DIGESTED:
            digest_delay = timedelta(seconds=ctx.settings.notification_digest_seconds)
            notification.digest_due_at = at + digest_delay
        else:
            _email(ctx, user, subject=notification.text, lines=[notification.text])
    broadcast = ctx.services.broadcast
    event = {"notification": str(notification.id)}

    async def publish() -> None:
        await broadcast.publish(channel(user_id), event)

    if broadcast is not None:
        ctx.after_commit(publish)
    return notification


async def send_email_digests(ctx: Context, *, now: datetime) -> int:
    """Email each user whose oldest waiting notification is due one digest of what waits.

    For a scheduler tick; several processes may run it at once: each user's notifications are
    claimed with a compare-and-set, so a digest goes out once. Read ones are dropped unsent.
    Returns the number of digests queued.
    """
    due = await ctx.session.scalars(
        select(Notification.user_id)
        .where(Notification.digest_due_at <= now)
        .group_by(Notification.user_id)
        .limit(MAX_PAGE)
    )
    sent = 0
    for user_id in list(due):
        # Claim what is due; empty when another process sent this digest first.
        claimed = await _claim_digest(ctx, user_id, Notification.digest_due_at <= now)
        if not claimed:
            await ctx.rollback()
            continue
        # What came in since joins this digest rather than starting the next one.
        claimed += await _claim_digest(ctx, user_id, Notification.digest_due_at.is_not(None))
        unread = sorted(
            (row for row in claimed if row.read_at is None), key=lambda row: row.created_at
        )
        user = await ctx.session.get(User, user_id)
        if unread and user is not None and _reachable(user):
            count = len(unread)
            lines = [row.text for row in unread[:DIGEST_MAX_LINES]]
            if count > DIGEST_MAX_LINES:
                lines.append(f"…and {count - DIGEST_MAX_LINES} more")
            noun = "message" if count == 1 else "messages"
            _email(ctx, user, subject=f"You have {count} new {noun} on Gigstream", lines=lines)
            sent += 1
        await ctx.commit()
    return sent


async def viewer_notifications(
    ctx: Context, *, first: int | None, after: str | None, unread_only: bool
) -> Page:
    """The viewer's notifications, newest first; only the unread ones if asked."""
    viewer = await ctx.require_viewer()
    statement = select(*NOTIFICATION_COLUMNS).where(Notification.user_id == viewer.id)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    return await paginate(ctx.session, statement, NOTIFICATIONS, first=first, after=after)


async def visible_notification(ctx: Context, *, notification_id: uuid.UUID) -> Any | None:
    """A notification, for the user it was sent to; `None` for anyone else."""
    viewer = await ctx.viewer()
    if viewer is None:
        return None
    notification = await ctx.session.get(Notification, notification_id)
    if notification is None or notification.user_id != viewer.id:
        return None
    return notification


async def unread_count(ctx: Context, *, user_id: uuid.UUID) -> int:
    """How many of the user's notifications are unread."""
    count = await ctx.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return count or 0


async def mark_read(ctx: Context, *, ids: Sequence[uuid.UUID] | None, all: bool) -> tuple[int, int]:
    """Mark the viewer's notifications read, by id or all; return (newly marked, still unread).

    Every id must be one of the viewer's own, or nothing is marked.
    """
    viewer = await ctx.require_viewer()
    if all and ids:
        raise ValidationFailed("give either ids or all, not both", field="all")
    if not all and ids is None:
        raise ValidationFailed("give the ids to mark, or all", code=ErrorCode.REQUIRED, field="ids")
    statement = update(Notification).where(
        Notification.user_id == viewer.id, Notification.read_at.is_(None)
    )
    if not all:
        wanted = list(dict.fromkeys(ids or ()))
        if len(wanted) > MAX_PAGE:
            raise ValidationFailed(
                f"at most {MAX_PAGE} ids at once", code=ErrorCode.OUT_OF_RANGE, field="ids"
            )
        owned = set(
            await ctx.session.scalars(
                select(Notification.id).where(
                    Notification.id.in_(wanted), Notification.user_id == viewer.id
                )
            )
        )
        for index, key in enumerate(ids or ()):
            if key not in owned:
                raise NotFound("No such notification", field=f"ids.{index}")
        statement = statement.where(Notification.id.in_(wanted))
    result = await ctx.session.execute(
        statement.values(read_at=current_time(ctx)).execution_options(synchronize_session=False)
    )
    await ctx.commit()
    return result.rowcount, await unread_count(ctx, user_id=viewer.id)


async def email_preferences(ctx: Context, *, user_id: uuid.UUID) -> list[tuple[Any, bool]]:
    """Every notification type with whether it also goes by email (on unless turned off)."""
    rows = await ctx.session.execute(
        select(NotificationPreference.type, NotificationPreference.email).where(
            NotificationPreference.user_id == user_id
        )
    )
    chosen = dict(rows.all())
    return [(kind, chosen.get(kind, True)) for kind in NotificationType]


async def update_email_preferences(
    ctx: Context, *, preferences: Sequence[tuple[NotificationType, bool]]
) -> list[tuple[Any, bool]]:
    """Choose, per notification type, whether the viewer also gets it by email."""
    viewer = await ctx.require_viewer()
    chosen: dict[NotificationType, bool] = {}
    for index, (kind, email) in enumerate(preferences):
        if kind in chosen:
            raise ValidationFailed(
                f"{kind.value} is given twice",
                code=ErrorCode.DUPLICATE,
                field=f"preferences.{index}",
            )
        chosen[kind] = email
    if chosen:
        insert = sqlite_insert if ctx.settings.is_sqlite else pg_insert
        statement = insert(NotificationPreference).values(
            [{"user_id": viewer.id, "type": kind, "email": email} for kind, email in chosen.items()]
        )
        await ctx.session.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id", "type"],
                set_={"email": statement.excluded.email, "updated_at": utcnow()},
            )
        )
    await ctx.commit()
    return await email_preferences(ctx, user_id=viewer.id)


async def _claim_digest(ctx: Context, user_id: uuid.UUID, condition: Any) -> list[Any]:
    result = await ctx.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, condition)
        .values(digest_due_at=None)
        .returning(Notification.text, Notification.read_at, Notification.created_at)
        .execution_options(synchronize_session=False)
    )
    return list(result.all())


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


def _reachable(user: User) -> bool:
    """Email goes to verified addresses of active accounts only."""
    return user.email_verified_at is not None and user.deactivated_at is None


async def _wants_email(ctx: Context, user_id: uuid.UUID, kind: NotificationType) -> bool:
    email = await ctx.session.scalar(
        select(NotificationPreference.email).where(
            NotificationPreference.user_id == user_id, NotificationPreference.type == kind
        )
    )
    return True if email is None else email


def _email(ctx: Context, user: User, *, subject: str, lines: list[str]) -> None:
    # Imported here: resolvers.outbox imports the context, which imports the loaders, which
    # import the use-cases that notify.
    from resolvers.outbox import queue_message

    listing = "\n".join(f"- {line}" for line in lines) if len(lines) > 1 else lines[0]
    queue_message(
        ctx,
        channel=Channel.EMAIL,
        recipient=user.email,
        user_id=user.id,
        subject=subject if len(subject) <= 120 else subject[:119] + "…",
        body=(
            f"Hello {user.name},\n\n{listing}\n\nSee everything at {ctx.settings.public_url}\n\n"
            "You can choose which notifications reach you by email in your settings.\n"
        ),
    )

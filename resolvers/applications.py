"""Applications to REQUEST gigs: apply, withdraw, decline, and who sees which of them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog import (
    COVER_LETTER_MAX,
    Application,
    ApplicationStatus,
    Gig,
    GigKind,
    GigStatus,
)
from models.errors import (
    Conflict,
    ErrorCode,
    Forbidden,
    InvalidTransition,
    NotAuthenticated,
    NotFound,
    ValidationFailed,
)
from models.money import to_minor
from models.notification import NotificationType
from models.types import utcnow
from models.user import User, UserRole
from models.validation import clean_text
from resolvers.notifications import global_id, notify
from resolvers.pagination import Ordering, Page, SortKey, page_size, paginate, paginate_each

if TYPE_CHECKING:
    from resolvers.context import Context

COVER_LETTER_MIN = 20
DELIVERY_DAYS_MIN = 1
DELIVERY_DAYS_MAX = 90
APPLICATION_COLUMNS = tuple(Application.__table__.c)
APPLICATIONS = Ordering(
    "applications",
    (
        SortKey("t", Application.created_at, descending=True, kind=datetime),
        SortKey("id", Application.id, descending=True, kind=uuid.UUID),
    ),
)
# PostgreSQL names the violated index; SQLite names its columns.
_PENDING_INDEX_VIOLATIONS = (
    "uq_application_gig_id_freelancer_id_pending",
    "application.gig_id, application.freelancer_id",
)


async def apply_to_gig(
    ctx: Context, *, gig_id: uuid.UUID, cover_letter: str, price: Decimal, delivery_days: int
) -> Application:
    """Apply to a client's ACTIVE REQUEST gig as a freelancer."""
    viewer = await ctx.require_viewer()
    if viewer.role is not UserRole.FREELANCER:
        raise ValidationFailed(
            "only a freelancer can apply to a gig", code=ErrorCode.NOT_ALLOWED, field="gigId"
        )
    letter = clean_text(
        cover_letter,
        field="coverLetter",
        max_length=COVER_LETTER_MAX,
        min_length=COVER_LETTER_MIN,
        required=True,
    )
    amount = _price(price)
    days = _delivery_days(delivery_days)
    # FOR SHARE: the gig cannot be paused or archived between these checks and the commit,
    # while other freelancers can still apply to it at the same time.
    gig = await ctx.session.scalar(select(Gig).where(Gig.id == gig_id).with_for_update(read=True))
    # A gig that was never published is as unknown as a missing one; a paused one was public.
    if gig is None or (gig.published_at is None and gig.owner_id != viewer.id):
        raise NotFound("No such gig", field="gigId")
    _check_open(gig, viewer)
    if await _pending_exists(ctx, gig_id=gig.id, freelancer_id=viewer.id):
        raise _already_applied()
    application = Application(
        gig_id=gig.id,
        freelancer_id=viewer.id,
        cover_letter=letter,
        price=amount,
        currency=gig.currency,
        delivery_days=days,
    )
    ctx.session.add(application)
    try:
        # Inside: notifying reads the owner, which flushes the application first.
        await notify(
            ctx,
            user_id=gig.owner_id,
            type=NotificationType.APPLICATION_RECEIVED,
            text=f"{viewer.name} applied to “{gig.title}”",
            target_id=global_id("Application", application.id),
        )
        await ctx.commit()
    except IntegrityError as error:
        # Two applies raced past the check above; the partial unique index let one through.
        if not any(name in str(error.orig) for name in _PENDING_INDEX_VIOLATIONS):
            raise
        await ctx.rollback()
        raise _already_applied() from None
    return application


async def withdraw_application(ctx: Context, *, application_id: uuid.UUID) -> Application:
    """Withdraw your own PENDING application."""
    viewer = await ctx.require_viewer()
    application, _owner_id = await _locked_visible(ctx, viewer, application_id)
    if application.freelancer_id != viewer.id:
        raise Forbidden("Only the applicant may withdraw an application")
    _decide(application, ApplicationStatus.WITHDRAWN)
    await ctx.commit()
    return application


async def decline_application(ctx: Context, *, application_id: uuid.UUID) -> Application:
    """Decline a PENDING application to your gig."""
    viewer = await ctx.require_viewer()
    application, owner_id = await _locked_visible(ctx, viewer, application_id)
    if owner_id != viewer.id:
        raise Forbidden("Only the gig's owner may decline an application")
    _decide(application, ApplicationStatus.DECLINED)
    title = await ctx.session.scalar(select(Gig.title).where(Gig.id == application.gig_id))
    await notify(
        ctx,
        user_id=application.freelancer_id,
        type=NotificationType.APPLICATION_DECLINED,
        text=f"Your application to “{title}” was declined",
        target_id=global_id("Application", application.id),
    )
    await ctx.commit()
    return application


async def visible_application(ctx: Context, *, application_id: uuid.UUID) -> Application | None:
    """An application, for its applicant, the gig's owner and admins; `None` for anyone else."""
    viewer = await ctx.viewer()
    if viewer is None:
        return None
    row = (
        await ctx.session.execute(
            select(Application, Gig.owner_id)
            .join(Gig, Gig.id == Application.gig_id)
            .where(Application.id == application_id)
        )
    ).one_or_none()
    if row is None or not _may_see(viewer, row[0].freelancer_id, row[1]):
        return None
    return row[0]


@dataclass(frozen=True, slots=True)
class GigPageKey:
    """What one `gig.applications` field asks for; equal keys share one query."""

    gig_id: uuid.UUID
    first: int
    after: str | None
    # `None` for every application (the owner, admins), else only this applicant's.
    freelancer_id: uuid.UUID | None


async def gig_applications(ctx: Context, *, gig: Any, first: int | None, after: str | None) -> Page:
    """A gig's applications, newest first: all for its owner and admins, else the viewer's own."""
    limit = page_size(first)
    after = after or None
    if after is not None:
        APPLICATIONS.decode(after)  # a bad cursor fails this field, not the loader's whole batch
    viewer = await _viewer_row(ctx)
    if viewer is None:
        return Page(rows=[], has_next=False, ordering=APPLICATIONS, count_statement=None)
    everyone = viewer.id == gig.owner_id or viewer.role == UserRole.ADMIN
    key = GigPageKey(gig.id, limit, after, None if everyone else viewer.id)
    return await ctx.loaders.application_page_by_gig_id.load(key)


async def user_applications(
    ctx: Context, *, user_id: uuid.UUID, first: int | None, after: str | None
) -> Page | None:
    """A freelancer's applications, newest first; `None` unless the viewer is them or an admin."""
    viewer = await _viewer_row(ctx)
    if viewer is None or not (viewer.id == user_id or viewer.role == UserRole.ADMIN):
        return None
    statement = select(*APPLICATION_COLUMNS).where(Application.freelancer_id == user_id)
    return await paginate(ctx.session, statement, APPLICATIONS, first=first, after=after)


async def gig_pages(session: AsyncSession, keys: Sequence[GigPageKey]) -> list[Page]:
    """Load a page per key with one query per distinct (size, cursor, applicant), not per gig."""
    groups: dict[tuple[int, str | None, uuid.UUID | None], list[uuid.UUID]] = defaultdict(list)
    for key in keys:
        groups[key.first, key.after, key.freelancer_id].append(key.gig_id)
    pages: dict[GigPageKey, Page] = {}
    for (first, after, freelancer_id), gig_ids in groups.items():
        statement = select(*APPLICATION_COLUMNS)
        if freelancer_id is not None:
            statement = statement.where(Application.freelancer_id == freelancer_id)
        found = await paginate_each(
            session,
            statement,
            APPLICATIONS,
            partition=Application.gig_id,
            keys=gig_ids,
            first=first,
            after=after,
        )
        pages.update(
            (GigPageKey(gig_id, first, after, freelancer_id), page)
            for gig_id, page in zip(gig_ids, found, strict=True)
        )
    return [pages[key] for key in keys]


async def _viewer_row(ctx: Context) -> Any | None:
    """The viewer as a loader row: the fields of a whole list ask at once, the loader once."""
    if ctx.viewer_id is None or ctx.auth_error is not None:
        return await ctx.viewer()  # `None` when anonymous; raises for a bad token
    user = await ctx.loaders.user_by_id.load(ctx.viewer_id)
    if user is None or user.deactivated_at is not None:
        raise NotAuthenticated("This account no longer exists")
    return user


def _may_see(viewer: User, freelancer_id: uuid.UUID, owner_id: uuid.UUID) -> bool:
    return viewer.id in (freelancer_id, owner_id) or viewer.is_admin


async def _locked_visible(
    ctx: Context, viewer: User, application_id: uuid.UUID
) -> tuple[Application, uuid.UUID]:
    """The application, locked, and its gig's owner; `NOT_FOUND` if the viewer may not see it."""
    row = (
        await ctx.session.execute(
            select(Application, Gig.owner_id)
            .join(Gig, Gig.id == Application.gig_id)
            .where(Application.id == application_id)
            .with_for_update(of=Application)
        )
    ).one_or_none()
    if row is None or not _may_see(viewer, row[0].freelancer_id, row[1]):
        raise NotFound("No such application", field="applicationId")
    return row[0], row[1]


def _decide(application: Application, status: ApplicationStatus) -> None:
    if application.status is not ApplicationStatus.PENDING:
        raise InvalidTransition(
            f"this application is already {application.status.value}", field="applicationId"
        )
    application.status = status
    application.decided_at = utcnow()


def _check_open(gig: Gig, viewer: User) -> None:
    """Refuse a gig that is the viewer's own, not a REQUEST, or not taking applications."""
    if gig.owner_id == viewer.id:
        raise ValidationFailed(
            "you cannot apply to your own gig", code=ErrorCode.OWN_GIG, field="gigId"
        )
    if gig.kind is not GigKind.REQUEST:
        raise ValidationFailed("only a REQUEST gig takes applications", field="gigId")
    if gig.status is not GigStatus.ACTIVE:
        raise ValidationFailed(
            "this gig is not taking applications", code=ErrorCode.GIG_NOT_ACTIVE, field="gigId"
        )
    if gig.deadline is not None and gig.deadline <= utcnow():
        raise ValidationFailed(
            "this gig's deadline has passed", code=ErrorCode.GIG_NOT_ACTIVE, field="gigId"
        )


async def _pending_exists(ctx: Context, *, gig_id: uuid.UUID, freelancer_id: uuid.UUID) -> bool:
    found = await ctx.session.scalar(
        select(Application.id).where(
            Application.gig_id == gig_id,
            Application.freelancer_id == freelancer_id,
            Application.status == ApplicationStatus.PENDING,
        )
    )
    return found is not None


def _already_applied() -> Conflict:
    return Conflict(
        "you already have a pending application to this gig",
        code=ErrorCode.ALREADY_APPLIED,
        field="gigId",
    )


def _price(price: Decimal) -> int:
    if price.is_finite() and price < 0:
        raise ValidationFailed("price cannot be negative", field="price")
    return to_minor(price, field="price")


def _delivery_days(days: int) -> int:
    if not DELIVERY_DAYS_MIN <= days <= DELIVERY_DAYS_MAX:
        raise ValidationFailed(
            f"deliveryDays must be between {DELIVERY_DAYS_MIN} and {DELIVERY_DAYS_MAX}",
            code=ErrorCode.OUT_OF_RANGE,
            field="deliveryDays",
        )
    return days

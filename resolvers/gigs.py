"""Gigs: create and edit them, move them through their states, and find them."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from models.catalog import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    Category,
    Gig,
    GigImage,
    GigKind,
    GigPackage,
    GigStatus,
)
from models.errors import ErrorCode, Forbidden, NotFound, ValidationFailed
from models.file import FilePurpose
from models.gig_rules import (
    ADMIN,
    OWNER,
    PACKAGE_DESCRIPTION_MAX,
    PACKAGE_TITLE_MAX,
    PackageSpec,
    check_gig_transition,
    check_packages,
    clean_tags,
    price_range,
    slugify,
    unique_slug,
)
from models.money import to_minor
from models.types import utcnow
from models.user import User, UserRole
from models.validation import clean_text
from resolvers.context import Context
from resolvers.files import claim_ready_files

UNSET: Any = object()
SLUG_MAX = 100
MAX_IMAGES = 10


@dataclass(frozen=True, slots=True)
class PackageInput:
    tier: Any
    price: Decimal
    delivery_days: int
    revisions: int = 0
    title: str | None = None
    description: str | None = None


@dataclass(slots=True)
class GigChanges:
    """What a client sent to create or update a gig; `UNSET` fields stay as they are."""

    title: Any = UNSET
    description: Any = UNSET
    category: Any = UNSET
    tags: Any = UNSET
    packages: Any = UNSET
    budget: Any = UNSET
    deadline: Any = UNSET
    slug: Any = UNSET
    image_ids: Any = UNSET


async def create_gig(ctx: Context, *, kind: GigKind, changes: GigChanges) -> Gig:
    """Create a gig as a draft: a SERVICE by a freelancer, a REQUEST by a client."""
    viewer = await ctx.require_viewer()
    needed = UserRole.FREELANCER if kind is GigKind.SERVICE else UserRole.CLIENT
    if viewer.role is not needed:
        raise ValidationFailed(
            f"only a {needed.value.lower()} can post a {kind.value} gig",
            code=ErrorCode.NOT_ALLOWED,
            field="kind",
        )
    for name in ("title", "description", "category"):
        if getattr(changes, name) is UNSET:
            raise ValidationFailed(f"{name} is required", code=ErrorCode.REQUIRED, field=name)
    now = utcnow()
    gig = Gig(
        owner_id=viewer.id,
        kind=kind,
        slug="",
        title="",
        description="",
        category_id=uuid.uuid4(),
        min_price=0,
        max_price=0,
        listed_at=now,
    )
    if kind is GigKind.SERVICE and changes.packages is UNSET:
        changes.packages = []
    if kind is GigKind.REQUEST:
        changes.budget = None if changes.budget is UNSET else changes.budget
        changes.deadline = None if changes.deadline is UNSET else changes.deadline
    packages = await _apply(ctx, gig, changes)
    images = await _images(ctx, changes)
    if changes.slug is UNSET:
        gig.slug = await _free_slug(ctx, gig.title)
    ctx.session.add(gig)
    await ctx.session.flush()
    ctx.session.add_all(_package_rows(gig, packages))
    ctx.session.add_all(_image_rows(gig, images or []))
    await _commit(ctx)
    return gig


async def update_gig(ctx: Context, *, gig_id: uuid.UUID, changes: GigChanges) -> Gig:
    """Edit a gig the viewer owns; its slug stays, so links to it keep working."""
    gig = await _owned_gig(ctx, gig_id)
    if gig.status is GigStatus.ARCHIVED:
        raise ValidationFailed(
            "an archived gig cannot be edited", code=ErrorCode.INVALID_TRANSITION
        )
    packages = await _apply(ctx, gig, changes)
    images = await _images(ctx, changes)
    if packages is not None:
        await ctx.session.execute(delete(GigPackage).where(GigPackage.gig_id == gig.id))
        ctx.session.add_all(_package_rows(gig, packages))
    if images is not None:
        await ctx.session.execute(delete(GigImage).where(GigImage.gig_id == gig.id))
        ctx.session.add_all(_image_rows(gig, images))
    await _commit(ctx)
    return gig


async def change_status(ctx: Context, *, gig_id: uuid.UUID, status: GigStatus) -> Gig:
    """Publish, pause or archive a gig, as the transition table allows."""
    viewer = await ctx.require_viewer()
    gig = await _locked_gig(ctx, gig_id)
    if gig is None or not _may_see(viewer, gig):
        raise NotFound("No such gig", field="gigId")
    roles = {OWNER} if gig.owner_id == viewer.id else set()
    if viewer.is_admin:
        roles.add(ADMIN)
    if not roles:
        raise Forbidden("Only the gig's owner may do this")
    check_gig_transition(gig.status, status, roles=roles)
    if status is GigStatus.ACTIVE and gig.published_at is None:
        gig.published_at = gig.listed_at = utcnow()
    gig.status = status
    await ctx.commit()
    return gig


async def visible_gig(
    ctx: Context, *, gig_id: uuid.UUID | None = None, slug: str | None = None
) -> Gig | None:
    """A gig by id or slug: ACTIVE ones for everyone, the rest for the owner and admins."""
    if (gig_id is None) == (slug is None):
        raise ValidationFailed("give exactly one of id and slug", field="id")
    condition = Gig.id == gig_id if gig_id is not None else Gig.slug == slug
    gig = await ctx.session.scalar(select(Gig).where(condition))
    if gig is None:
        return None
    return gig if _may_see(await ctx.viewer(), gig) else None


def _may_see(viewer: User | None, gig: Gig) -> bool:
    if gig.status is GigStatus.ACTIVE:
        return True
    return viewer is not None and (viewer.id == gig.owner_id or viewer.is_admin)


async def _owned_gig(ctx: Context, gig_id: uuid.UUID) -> Gig:
    viewer = await ctx.require_viewer()
    gig = await _locked_gig(ctx, gig_id)
    if gig is None or not _may_see(viewer, gig):
        raise NotFound("No such gig", field="gigId")
    if gig.owner_id != viewer.id:
        raise Forbidden("Only the gig's owner may edit it")
    return gig


async def _locked_gig(ctx: Context, gig_id: uuid.UUID) -> Gig | None:
    return await ctx.session.scalar(select(Gig).where(Gig.id == gig_id).with_for_update())


async def _apply(ctx: Context, gig: Gig, changes: GigChanges) -> list[PackageSpec] | None:
    """Validate `changes` and set them on `gig`; return the new packages, if they change."""
    if changes.title is not UNSET:
        gig.title = clean_text(changes.title, field="title", max_length=TITLE_MAX, min_length=5)
    if changes.slug is not UNSET:
        gig.slug = await _requested_slug(ctx, changes.slug, gig)
    if changes.description is not UNSET:
        gig.description = clean_text(
            changes.description, field="description", max_length=DESCRIPTION_MAX, min_length=20
        )
    if changes.category is not UNSET:
        gig.category_id = await _category_id(ctx, changes.category)
    if changes.tags is not UNSET:
        gig.tags = clean_tags(changes.tags or [])
    packages = None
    if gig.kind is GigKind.SERVICE:
        if changes.budget not in (UNSET, None) or changes.deadline not in (UNSET, None):
            raise ValidationFailed(
                "a SERVICE gig is sold in packages, not for a budget", field="budget"
            )
        if changes.packages is not UNSET:
            packages = [_package_spec(p, i) for i, p in enumerate(changes.packages or [])]
            check_packages(gig.kind, packages)
            gig.min_price, gig.max_price = price_range(gig.kind, packages, None)
    else:
        if changes.packages not in (UNSET, None) and changes.packages:
            check_packages(gig.kind, [_package_spec(p, i) for i, p in enumerate(changes.packages)])
        if changes.budget is not UNSET:
            if changes.budget is None:
                raise ValidationFailed(
                    "a REQUEST gig needs a budget", code=ErrorCode.REQUIRED, field="budget"
                )
            gig.budget = to_minor(changes.budget, field="budget")
            gig.min_price, gig.max_price = price_range(gig.kind, [], gig.budget)
        if changes.deadline is not UNSET:
            gig.deadline = _deadline(changes.deadline)
    return packages


def _deadline(value: datetime | None) -> datetime:
    if value is None:
        raise ValidationFailed(
            "a REQUEST gig needs a deadline", code=ErrorCode.REQUIRED, field="deadline"
        )
    if value.tzinfo is None:
        raise ValidationFailed("deadline needs a time zone", field="deadline")
    if value <= utcnow():
        raise ValidationFailed(
            "deadline must be in the future", code=ErrorCode.OUT_OF_RANGE, field="deadline"
        )
    return value


def _package_spec(package: PackageInput, index: int) -> PackageSpec:
    tier = package.tier
    return PackageSpec(
        tier=tier,
        title=clean_text(
            package.title, field=f"packages.{index}.title", max_length=PACKAGE_TITLE_MAX
        )
        or tier.value.title(),
        description=clean_text(
            package.description,
            field=f"packages.{index}.description",
            max_length=PACKAGE_DESCRIPTION_MAX,
        )
        or "",
        price=to_minor(package.price, field=f"packages.{index}.price"),
        delivery_days=package.delivery_days,
        revisions=package.revisions,
    )


async def _images(ctx: Context, changes: GigChanges) -> list[uuid.UUID] | None:
    """The files to show on the gig, in order, if the change sets them."""
    if changes.image_ids is UNSET:
        return None
    if len(changes.image_ids) > MAX_IMAGES:
        raise ValidationFailed(
            f"at most {MAX_IMAGES} images", code=ErrorCode.OUT_OF_RANGE, field="imageIds"
        )
    files = await claim_ready_files(
        ctx, file_ids=changes.image_ids, purpose=FilePurpose.GIG_IMAGE, field="imageIds"
    )
    return [file.id for file in files]


def _image_rows(gig: Gig, file_ids: list[uuid.UUID]) -> list[GigImage]:
    return [
        GigImage(gig_id=gig.id, file_id=file_id, position=position)
        for position, file_id in enumerate(file_ids)
    ]


def _package_rows(gig: Gig, packages: list[PackageSpec] | None) -> list[GigPackage]:
    return [
        GigPackage(
            gig_id=gig.id,
            tier=p.tier,
            title=p.title,
            description=p.description,
            price=p.price,
            currency=gig.currency,
            delivery_days=p.delivery_days,
            revisions=p.revisions,
        )
        for p in packages or []
    ]


async def _category_id(ctx: Context, slug: str) -> uuid.UUID:
    category_id = await ctx.session.scalar(select(Category.id).where(Category.slug == slug))
    if category_id is None:
        raise ValidationFailed("no such category", code=ErrorCode.NOT_FOUND, field="category")
    return category_id


async def _requested_slug(ctx: Context, requested: str | None, gig: Gig) -> str:
    slug = slugify(requested or "", max_length=SLUG_MAX)
    if not requested or slug != requested.strip().lower():
        raise ValidationFailed(
            "a slug is lower-case letters, digits and dashes", code=ErrorCode.INVALID, field="slug"
        )
    taken = await ctx.session.scalar(select(Gig.id).where(Gig.slug == slug, Gig.id != gig.id))
    if taken is not None:
        raise ValidationFailed("this slug is taken", code=ErrorCode.DUPLICATE, field="slug")
    return slug


async def _free_slug(ctx: Context, title: str) -> str:
    """The title's slug if free, else with a random suffix: readable and collision-safe."""
    candidates = [slugify(title, max_length=SLUG_MAX - 7)]
    candidates += [unique_slug(title, max_length=SLUG_MAX - 7) for _ in range(3)]
    taken = set(await ctx.session.scalars(select(Gig.slug).where(Gig.slug.in_(candidates))))
    return next(slug for slug in candidates if slug not in taken)


async def _commit(ctx: Context) -> None:
    """Commit; a slug taken by a concurrent writer after our check is a DUPLICATE."""
    try:
        await ctx.commit()
    except IntegrityError as error:
        if "slug" not in str(error.orig).lower():
            raise
        await ctx.rollback()
        raise ValidationFailed(
            "this slug is taken", code=ErrorCode.DUPLICATE, field="slug"
        ) from None

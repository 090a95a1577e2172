"""Rules of the catalogue: who may move a gig between states, slugs, tags and packages."""

import re
import secrets
import unicodedata
from dataclasses import dataclass

from models.catalog import GigKind, GigStatus, PackageTier
from models.errors import ErrorCode, InvalidTransition, ValidationFailed

MAX_TAGS = 10
TAG_MAX = 30
MAX_PACKAGES = 3
DELIVERY_DAYS_MAX = 90
REVISIONS_MAX = 20
PACKAGE_TITLE_MAX = 80
PACKAGE_DESCRIPTION_MAX = 1000

OWNER = "owner"
ADMIN = "admin"

# (from, to) -> who may make the move. The table is the documentation.
GIG_TRANSITIONS: dict[tuple[GigStatus, GigStatus], frozenset[str]] = {
    (GigStatus.DRAFT, GigStatus.ACTIVE): frozenset({OWNER}),
    (GigStatus.ACTIVE, GigStatus.PAUSED): frozenset({OWNER}),
    (GigStatus.PAUSED, GigStatus.ACTIVE): frozenset({OWNER}),
    (GigStatus.DRAFT, GigStatus.ARCHIVED): frozenset({OWNER, ADMIN}),
    (GigStatus.ACTIVE, GigStatus.ARCHIVED): frozenset({OWNER, ADMIN}),
    (GigStatus.PAUSED, GigStatus.ARCHIVED): frozenset({OWNER, ADMIN}),
}


def check_gig_transition(current: GigStatus, target: GigStatus, *, roles: set[str]) -> None:
    """Raise `InvalidTransition` unless one of `roles` may move a gig from `current` to `target`."""
    allowed = GIG_TRANSITIONS.get((current, target))
    if allowed is None:
        raise InvalidTransition(f"A {current.value} gig cannot become {target.value}")
    if not allowed & roles:
        raise InvalidTransition(f"Only {' or '.join(sorted(allowed))} may do this")


def slugify(title: str, *, max_length: int = 100) -> str:
    """A lower-case ASCII slug of a title, never empty."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "gig"


def unique_slug(title: str, *, max_length: int = 100) -> str:
    """The title's slug with a random suffix, for when the plain one is taken."""
    return f"{slugify(title, max_length=max_length)}-{secrets.token_hex(3)}"


def clean_tags(tags: list[str]) -> list[str]:
    """Lower-case, trimmed, de-duplicated tags, in the order given."""
    cleaned: list[str] = []
    for index, tag in enumerate(tags):
        value = " ".join(tag.lower().split())
        if not value:
            continue
        if len(value) > TAG_MAX:
            raise ValidationFailed(
                f"a tag must be at most {TAG_MAX} characters",
                code=ErrorCode.TOO_LONG,
                field=f"tags.{index}",
            )
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > MAX_TAGS:
        raise ValidationFailed(
            f"at most {MAX_TAGS} tags", code=ErrorCode.OUT_OF_RANGE, field="tags"
        )
    return cleaned


@dataclass(frozen=True, slots=True)
class PackageSpec:
    tier: PackageTier
    title: str
    description: str
    price: int
    delivery_days: int
    revisions: int


def check_packages(kind: GigKind, packages: list[PackageSpec]) -> None:
    """A SERVICE sells one to three packages, one per tier; a REQUEST has none."""
    if kind is GigKind.REQUEST:
        if packages:
            raise ValidationFailed("a REQUEST gig has a budget, not packages", field="packages")
        return
    if not packages:
        raise ValidationFailed(
            "a SERVICE gig needs at least one package", code=ErrorCode.REQUIRED, field="packages"
        )
    if len(packages) > MAX_PACKAGES:
        raise ValidationFailed(
            f"at most {MAX_PACKAGES} packages", code=ErrorCode.OUT_OF_RANGE, field="packages"
        )
    tiers = [package.tier for package in packages]
    if len(set(tiers)) != len(tiers):
        raise ValidationFailed(
            "each tier may be used once", code=ErrorCode.DUPLICATE, field="packages"
        )
    for index, package in enumerate(packages):
        if not 1 <= package.delivery_days <= DELIVERY_DAYS_MAX:
            raise ValidationFailed(
                f"delivery days must be between 1 and {DELIVERY_DAYS_MAX}",
                code=ErrorCode.OUT_OF_RANGE,
                field=f"packages.{index}.deliveryDays",
            )
        if not 0 <= package.revisions <= REVISIONS_MAX:
            raise ValidationFailed(
                f"revisions must be between 0 and {REVISIONS_MAX}",
                code=ErrorCode.OUT_OF_RANGE,
                field=f"packages.{index}.revisions",
            )


def price_range(kind: GigKind, packages: list[PackageSpec], budget: int | None) -> tuple[int, int]:
    """The (min, max) price the feed sorts and filters on."""
    if kind is GigKind.REQUEST:
        assert budget is not None
        return budget, budget
    prices = [package.price for package in packages]
    return min(prices), max(prices)

"""The catalogue: categories, skills, gigs (services and requests), applications to them."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field

from models.base import Entity
from models.types import StrEnum, UTCDateTime, utcnow

TITLE_MAX = 120
DESCRIPTION_MAX = 10_000
COVER_LETTER_MAX = 5000


class Category(Entity, table=True):
    __tablename__ = "category"

    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=100)
    # RESTRICT: removing a parent must be a decision about its children, not a side effect.
    parent_id: uuid.UUID | None = Field(
        default=None, foreign_key="category.id", index=True, ondelete="RESTRICT"
    )
    position: int = Field(default=0)


class Skill(Entity, table=True):
    __tablename__ = "skill"

    name: str = Field(max_length=64)
    slug: str = Field(max_length=64, unique=True)


class SkillLevel(enum.StrEnum):
    BEGINNER = "BEGINNER"
    INTERMEDIATE = "INTERMEDIATE"
    EXPERT = "EXPERT"


class UserSkill(Entity, table=True):
    __tablename__ = "user_skill"
    __table_args__ = (UniqueConstraint("user_id", "skill_id"),)

    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE")
    skill_id: uuid.UUID = Field(foreign_key="skill.id", index=True, ondelete="CASCADE")
    level: SkillLevel = Field(sa_type=StrEnum(SkillLevel))


class GigKind(enum.StrEnum):
    SERVICE = "SERVICE"
    REQUEST = "REQUEST"


class GigStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    ARCHIVED = "ARCHIVED"


class Gig(Entity, table=True):
    """A SERVICE a freelancer sells in packages, or a REQUEST a client posts for applications."""

    __tablename__ = "gig"
    __table_args__ = (
        Index("ix_gig_status_listed_at", "status", "listed_at"),
        Index("ix_gig_status_min_price", "status", "min_price"),
        Index("ix_gig_category_id_status", "category_id", "status"),
    )

    # The freelancer of a SERVICE, the client of a REQUEST; RESTRICT, as gigs are archived.
    owner_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="RESTRICT")
    kind: GigKind = Field(sa_type=StrEnum(GigKind))
    status: GigStatus = Field(default=GigStatus.DRAFT, sa_type=StrEnum(GigStatus))
    slug: str = Field(max_length=140, unique=True)
    title: str = Field(max_length=TITLE_MAX)
    description: str = Field(max_length=DESCRIPTION_MAX)
    category_id: uuid.UUID = Field(foreign_key="category.id", ondelete="RESTRICT")
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    # Denormalized from the packages (or the budget), so the feed sorts and filters on one table.
    min_price: int = Field(sa_type=BigInteger, ge=0)
    max_price: int = Field(sa_type=BigInteger, ge=0)
    currency: str = Field(default="USD", max_length=3)
    budget: int | None = Field(default=None, sa_type=BigInteger)
    deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rating_sum: int = Field(default=0, ge=0)
    rating_count: int = Field(default=0, ge=0)
    order_count: int = Field(default=0, ge=0)
    view_count: int = Field(default=0, ge=0, sa_type=BigInteger)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # NEWEST sorts on this: the first publication, or the creation for a draft. Never null, so
    # keyset cursors compare plainly and (status, listed_at) serves the feed from an index.
    listed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # PostgreSQL alone also has `search_vector`, a generated tsvector with a GIN index, made by
    # migration and left out of the models (see migrations/env.py).


class PackageTier(enum.StrEnum):
    BASIC = "BASIC"
    STANDARD = "STANDARD"
    PREMIUM = "PREMIUM"


class GigPackage(Entity, table=True):
    __tablename__ = "gig_package"
    __table_args__ = (
        UniqueConstraint("gig_id", "tier"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("delivery_days > 0", name="delivery_days_positive"),
        CheckConstraint("revisions >= 0", name="revisions_not_negative"),
    )

    gig_id: uuid.UUID = Field(foreign_key="gig.id", ondelete="CASCADE")
    tier: PackageTier = Field(sa_type=StrEnum(PackageTier))
    title: str = Field(max_length=80)
    description: str = Field(default="", max_length=1000)
    price: int = Field(sa_type=BigInteger, ge=0)
    currency: str = Field(default="USD", max_length=3)
    delivery_days: int = Field(gt=0)
    revisions: int = Field(default=0, ge=0)


class GigImage(Entity, table=True):
    __tablename__ = "gig_image"
    __table_args__ = (UniqueConstraint("gig_id", "file_id"),)

    gig_id: uuid.UUID = Field(foreign_key="gig.id", ondelete="CASCADE")
    file_id: uuid.UUID = Field(foreign_key="stored_file.id", index=True, ondelete="CASCADE")
    # Not unique: reordering would otherwise need deferred constraints.
    position: int = Field(default=0)


class Favorite(Entity, table=True):
    __tablename__ = "favorite"
    __table_args__ = (UniqueConstraint("user_id", "gig_id"),)

    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE")
    gig_id: uuid.UUID = Field(foreign_key="gig.id", index=True, ondelete="CASCADE")


class ApplicationStatus(enum.StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    WITHDRAWN = "WITHDRAWN"


_PENDING = text("status = 'PENDING'")


class Application(Entity, table=True):
    """A freelancer's offer on a REQUEST gig; accepting it creates the order."""

    __tablename__ = "application"
    __table_args__ = (
        Index("ix_application_gig_id_status", "gig_id", "status"),
        # One live application per freelancer and gig; decided ones stay as history.
        Index(
            "uq_application_gig_id_freelancer_id_pending",
            "gig_id",
            "freelancer_id",
            unique=True,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        ),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("delivery_days > 0", name="delivery_days_positive"),
    )

    gig_id: uuid.UUID = Field(foreign_key="gig.id", ondelete="CASCADE")
    freelancer_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    cover_letter: str = Field(max_length=COVER_LETTER_MAX)
    price: int = Field(sa_type=BigInteger, ge=0)
    currency: str = Field(default="USD", max_length=3)
    delivery_days: int = Field(gt=0)
    status: ApplicationStatus = Field(
        default=ApplicationStatus.PENDING, sa_type=StrEnum(ApplicationStatus)
    )
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

"""Catalogue types: `Gig`, `Package`, `Category`, and the profile fields users get from it."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models import catalog as m
from models.review import BadgeKind as BadgeKindModel
from resolvers.context import Context
from schema.executor import ignores_info
from schema.money import Money, money
from schema.node import Node, register_node
from schema.relay import encode_id

GigKind = strawberry.enum(m.GigKind, name="GigKind")
GigStatus = strawberry.enum(m.GigStatus, name="GigStatus")
PackageTier = strawberry.enum(m.PackageTier, name="PackageTier")
SkillLevel = strawberry.enum(m.SkillLevel, name="SkillLevel")
BadgeKind = strawberry.enum(BadgeKindModel, name="BadgeKind")


class RowBacked:
    """Types filled from rows or entities alike; `node` casts what it returns, so no check."""

    @classmethod
    @ignores_info
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return True


@strawberry.type(description="One of a SERVICE gig's offers: what you get, how fast, for how much.")
class Package(RowBacked):
    tier: PackageTier
    title: str
    description: str
    delivery_days: int
    revisions: int

    @strawberry.field
    @staticmethod
    def price(root: Any) -> Money:
        return money(root.price, root.currency)


@strawberry.type(description="A skill on a profile, with the level its owner claims.")
class UserSkill(RowBacked):
    name: str
    slug: str
    level: SkillLevel


@strawberry.type(description="A badge a user earned, and when.")
class Badge(RowBacked):
    badge: BadgeKind
    awarded_at: datetime


@strawberry.type(name="Category")
class Category(Node, RowBacked):
    slug: str
    name: str
    position: int

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("Category", root.id)

    @strawberry.field(description="Number of ACTIVE gigs in this category itself.")
    @staticmethod
    def gig_count(root: Any, info: Info[Context, None]) -> int:
        return info.context.loaders.active_gig_count_by_category_id.now(root.id)  # type: ignore[return-value]

    @strawberry.field
    @staticmethod
    def parent(root: Any, info: Info[Context, None]) -> "Category | None":
        if root.parent_id is None:
            return None
        return info.context.loaders.category_by_id.now(root.parent_id)  # type: ignore[return-value]


register_node(Category, m.Category, lambda ctx, key: ctx.session.get(m.Category, key))

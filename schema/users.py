"""The `User` type, `viewer` and `user(id:)`."""

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from models import user as m
from resolvers import users
from resolvers.context import Context
from schema.node import Node
from schema.relay import decode_id, encode_id

UserRole = strawberry.enum(m.UserRole, name="UserRole")


@strawberry.type(name="User", description="A client, a freelancer or an admin.")
class User(Node):
    name: str
    headline: str | None
    bio: str | None
    location: str | None
    role: UserRole

    @classmethod
    def is_type_of(cls, obj: object, _info: object) -> bool:
        return isinstance(obj, m.User)

    @strawberry.field
    @staticmethod
    def id(root: m.User) -> strawberry.ID:
        return encode_id("User", root.id)

    @strawberry.field(description="When the account was created.")
    @staticmethod
    def member_since(root: m.User) -> datetime:
        return root.created_at

    @strawberry.field(description="Average rating, 1 to 5, or null before the first review.")
    @staticmethod
    def rating(root: m.User) -> float | None:
        return round(root.rating_sum / root.rating_count, 2) if root.rating_count else None

    @strawberry.field
    @staticmethod
    def review_count(root: m.User) -> int:
        return root.rating_count

    @strawberry.field
    @staticmethod
    def completed_orders(root: m.User) -> int:
        return root.completed_orders

    @strawberry.field(description="Private: the user themself and admins only.")
    @staticmethod
    async def email(root: m.User, info: Info[Context, None]) -> str | None:
        return root.email if await users.may_see_private_fields(info.context, root) else None

    @strawberry.field(description="Private: the verified phone number.")
    @staticmethod
    async def phone(root: m.User, info: Info[Context, None]) -> str | None:
        return root.phone if await users.may_see_private_fields(info.context, root) else None

    @strawberry.field(description="Private.")
    @staticmethod
    async def email_verified(root: m.User, info: Info[Context, None]) -> bool | None:
        if not await users.may_see_private_fields(info.context, root):
            return None
        return root.email_verified

    @strawberry.field(description="Private.")
    @staticmethod
    async def phone_verified(root: m.User, info: Info[Context, None]) -> bool | None:
        if not await users.may_see_private_fields(info.context, root):
            return None
        return root.phone_verified


@strawberry.type
class UserQueries:
    @strawberry.field(description="The signed-in user; null when anonymous.")
    async def viewer(self, info: Info[Context, None]) -> User | None:
        return await info.context.viewer()

    @strawberry.field(description="A public profile.")
    async def user(
        self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument()]
    ) -> User | None:
        decoded = decode_id(id, expected="User")
        if decoded is None:
            return None
        return await users.visible_user(info.context, user_id=decoded[1])

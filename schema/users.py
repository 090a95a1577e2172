"""The `User` type, `viewer` and `user(id:)`."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from models import user as m
from models.reputation import average_rating
from resolvers import catalog, users
from resolvers.context import Context
from schema.catalog import Badge, RowBacked, UserSkill
from schema.node import Node, register_node
from schema.relay import decode_id, encode_id

if TYPE_CHECKING:
    from schema.applications import ApplicationConnection
    from schema.files import File
    from schema.gigs import GigConnection
    from schema.notifications import NotificationPreference
    from schema.reviews import ReviewConnection
    from schema.wallet import Wallet

UserRole = strawberry.enum(m.UserRole, name="UserRole")


@strawberry.type(name="User", description="A client, a freelancer or an admin.")
class User(Node, RowBacked):
    name: str
    headline: str | None
    bio: str | None
    location: str | None
    role: UserRole

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("User", root.id)

    @strawberry.field(description="When the account was created.")
    @staticmethod
    def member_since(root: Any) -> datetime:
        return root.created_at

    @strawberry.field(description="Average rating, 1 to 5, or null before the first review.")
    @staticmethod
    def rating(root: Any) -> float | None:
        return average_rating(root.rating_sum, root.rating_count)

    @strawberry.field
    @staticmethod
    def review_count(root: Any) -> int:
        return root.rating_count

    @strawberry.field
    @staticmethod
    def completed_orders(root: Any) -> int:
        return root.completed_orders

    @strawberry.field(description="Skills with the level claimed, by name.")
    @staticmethod
    def skills(root: Any, info: Info[Context, None]) -> list[UserSkill]:
        return info.context.loaders.skills_by_user_id.now(root.id)  # type: ignore[return-value]

    @strawberry.field(description="The profile picture, if one was set.")
    @staticmethod
    def avatar(
        root: Any, info: Info[Context, None]
    ) -> Annotated["File", strawberry.lazy("schema.files")] | None:
        if root.avatar_file_id is None:
            return None
        return info.context.loaders.file_by_id.now(root.avatar_file_id)  # type: ignore[return-value]

    @strawberry.field(description="Badges earned, oldest first.")
    @staticmethod
    def badges(root: Any, info: Info[Context, None]) -> list[Badge]:
        return info.context.loaders.badges_by_user_id.now(root.id)  # type: ignore[return-value]

    @strawberry.field(description="The user's ACTIVE gigs, newest first.")
    @staticmethod
    async def gigs(
        root: Any, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Annotated["GigConnection", strawberry.lazy("schema.gigs")]:
        from schema.gigs import GigConnection

        page = await info.context.loaders.active_gig_page_by_owner_id.load((root.id, first, after))
        return GigConnection(_page=page, _after=after)

    @strawberry.field(description="Private: the gigs this user saved, most recent first.")
    @staticmethod
    async def favorites(
        root: Any, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Annotated["GigConnection", strawberry.lazy("schema.gigs")] | None:
        if not await users.may_see_private_fields(info.context, root):
            return None
        from schema.gigs import GigConnection

        page = await catalog.favorites(info.context, user_id=root.id, first=first, after=after)
        return GigConnection(_page=page, _after=after)

    @strawberry.field(
        description="Private: the applications this freelancer sent, most recent first."
    )
    @staticmethod
    async def applications(
        root: Any, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Annotated["ApplicationConnection", strawberry.lazy("schema.applications")] | None:
        from schema.applications import user_applications

        return await user_applications(info.context, root, first=first, after=after)

    @strawberry.field(description="Published reviews of this user, newest first.")
    @staticmethod
    async def reviews(
        root: Any, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Annotated["ReviewConnection", strawberry.lazy("schema.reviews")]:
        from schema.reviews import user_reviews

        return await user_reviews(info.context, root, first=first, after=after)

    @strawberry.field(description="Private: the user's unread notifications, for themself only.")
    @staticmethod
    async def unread_notification_count(root: Any, info: Info[Context, None]) -> int | None:
        from schema.notifications import unread_count

        return await unread_count(info.context, root)

    @strawberry.field(description="Private: which notifications also come by email.")
    @staticmethod
    async def notification_preferences(
        root: Any, info: Info[Context, None]
    ) -> list[Annotated["NotificationPreference", strawberry.lazy("schema.notifications")]] | None:
        from schema.notifications import email_preferences

        return await email_preferences(info.context, root)  # type: ignore[return-value]

    @strawberry.field(description="Private: the user themself and admins only.")
    @staticmethod
    async def email(root: Any, info: Info[Context, None]) -> str | None:
        return root.email if await users.may_see_private_fields(info.context, root) else None

    @strawberry.field(description="Private: the verified phone number.")
    @staticmethod
    async def phone(root: Any, info: Info[Context, None]) -> str | None:
        return root.phone if await users.may_see_private_fields(info.context, root) else None

    @strawberry.field(description="Private.")
    @staticmethod
    async def email_verified(root: Any, info: Info[Context, None]) -> bool | None:
        if not await users.may_see_private_fields(info.context, root):
            return None
        return root.email_verified

    @strawberry.field(description="Private.")
    @staticmethod
    async def phone_verified(root: Any, info: Info[Context, None]) -> bool | None:
        if not await users.may_see_private_fields(info.context, root):
            return None
        return root.phone_verified

    @strawberry.field(description="Private: money earned, and money escrow holds for sales.")
    @staticmethod
    async def wallet(
        root: Any, info: Info[Context, None]
    ) -> Annotated["Wallet", strawberry.lazy("schema.wallet")] | None:
        from schema.wallet import user_wallet

        return await user_wallet(info.context, root)


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


register_node(User, m.User, lambda ctx, key: users.user_entity(ctx, user_id=key))

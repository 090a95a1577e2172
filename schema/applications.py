"""Applications over GraphQL: the `Application` type, its connections, and its mutations."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from models import catalog as m
from resolvers import applications
from resolvers.context import Context
from schema.catalog import RowBacked
from schema.errors import UserError, attempt
from schema.gigs import Gig
from schema.ids import id_of
from schema.money import Money, money
from schema.node import Node, register_node
from schema.pagination import Connection
from schema.relay import encode_id
from schema.users import User

ApplicationStatus = strawberry.enum(m.ApplicationStatus, name="ApplicationStatus")


@strawberry.type(name="Application", description="A freelancer's offer on a REQUEST gig.")
class Application(Node, RowBacked):
    cover_letter: str
    delivery_days: int
    status: ApplicationStatus
    created_at: datetime
    decided_at: datetime | None = strawberry.field(
        description="When it was accepted, declined or withdrawn."
    )

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("Application", root.id)

    @strawberry.field
    @staticmethod
    def gig(root: Any, info: Info[Context, None]) -> Gig:
        return info.context.loaders.gig_by_id.load(root.gig_id)  # type: ignore[return-value]

    @strawberry.field(description="Who applied.")
    @staticmethod
    def freelancer(root: Any, info: Info[Context, None]) -> User:
        return info.context.loaders.user_by_id.load(root.freelancer_id)  # type: ignore[return-value]

    @strawberry.field(description="What the freelancer asks for the work.")
    @staticmethod
    def price(root: Any) -> Money:
        return money(root.price, root.currency)  # type: ignore[return-value]


@strawberry.type(name="ApplicationConnection")
class ApplicationConnection(Connection[Application]):
    pass


async def gig_applications(
    ctx: Context, gig: Any, *, first: int | None, after: str | None
) -> ApplicationConnection:
    """`Gig.applications`: declared on the gig type, resolved here."""
    page = await applications.gig_applications(ctx, gig=gig, first=first, after=after)
    return ApplicationConnection(_page=page, _after=after)


async def user_applications(
    ctx: Context, user: Any, *, first: int | None, after: str | None
) -> ApplicationConnection | None:
    """`User.applications`: declared on the user type, resolved here."""
    page = await applications.user_applications(ctx, user_id=user.id, first=first, after=after)
    return None if page is None else ApplicationConnection(_page=page, _after=after)


@strawberry.input
class ApplyToGigInput:
    gig_id: strawberry.ID
    cover_letter: str = strawberry.field(description="20 to 5000 characters.")
    price: Decimal = strawberry.field(description="What you ask for the work, such as 250.00.")
    delivery_days: int = strawberry.field(description="1 to 90.")


@strawberry.input
class ApplicationIdInput:
    application_id: strawberry.ID


@strawberry.type
class ApplicationPayload:
    application: Application | None
    errors: list[UserError]


def _payload(name: str) -> type[ApplicationPayload]:
    return strawberry.type(type(name, (ApplicationPayload,), {}), name=name)


ApplyToGigPayload = _payload("ApplyToGigPayload")
WithdrawApplicationPayload = _payload("WithdrawApplicationPayload")
DeclineApplicationPayload = _payload("DeclineApplicationPayload")


@strawberry.type
class ApplicationMutations:
    @strawberry.mutation(description="Apply to an ACTIVE REQUEST gig as a freelancer.")
    async def apply_to_gig(
        self, info: Info[Context, None], input: ApplyToGigInput
    ) -> ApplyToGigPayload:
        ctx = info.context

        async def call() -> Any:
            return await applications.apply_to_gig(
                ctx,
                gig_id=id_of(input.gig_id, "Gig", field="gigId"),
                cover_letter=input.cover_letter,
                price=input.price,
                delivery_days=input.delivery_days,
            )

        application, errors = await attempt(ctx, call())
        return ApplyToGigPayload(application=application, errors=errors)

    @strawberry.mutation(description="Withdraw your PENDING application.")
    async def withdraw_application(
        self, info: Info[Context, None], input: ApplicationIdInput
    ) -> WithdrawApplicationPayload:
        ctx = info.context
        application, errors = await _decide(
            ctx, input.application_id, applications.withdraw_application
        )
        return WithdrawApplicationPayload(application=application, errors=errors)

    @strawberry.mutation(description="Decline a PENDING application to your gig.")
    async def decline_application(
        self, info: Info[Context, None], input: ApplicationIdInput
    ) -> DeclineApplicationPayload:
        ctx = info.context
        application, errors = await _decide(
            ctx, input.application_id, applications.decline_application
        )
        return DeclineApplicationPayload(application=application, errors=errors)


async def _decide(ctx: Context, application_id: str, use_case: Any) -> tuple[Any, list[UserError]]:
    async def call() -> Any:
        key = id_of(application_id, "Application", field="applicationId")
        return await use_case(ctx, application_id=key)

    return await attempt(ctx, call())


register_node(
    Application,
    m.Application,
    lambda ctx, key: applications.visible_application(ctx, application_id=key),
)

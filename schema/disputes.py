"""Disputes over GraphQL: the `Dispute` type and the admins' `disputes` list."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models import order as m
from resolvers import disputes
from resolvers.context import Context
from schema.catalog import RowBacked
from schema.files import File
from schema.money import Money, money
from schema.node import Node, register_node
from schema.orders import Order
from schema.pagination import Connection
from schema.relay import encode_id
from schema.users import User

DisputeStatus = strawberry.enum(m.DisputeStatus, name="DisputeStatus")
DisputeOutcome = strawberry.enum(
    m.DisputeOutcome,
    name="DisputeOutcome",
    description="RELEASE the escrow to the seller, REFUND it to the buyer, or SPLIT the price.",
)


@strawberry.type(name="Dispute", description="An order taken to an admin; its escrow is frozen.")
class Dispute(Node, RowBacked):
    reason: str
    evidence: str
    status: DisputeStatus
    outcome: DisputeOutcome | None
    note: str | None = strawberry.field(description="The admin's note on the decision.")
    resolved_at: datetime | None
    created_at: datetime

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("Dispute", root.id)

    @strawberry.field
    @staticmethod
    def order(root: Any, info: Info[Context, None]) -> Order:
        return info.context.loaders.orders.order_by_id.load(root.order_id)  # type: ignore[return-value]

    @strawberry.field
    @staticmethod
    def opened_by(root: Any, info: Info[Context, None]) -> User:
        return info.context.loaders.user_by_id.load(root.opened_by_id)  # type: ignore[return-value]

    @strawberry.field(description="The admin who decided it.")
    @staticmethod
    def resolved_by(root: Any, info: Info[Context, None]) -> User | None:
        if root.resolved_by_id is None:
            return None
        return info.context.loaders.user_by_id.load(root.resolved_by_id)  # type: ignore[return-value]

    @strawberry.field(description="What the seller was given of the price, once decided.")
    @staticmethod
    async def seller_share(root: Any, info: Info[Context, None]) -> Money | None:
        if root.seller_share_minor is None:
            return None
        order = await info.context.loaders.orders.order_by_id.load(root.order_id)
        return money(root.seller_share_minor, order.currency)

    @strawberry.field(description="Evidence files from either side.")
    @staticmethod
    def files(root: Any, info: Info[Context, None]) -> list[File]:
        return info.context.loaders.orders.files_by_dispute_id.load(root.id)  # type: ignore[return-value]


@strawberry.type(name="DisputeConnection")
class DisputeConnection(Connection[Dispute]):
    pass


@strawberry.type
class DisputeQueries:
    @strawberry.field(description="Disputes, newest first: admins only.")
    async def disputes(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        status: DisputeStatus | None = None,
    ) -> DisputeConnection:
        page = await disputes.disputes(info.context, status=status, first=first, after=after)
        return DisputeConnection(_page=page, _after=after)


register_node(Dispute, m.Dispute, lambda ctx, key: disputes.visible_dispute(ctx, dispute_id=key))

"""Order types: `Order`, its events and deliveries, and the queries `order` and `myOrders`."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from models import order as m
from models import order_state
from models.escrow import total
from resolvers import orders
from resolvers.context import Context
from resolvers.transitions import role_of
from schema.catalog import Package, RowBacked
from schema.files import File
from schema.gigs import Gig
from schema.ids import id_of
from schema.money import Money, money
from schema.node import Node, register_node
from schema.pagination import Connection
from schema.relay import decode_id, encode_id
from schema.reviews import OrderReviewState, Review, order_review_state, order_reviews
from schema.users import User

if TYPE_CHECKING:
    from schema.disputes import Dispute
    from schema.payments import PaymentIntent

OrderStatus = strawberry.enum(m.OrderStatus, name="OrderStatus")
OrderAction = strawberry.enum(
    order_state.Action,
    name="OrderAction",
    description="What the viewer may do to an order now: the buttons to show.",
)
OrderActor = strawberry.enum(
    order_state.Actor, name="OrderActor", description="In which capacity someone acts on an order."
)


@strawberry.enum(name="OrderRole")
class OrderRole(enum.Enum):
    BUYER = "BUYER"
    SELLER = "SELLER"


@strawberry.type(name="OrderEvent", description="One step of an order's history.")
class OrderEvent(Node, RowBacked):
    reason: str | None = strawberry.field(description="Why, when someone said.")
    at: datetime

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("OrderEvent", root.id)

    @strawberry.field(description="The status the order moved to.")
    @staticmethod
    def status(root: Any) -> OrderStatus:
        return root.to_status

    @strawberry.field(description="The status it left; null for the order's creation.")
    @staticmethod
    def previous_status(root: Any) -> OrderStatus | None:
        return root.from_status

    @strawberry.field(description="Who moved it; null when the system did (payment, timers).")
    @staticmethod
    def actor(root: Any, info: Info[Context, None]) -> User | None:
        if root.actor_id is None:
            return None
        return info.context.loaders.user_by_id.load(root.actor_id)  # type: ignore[return-value]

    @strawberry.field
    @staticmethod
    def order(root: Any, info: Info[Context, None]) -> "Order":
        return info.context.loaders.orders.order_by_id.load(root.order_id)  # type: ignore[return-value]


@strawberry.type(name="Delivery", description="Work the seller delivered: a message and files.")
class Delivery(Node, RowBacked):
    number: int = strawberry.field(description="1 for the first delivery, 2 after a revision...")
    message: str

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("Delivery", root.id)

    @strawberry.field
    @staticmethod
    def delivered_at(root: Any) -> datetime:
        return root.created_at

    @strawberry.field
    @staticmethod
    def files(root: Any, info: Info[Context, None]) -> list[File]:
        return info.context.loaders.orders.files_by_delivery_id.load(root.id)  # type: ignore[return-value]


@strawberry.type(name="Order", description="A purchase, its money held in escrow until it ends.")
class Order(Node, RowBacked):
    status: OrderStatus
    title: str = strawberry.field(description="The gig's title when the order was placed.")
    requirements: str
    delivery_days: int
    revisions_included: int
    revisions_used: int
    due_at: datetime | None = strawberry.field(description="Funded time plus delivery days.")
    funded_at: datetime | None
    delivered_at: datetime | None = strawberry.field(description="The latest delivery.")
    completed_at: datetime | None
    cancelled_at: datetime | None = strawberry.field(description="Cancelled or refunded.")
    auto_complete_at: datetime | None = strawberry.field(
        description="When a delivery the buyer leaves unanswered completes by itself."
    )
    expires_at: datetime | None = strawberry.field(
        description="When an order still unpaid is cancelled."
    )
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("Order", root.id)

    @strawberry.field
    @staticmethod
    def gig(root: Any, info: Info[Context, None]) -> Gig:
        return info.context.loaders.gig_by_id.load(root.gig_id)  # type: ignore[return-value]

    @strawberry.field(description="The package bought; null for a hired application.")
    @staticmethod
    def package(root: Any, info: Info[Context, None]) -> Package | None:
        if root.package_id is None:
            return None
        return info.context.loaders.orders.package_by_id.load(root.package_id)  # type: ignore[return-value]

    @strawberry.field
    @staticmethod
    def buyer(root: Any, info: Info[Context, None]) -> User:
        return info.context.loaders.user_by_id.load(root.buyer_id)  # type: ignore[return-value]

    @strawberry.field
    @staticmethod
    def seller(root: Any, info: Info[Context, None]) -> User:
        return info.context.loaders.user_by_id.load(root.seller_id)  # type: ignore[return-value]

    @strawberry.field(description="The price of the work, fixed when the order was placed.")
    @staticmethod
    def price(root: Any) -> Money:
        return money(root.price, root.currency)  # type: ignore[return-value]

    @strawberry.field(description="What the buyer pays on top of the price.")
    @staticmethod
    def buyer_fee(root: Any) -> Money:
        return money(root.buyer_fee, root.currency)  # type: ignore[return-value]

    @strawberry.field(description="What the buyer pays: the price and the buyer fee.")
    @staticmethod
    def total(root: Any) -> Money:
        return money(total(root), root.currency)  # type: ignore[return-value]

    @strawberry.field(description="The platform's commission, taken from the seller's share.")
    @staticmethod
    def fee(root: Any) -> Money:
        return money(root.fee or 0, root.currency)  # type: ignore[return-value]

    @strawberry.field(description="What the seller receives on approval: price less the fee.")
    @staticmethod
    def seller_net(root: Any) -> Money:
        return money(root.price - (root.fee or 0), root.currency)  # type: ignore[return-value]

    @strawberry.field(description="Past its due date with the work still owed.")
    @staticmethod
    def is_late(root: Any, info: Info[Context, None]) -> bool:
        return order_state.is_late(root, info.context.services.clock.now())

    @strawberry.field(description="The viewer's part in this order.")
    @staticmethod
    async def viewer_role(root: Any, info: Info[Context, None]) -> OrderActor | None:
        return role_of(await info.context.viewer(), root)

    @strawberry.field(description="What the viewer may do now; show these buttons only.")
    @staticmethod
    async def available_actions(root: Any, info: Info[Context, None]) -> list[OrderAction]:
        ctx = info.context
        actor = role_of(await ctx.viewer(), root)
        return order_state.available_actions(root, actor, ctx.services.clock.now())

    @strawberry.field(description="Every step so far, oldest first.")
    @staticmethod
    def events(root: Any, info: Info[Context, None]) -> list[OrderEvent]:
        return info.context.loaders.orders.events_by_order_id.load(root.id)  # type: ignore[return-value]

    @strawberry.field(description="Every delivery, first first.")
    @staticmethod
    def deliveries(root: Any, info: Info[Context, None]) -> list[Delivery]:
        return info.context.loaders.orders.deliveries_by_order_id.load(root.id)  # type: ignore[return-value]

    @strawberry.field
    @staticmethod
    def dispute(
        root: Any, info: Info[Context, None]
    ) -> Annotated["Dispute", strawberry.lazy("schema.disputes")] | None:
        return info.context.loaders.orders.dispute_by_order_id.load(root.id)  # type: ignore[return-value]

    @strawberry.field(description="The latest payment intent, with its failure if it failed.")
    @staticmethod
    def payment(
        root: Any, info: Info[Context, None]
    ) -> Annotated["PaymentIntent", strawberry.lazy("schema.payments")] | None:
        return info.context.loaders.orders.payment_by_order_id.load(root.id)  # type: ignore[return-value]

    @strawberry.field(description="Its reviews you may see: the published ones and your own.")
    @staticmethod
    async def reviews(root: Any, info: Info[Context, None]) -> list[Review]:
        return await order_reviews(info.context, root)

    @strawberry.field(description="Where its reviews stand for you; null unless it completed.")
    @staticmethod
    async def review_state(root: Any, info: Info[Context, None]) -> OrderReviewState | None:
        return await order_review_state(info.context, root)

    @strawberry.field(description="The conversation between buyer and seller about the order.")
    @staticmethod
    async def conversation_id(root: Any, info: Info[Context, None]) -> strawberry.ID | None:
        key = await info.context.loaders.orders.conversation_id_by_order_id.load(root.id)
        return None if key is None else encode_id("Conversation", key)


@strawberry.type(name="OrderConnection")
class OrderConnection(Connection[Order]):
    pass


@strawberry.type
class OrderQueries:
    @strawberry.field(description="An order, for its buyer, its seller and admins.")
    async def order(
        self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument()]
    ) -> Order | None:
        decoded = decode_id(id, expected="Order")
        if decoded is None:
            return None
        return await orders.visible_order(info.context, order_id=decoded[1])  # type: ignore[return-value]

    @strawberry.field(description="Your orders, newest first: as buyer, as seller, or both.")
    async def my_orders(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        role: OrderRole | None = None,
        status: list[OrderStatus] | None = None,
    ) -> OrderConnection:
        actor = None if role is None else order_state.Actor(role.value)
        page = await orders.my_orders(
            info.context, role=actor, statuses=status, first=first, after=after
        )
        return OrderConnection(_page=page, _after=after)


def order_key(global_id: str) -> Any:
    return id_of(global_id, "Order", field="orderId")


register_node(Order, m.Order, lambda ctx, key: orders.visible_order(ctx, order_id=key))
register_node(OrderEvent, m.OrderEvent, lambda ctx, key: orders.visible_event(ctx, event_id=key))
register_node(Delivery, m.Delivery, lambda ctx, key: orders.visible_delivery(ctx, delivery_id=key))

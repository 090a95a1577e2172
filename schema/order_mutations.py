"""The order mutations: thin adapters from inputs to `resolvers` use-cases and back."""

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from models.money import to_minor
from models.order import DisputeOutcome as DisputeOutcomeModel
from resolvers import disputes, order_create, orders
from resolvers.context import Context
from resolvers.payments import funding
from schema.catalog import PackageTier
from schema.disputes import Dispute, DisputeOutcome
from schema.errors import UserError, attempt
from schema.files import file_keys
from schema.ids import id_of
from schema.orders import Order, order_key
from schema.payments import NewIntent, PaymentIntent


@strawberry.input
class PlaceOrderInput:
    gig_id: strawberry.ID
    package: PackageTier
    requirements: str | None = strawberry.field(
        default=None, description="What the seller needs to know to start."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="A retry with the same key and input gets the first order."
    )


@strawberry.input
class AcceptApplicationInput:
    application_id: strawberry.ID
    idempotency_key: str | None = None


@strawberry.input
class OrderIdInput:
    order_id: strawberry.ID


FundOrderInput = strawberry.input(type("FundOrderInput", (OrderIdInput,), {}))
ApproveOrderInput = strawberry.input(type("ApproveOrderInput", (OrderIdInput,), {}))


@strawberry.input
class DeliverOrderInput:
    order_id: strawberry.ID
    message: str
    file_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="READY files uploaded with purpose DELIVERY."
    )


@strawberry.input
class RequestRevisionInput:
    order_id: strawberry.ID
    reason: str = strawberry.field(description="What to change.")


@strawberry.input
class CancelOrderInput:
    order_id: strawberry.ID
    reason: str | None = None


@strawberry.input
class OpenDisputeInput:
    order_id: strawberry.ID
    reason: str
    evidence: str | None = strawberry.field(default=None, description="Your account of it.")
    file_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="READY files uploaded with purpose DISPUTE_EVIDENCE."
    )


@strawberry.input
class ResolveDisputeInput:
    dispute_id: strawberry.ID
    outcome: DisputeOutcome
    seller_share_bps: int | None = strawberry.field(
        default=None, description="With SPLIT: the seller's part of the price, 0 to 10000."
    )
    seller_share_amount: Decimal | None = strawberry.field(
        default=None, description="With SPLIT, instead of basis points: the seller's amount."
    )
    note: str | None = None


@strawberry.type
class OrderPayload:
    order: Order | None
    errors: list[UserError]


@strawberry.type
class FundOrderPayload:
    order: Order | None
    payment_intent: PaymentIntent | None
    errors: list[UserError]


@strawberry.type
class DisputePayload:
    dispute: Dispute | None
    order: Order | None
    errors: list[UserError]


async def _order(ctx: Context, call: Callable[[], Awaitable[Any]]) -> OrderPayload:
    async def run() -> Any:
        return await call()

    order, errors = await attempt(ctx, run())
    return OrderPayload(order=order, errors=errors)


async def _dispute(ctx: Context, call: Callable[[], Awaitable[Any]]) -> DisputePayload:
    async def run() -> Any:
        return await call()

    dispute, errors = await attempt(ctx, run())
    order = None if dispute is None else await ctx.loaders.orders.order_by_id.load(dispute.order_id)
    return DisputePayload(dispute=dispute, order=order, errors=errors)


@strawberry.type
class OrderMutations:
    @strawberry.mutation(description="Buy a package of an ACTIVE SERVICE gig.")
    async def place_order(self, info: Info[Context, None], input: PlaceOrderInput) -> OrderPayload:
        ctx = info.context
        return await _order(
            ctx,
            lambda: order_create.place_order(
                ctx,
                gig_id=id_of(input.gig_id, "Gig", field="gigId"),
                tier=input.package,
                requirements=input.requirements,
                idempotency_key=input.idempotency_key,
            ),
        )

    @strawberry.mutation(description="Hire the applicant of your REQUEST gig at their price.")
    async def accept_application(
        self, info: Info[Context, None], input: AcceptApplicationInput
    ) -> OrderPayload:
        ctx = info.context
        return await _order(
            ctx,
            lambda: order_create.accept_application(
                ctx,
                application_id=id_of(input.application_id, "Application", field="applicationId"),
                idempotency_key=input.idempotency_key,
            ),
        )

    @strawberry.mutation(description="Start paying for your order: returns a payment intent.")
    async def fund_order(
        self, info: Info[Context, None], input: FundOrderInput
    ) -> FundOrderPayload:
        ctx = info.context

        async def run() -> Any:
            return await funding.fund_order(ctx, order_id=order_key(input.order_id))

        result, errors = await attempt(ctx, run())
        if result is None:
            return FundOrderPayload(order=None, payment_intent=None, errors=errors)
        intent = NewIntent(result.payment, result.client_secret)
        return FundOrderPayload(order=result.order, payment_intent=intent, errors=[])  # type: ignore[arg-type]

    @strawberry.mutation(description="Deliver the work as the seller (also after a revision).")
    async def deliver_order(
        self, info: Info[Context, None], input: DeliverOrderInput
    ) -> OrderPayload:
        ctx = info.context
        return await _order(
            ctx,
            lambda: orders.deliver_order(
                ctx,
                order_id=order_key(input.order_id),
                message=input.message,
                file_ids=file_keys(input.file_ids),
            ),
        )

    @strawberry.mutation(description="Send a delivery back, within the revisions included.")
    async def request_revision(
        self, info: Info[Context, None], input: RequestRevisionInput
    ) -> OrderPayload:
        ctx = info.context
        return await _order(
            ctx,
            lambda: orders.request_revision(
                ctx, order_id=order_key(input.order_id), reason=input.reason
            ),
        )

    @strawberry.mutation(description="Accept the delivery: the seller is paid, less the fee.")
    async def approve_order(
        self, info: Info[Context, None], input: ApproveOrderInput
    ) -> OrderPayload:
        ctx = info.context
        return await _order(
            ctx, lambda: orders.approve_order(ctx, order_id=order_key(input.order_id))
        )

    @strawberry.mutation(
        description="Cancel: freely before payment; after it with a full refund, by the seller "
        "before delivery, by the buyer once the order is late."
    )
    async def cancel_order(
        self, info: Info[Context, None], input: CancelOrderInput
    ) -> OrderPayload:
        ctx = info.context
        return await _order(
            ctx,
            lambda: orders.cancel_order(
                ctx, order_id=order_key(input.order_id), reason=input.reason
            ),
        )

    @strawberry.mutation(description="Take a funded order to an admin; its escrow is frozen.")
    async def open_dispute(
        self, info: Info[Context, None], input: OpenDisputeInput
    ) -> DisputePayload:
        ctx = info.context
        return await _dispute(
            ctx,
            lambda: disputes.open_dispute(
                ctx,
                order_id=order_key(input.order_id),
                reason=input.reason,
                evidence=input.evidence,
                file_ids=file_keys(input.file_ids),
            ),
        )

    @strawberry.mutation(description="Decide a dispute (admins): release, refund or split.")
    async def resolve_dispute(
        self, info: Info[Context, None], input: ResolveDisputeInput
    ) -> DisputePayload:
        ctx = info.context
        amount = input.seller_share_amount
        return await _dispute(
            ctx,
            lambda: disputes.resolve_dispute(
                ctx,
                dispute_id=id_of(input.dispute_id, "Dispute", field="disputeId"),
                outcome=DisputeOutcomeModel(input.outcome),
                seller_share_bps=input.seller_share_bps,
                seller_share_amount=None
                if amount is None
                else to_minor(amount, field="sellerShareAmount", minimum=0),
                note=input.note,
            ),
        )

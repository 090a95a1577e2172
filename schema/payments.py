"""Payments over GraphQL: the `PaymentIntent` type."""

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from models import payment as m
from resolvers.context import Context
from resolvers.payments.funding import confirm_payment, visible_payment
from schema.catalog import RowBacked
from schema.errors import UserError, attempt
from schema.ids import id_of
from schema.money import Money, money
from schema.node import Node, register_node
from schema.relay import encode_id

if TYPE_CHECKING:
    from schema.orders import Order

PaymentStatus = strawberry.enum(m.PaymentStatus, name="PaymentStatus")


@strawberry.type(
    name="PaymentIntent",
    description="A payment through the provider; the order is funded when it SUCCEEDED.",
)
class PaymentIntent(Node, RowBacked):
    provider: str
    status: PaymentStatus
    failure_reason: str | None = strawberry.field(description="Why the payment FAILED.")
    created_at: datetime

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("PaymentIntent", root.id)

    @strawberry.field
    @staticmethod
    def amount(root: Any) -> Money:
        return money(root.amount, root.currency)  # type: ignore[return-value]

    @strawberry.field(
        description="For the client to complete the payment with the provider; only in the "
        "fundOrder payload that created the intent, null anywhere else."
    )
    @staticmethod
    def client_secret(root: Any) -> str | None:
        return getattr(root, "client_secret", None)


class NewIntent:
    """A payment with the client secret that only its creation may show."""

    def __init__(self, payment: m.Payment, client_secret: str | None) -> None:
        self._payment = payment
        self.client_secret = client_secret

    def __getattr__(self, name: str) -> Any:
        return getattr(self._payment, name)


def payment_fetch(ctx: Context, key: uuid.UUID) -> Any:
    return visible_payment(ctx, payment_id=key)


register_node(PaymentIntent, m.Payment, payment_fetch)


@strawberry.enum(name="PaymentOutcome")
class PaymentOutcome(enum.Enum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@strawberry.input
class ConfirmPaymentInput:
    payment_intent_id: strawberry.ID
    outcome: PaymentOutcome


@strawberry.type
class ConfirmPaymentPayload:
    order: Annotated["Order", strawberry.lazy("schema.orders")] | None
    payment_intent: PaymentIntent | None
    errors: list[UserError]


@strawberry.type
class PaymentSimulatorMutations:
    @strawberry.mutation(
        description="Simulator only: complete your payment intent as your bank would. The "
        "simulator then sends its signed webhook to /webhooks/payments/simulator."
    )
    async def confirm_payment(
        self, info: Info[Context, None], input: ConfirmPaymentInput
    ) -> ConfirmPaymentPayload:
        ctx = info.context

        async def run() -> Any:
            return await confirm_payment(
                ctx,
                payment_id=id_of(input.payment_intent_id, "PaymentIntent", field="paymentIntentId"),
                succeeded=input.outcome is PaymentOutcome.SUCCEEDED,
            )

        result, errors = await attempt(ctx, run())
        if result is None:
            return ConfirmPaymentPayload(order=None, payment_intent=None, errors=errors)
        return ConfirmPaymentPayload(order=result.order, payment_intent=result.payment, errors=[])  # type: ignore[arg-type]

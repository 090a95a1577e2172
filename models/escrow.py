"""How an order's money moves: each movement as balanced legs between ledger accounts.

Pure arithmetic: `resolvers.ledger.post` writes the legs. Escrow holds what the buyer paid
(price + buyer fee) from funding until the order settles, exactly once, by one of release,
split or refund; a payment that arrives for an order that cannot take it is returned.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from models.errors import ErrorCode, ValidationFailed
from models.ledger import AccountKind, owner_key
from models.money import BPS, share, split_fee
from models.order import OrderStatus
from models.order_state import FUNDED

FUND = "FUND"
RELEASE = "RELEASE"
SPLIT = "SPLIT"
REFUND = "REFUND"
RETURN = "RETURN"


@dataclass(frozen=True, slots=True)
class Leg:
    """One side of a movement: `amount` minor units into (positive) or out of an account."""

    kind: AccountKind
    amount: int
    user_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None

    @property
    def owner_key(self) -> str:
        return owner_key(self.kind, user_id=self.user_id, order_id=self.order_id)


@dataclass(frozen=True, slots=True)
class Movement:
    """Legs that sum to zero, and the key that lets them be posted only once."""

    kind: str
    idempotency: str
    legs: tuple[Leg, ...]

    def __post_init__(self) -> None:
        if sum(leg.amount for leg in self.legs) != 0:
            raise ValueError(f"{self.kind} does not balance: {self.legs}")


def total(order: Any) -> int:
    """What the buyer pays, and escrow holds: the price and the buyer's fee."""
    return order.price + order.buyer_fee


def _escrow(order: Any, amount: int) -> Leg:
    return Leg(AccountKind.ESCROW, amount, order_id=order.id)


def funding(order: Any) -> Movement:
    """The payment lands in the order's escrow."""
    legs = (Leg(AccountKind.EXTERNAL_FUNDING, -total(order)), _escrow(order, total(order)))
    return Movement(FUND, f"fund:{order.id}", legs)


def settlement(order: Any, *, seller_share: int | None = None) -> Movement:
    """Empty the escrow: `seller_share` of the price to the seller less the commission on it,
    the rest of the price back to the buyer. Everything (None) is a release, 0 a refund.

    The buyer's fee is the platform's once the seller is paid anything, and refunded with the
    price otherwise.
    """
    seller_share = order.price if seller_share is None else seller_share
    if not 0 <= seller_share <= order.price:
        raise ValueError(f"seller share {seller_share} outside 0..{order.price}")
    held = total(order)
    key = f"settle:{order.id}"
    if seller_share == 0:
        legs = (_escrow(order, -held), Leg(AccountKind.REFUNDS, held))
        return Movement(REFUND, key, legs)
    fee, net = split_fee(seller_share, order.fee_bps)
    legs = (
        _escrow(order, -held),
        Leg(AccountKind.WALLET, net, user_id=order.seller_id),
        Leg(AccountKind.PLATFORM_FEES, fee + order.buyer_fee),
        Leg(AccountKind.REFUNDS, order.price - seller_share),
    )
    kind = RELEASE if seller_share == order.price else SPLIT
    return Movement(kind, key, tuple(leg for leg in legs if leg.amount))


def movement_of(
    order: Any, previous: OrderStatus, to: OrderStatus, *, seller_share: int | None = None
) -> Movement | None:
    """What moving `order` from `previous` to `to` does to its money: the payment funds the
    escrow, and a funded order's end settles it (a refund gives the seller nothing; otherwise
    `seller_share` of the price, all of it by default). Any other move leaves the money be."""
    if previous is OrderStatus.PENDING_PAYMENT and to is OrderStatus.IN_PROGRESS:
        return funding(order)
    if previous in FUNDED and to is OrderStatus.REFUNDED:
        return settlement(order, seller_share=0)
    if previous in FUNDED and to is OrderStatus.COMPLETED:
        return settlement(order, seller_share=seller_share)
    return None


def memo(movement: Movement, order: Any) -> str:
    """The ledger transaction's line for people: "Funding of order “Logo design”"."""
    what = "Funding" if movement.kind == FUND else movement.kind.title()
    return f"{what} of order “{order.title}”"


def returned(payment: Any) -> Movement:
    """A payment the order could not take (cancelled meanwhile, or paid twice) goes back."""
    legs = (
        Leg(AccountKind.EXTERNAL_FUNDING, -payment.amount),
        Leg(AccountKind.REFUNDS, payment.amount),
    )
    return Movement(RETURN, f"return:{payment.id}", legs)


def seller_share_of(price: int, *, bps: int | None = None, amount: int | None = None) -> int:
    """The seller's part of `price` in a split, given in basis points or in minor units."""
    if (bps is None) == (amount is None):
        raise ValidationFailed(
            "A split needs exactly one of sellerShareBps and sellerShareAmount",
            code=ErrorCode.INVALID_SPLIT,
            field="sellerShareBps",
        )
    if bps is not None:
        if not 0 <= bps <= BPS:
            raise ValidationFailed(
                f"sellerShareBps must be between 0 and {BPS}",
                code=ErrorCode.INVALID_SPLIT,
                field="sellerShareBps",
            )
        return share(price, bps)
    assert amount is not None
    if not 0 <= amount <= price:
        raise ValidationFailed(
            "sellerShareAmount must be between 0 and the order's price",
            code=ErrorCode.INVALID_SPLIT,
            field="sellerShareAmount",
        )
    return amount

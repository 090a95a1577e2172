"""The order lifecycle: who may move an order from where to where, and what a move stamps.

`TRANSITIONS` is the diagram in ../shared/API.md as data, and the only authority on it: every
status change goes through `check_transition`, and nothing else assigns `Order.status`.
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from models.errors import ErrorCode, InvalidTransition
from models.order import OrderStatus

S = OrderStatus
# A hired application comes with this many revisions; a package names its own.
HIRE_REVISIONS = 2


class Actor(enum.StrEnum):
    """In which capacity someone moves an order; SYSTEM is the payment webhook and the timers."""

    BUYER = "BUYER"
    SELLER = "SELLER"
    ADMIN = "ADMIN"
    SYSTEM = "SYSTEM"


BUYER, SELLER, ADMIN, SYSTEM = Actor.BUYER, Actor.SELLER, Actor.ADMIN, Actor.SYSTEM

# (from, to) -> who may make the move. Guards below narrow some of them further.
TRANSITIONS: dict[tuple[OrderStatus, OrderStatus], frozenset[Actor]] = {
    # The signed payment webhook confirms the payment.
    (S.PENDING_PAYMENT, S.IN_PROGRESS): frozenset({SYSTEM}),
    # cancelOrder by either side; SYSTEM when the payment window runs out.
    (S.PENDING_PAYMENT, S.CANCELLED): frozenset({BUYER, SELLER, SYSTEM}),
    (S.IN_PROGRESS, S.DELIVERED): frozenset({SELLER}),
    (S.DELIVERED, S.REVISION_REQUESTED): frozenset({BUYER}),
    # The seller takes the revision back into work (deliverOrder does it on the way).
    (S.REVISION_REQUESTED, S.IN_PROGRESS): frozenset({SELLER}),
    # approveOrder, or the review window closing with no answer from the buyer.
    (S.DELIVERED, S.COMPLETED): frozenset({BUYER, SYSTEM}),
    (S.IN_PROGRESS, S.DISPUTED): frozenset({BUYER, SELLER}),
    (S.DELIVERED, S.DISPUTED): frozenset({BUYER, SELLER}),
    (S.REVISION_REQUESTED, S.DISPUTED): frozenset({BUYER, SELLER}),
    # resolveDispute: released (or split) to COMPLETED, refunded to REFUNDED.
    (S.DISPUTED, S.COMPLETED): frozenset({ADMIN}),
    (S.DISPUTED, S.REFUNDED): frozenset({ADMIN}),
    # cancelOrder with a full refund: the seller any time, the buyer once the order is late.
    (S.IN_PROGRESS, S.REFUNDED): frozenset({SELLER, BUYER}),
    (S.REVISION_REQUESTED, S.REFUNDED): frozenset({SELLER, BUYER}),
}

# Where an order's money is: escrow holds the payment exactly while the order is in these.
FUNDED = frozenset({S.IN_PROGRESS, S.DELIVERED, S.REVISION_REQUESTED, S.DISPUTED})
FINAL = frozenset({S.COMPLETED, S.CANCELLED, S.REFUNDED})


class Action(enum.StrEnum):
    """What a client can offer the viewer as a button; each is a path through the table."""

    FUND = "FUND"
    CANCEL = "CANCEL"
    DELIVER = "DELIVER"
    REQUEST_REVISION = "REQUEST_REVISION"
    APPROVE = "APPROVE"
    OPEN_DISPUTE = "OPEN_DISPUTE"
    RESOLVE_DISPUTE = "RESOLVE_DISPUTE"


# action -> from status -> the statuses it passes through. FUND moves nothing by itself: it
# starts a payment, and the webhook makes the move (as SYSTEM).
ACTIONS: dict[Action, dict[OrderStatus, tuple[OrderStatus, ...]]] = {
    Action.CANCEL: {
        S.PENDING_PAYMENT: (S.CANCELLED,),
        S.IN_PROGRESS: (S.REFUNDED,),
        S.REVISION_REQUESTED: (S.REFUNDED,),
    },
    Action.DELIVER: {
        S.IN_PROGRESS: (S.DELIVERED,),
        S.REVISION_REQUESTED: (S.IN_PROGRESS, S.DELIVERED),
    },
    Action.REQUEST_REVISION: {S.DELIVERED: (S.REVISION_REQUESTED,)},
    Action.APPROVE: {S.DELIVERED: (S.COMPLETED,)},
    Action.OPEN_DISPUTE: dict.fromkeys(
        (S.IN_PROGRESS, S.DELIVERED, S.REVISION_REQUESTED), (S.DISPUTED,)
    ),
    Action.RESOLVE_DISPUTE: {S.DISPUTED: (S.COMPLETED,)},
}


@dataclass(frozen=True, slots=True)
class Timing:
    """The lifecycle's clocks, from settings."""

    review_window: timedelta
    payment_expiry: timedelta


def is_late(order: Any, now: datetime) -> bool:
    """Past its due date while the work is still owed (not yet delivered, or sent back)."""
    return (
        order.due_at is not None
        and now > order.due_at
        and order.status in (S.IN_PROGRESS, S.REVISION_REQUESTED)
    )


def check_transition(order: Any, to: OrderStatus, actor: Actor, now: datetime) -> None:
    """Raise `InvalidTransition` (with a specific code) unless `actor` may move `order` to `to`."""
    current = order.status
    allowed = TRANSITIONS.get((current, to))
    if allowed is None:
        raise InvalidTransition(
            f"A {current.value} order cannot become {to.value}", field="orderId"
        )
    if actor not in allowed:
        who = " or ".join(sorted(a.value.lower() for a in allowed))
        raise InvalidTransition(
            f"Only the {who} may move a {current.value} order to {to.value}", field="orderId"
        )
    _check_guards(order, to, actor, now)


def _check_guards(order: Any, to: OrderStatus, actor: Actor, now: datetime) -> None:
    if to is S.REFUNDED and actor is BUYER and not is_late(order, now):
        raise InvalidTransition(
            "The buyer may cancel a funded order only once it is past its due date",
            code=ErrorCode.ORDER_NOT_LATE,
            field="orderId",
        )
    if to is S.REVISION_REQUESTED and order.revisions_used >= order.revisions_included:
        raise InvalidTransition(
            f"All {order.revisions_included} revisions included in this order are used",
            code=ErrorCode.REVISION_LIMIT_REACHED,
            field="orderId",
        )
    if actor is SYSTEM and to is S.COMPLETED and not review_window_over(order, now):
        raise InvalidTransition("The buyer's review window is still open", field="orderId")
    if actor is SYSTEM and to is S.CANCELLED and not expired(order, now):
        raise InvalidTransition("The order has not expired yet", field="orderId")


def route(order: Any, action: Action) -> tuple[OrderStatus, ...]:
    """The statuses `action` moves `order` through, or () if it does not apply to its status."""
    return ACTIONS.get(action, {}).get(order.status, ())


def may(order: Any, action: Action, actor: Actor, now: datetime) -> bool:
    """Whether `actor` may take `action` on `order` now: every step of its route is allowed."""
    if action is Action.FUND:
        return order.status is S.PENDING_PAYMENT and actor is BUYER and not expired(order, now)
    steps = route(order, action)
    if not steps:
        return False
    probe = _Probe(order)
    for step in steps:
        try:
            check_transition(probe, step, actor, now)
        except InvalidTransition:
            return False
        probe.status = step
    return True


def available_actions(order: Any, actor: Actor | None, now: datetime) -> list[Action]:
    """The buttons to show someone acting as `actor` (nobody: `None`), in a stable order."""
    if actor is None:
        return []
    return [action for action in Action if may(order, action, actor, now)]


def expired(order: Any, now: datetime) -> bool:
    """An unpaid order whose time to pay is over."""
    return order.expires_at is not None and now >= order.expires_at


def review_window_over(order: Any, now: datetime) -> bool:
    """A delivery the buyer had the whole review window to answer."""
    return order.auto_complete_at is not None and now >= order.auto_complete_at


class _Probe:
    """An order's fields with a status of its own, to walk a route without touching the order."""

    def __init__(self, order: Any) -> None:
        self._order = order
        self.status = order.status

    def __getattr__(self, name: str) -> Any:
        return getattr(self._order, name)


def stamps(order: Any, to: OrderStatus, now: datetime, timing: Timing) -> dict[str, Any]:
    """The columns a move to `to` sets besides the status: times, deadlines, counters."""
    values: dict[str, Any] = {"expires_at": None, "auto_complete_at": None}
    if order.status is S.PENDING_PAYMENT and to is S.IN_PROGRESS:
        values["funded_at"] = now
        values["due_at"] = now + timedelta(days=order.delivery_days)
    if to is S.DELIVERED:
        values["delivered_at"] = now
        values["auto_complete_at"] = now + timing.review_window
    if to is S.REVISION_REQUESTED:
        values["revisions_used"] = order.revisions_used + 1
    if to is S.COMPLETED:
        values["completed_at"] = now
    if to in (S.CANCELLED, S.REFUNDED):
        values["cancelled_at"] = now
    return values

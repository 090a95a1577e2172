"""The transition table: exactly the moves of the lifecycle diagram, by exactly whom."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from models.errors import ErrorCode, InvalidTransition
from models.order import OrderStatus as S
from models.order_state import (
    ACTIONS,
    TRANSITIONS,
    Action,
    Actor,
    Timing,
    available_actions,
    check_transition,
    is_late,
    stamps,
)
from models.types import utcnow

NOW = utcnow()
B, SE, A, SY = Actor.BUYER, Actor.SELLER, Actor.ADMIN, Actor.SYSTEM
# The diagram of ../shared/API.md, edge by edge.
DIAGRAM = {
    (S.PENDING_PAYMENT, S.IN_PROGRESS, SY),  # payment confirmed by signed webhook
    (S.PENDING_PAYMENT, S.CANCELLED, B),  # cancelOrder
    (S.PENDING_PAYMENT, S.CANCELLED, SE),
    (S.PENDING_PAYMENT, S.CANCELLED, SY),  # not paid within the payment window
    (S.IN_PROGRESS, S.DELIVERED, SE),  # deliverOrder
    (S.DELIVERED, S.REVISION_REQUESTED, B),  # requestRevision
    (S.REVISION_REQUESTED, S.IN_PROGRESS, SE),  # the seller reworks
    (S.DELIVERED, S.COMPLETED, B),  # approveOrder
    (S.DELIVERED, S.COMPLETED, SY),  # no answer within the review window
    *((status, S.DISPUTED, who) for status in (S.IN_PROGRESS, S.DELIVERED) for who in (B, SE)),
    (S.REVISION_REQUESTED, S.DISPUTED, B),
    (S.REVISION_REQUESTED, S.DISPUTED, SE),
    (S.DISPUTED, S.COMPLETED, A),  # resolveDispute: released or split
    (S.DISPUTED, S.REFUNDED, A),  # resolveDispute: refunded
    (S.IN_PROGRESS, S.REFUNDED, SE),  # cancelOrder: the seller any time
    (S.REVISION_REQUESTED, S.REFUNDED, SE),
    (S.IN_PROGRESS, S.REFUNDED, B),  # cancelOrder: the buyer once late
    (S.REVISION_REQUESTED, S.REFUNDED, B),
}


def order(status, **fields):
    values = {
        "status": status,
        "due_at": NOW + timedelta(days=1),
        "expires_at": NOW - timedelta(seconds=1) if status is S.PENDING_PAYMENT else None,
        "auto_complete_at": NOW - timedelta(seconds=1) if status is S.DELIVERED else None,
        "revisions_used": 0,
        "revisions_included": 1,
        "delivery_days": 3,
        **fields,
    }
    return SimpleNamespace(**values)


def late(status):
    return order(status, due_at=NOW - timedelta(hours=1))


def test_the_table_is_the_diagram():
    table = {(src, to, who) for (src, to), actors in TRANSITIONS.items() for who in actors}

    assert table == DIAGRAM


@pytest.mark.parametrize(("source", "to", "actor"), sorted(DIAGRAM))
def test_every_move_of_the_diagram_is_allowed(source, to, actor):
    check_transition(late(source), to, actor, NOW)


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("to", list(S))
@pytest.mark.parametrize("actor", list(Actor))
def test_every_other_move_is_refused(source, to, actor):
    if (source, to, actor) in DIAGRAM:
        return
    with pytest.raises(InvalidTransition) as refused:
        check_transition(late(source), to, actor, NOW)

    assert refused.value.code is ErrorCode.INVALID_TRANSITION


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.REVISION_REQUESTED])
def test_the_buyer_cancels_a_funded_order_only_once_it_is_late(status):
    with pytest.raises(InvalidTransition) as refused:
        check_transition(order(status), S.REFUNDED, B, NOW)

    assert refused.value.code is ErrorCode.ORDER_NOT_LATE
    check_transition(late(status), S.REFUNDED, B, NOW)
    check_transition(order(status), S.REFUNDED, SE, NOW)


def test_a_revision_past_the_ones_included_is_refused():
    used_up = order(S.DELIVERED, revisions_used=1, revisions_included=1)

    with pytest.raises(InvalidTransition) as refused:
        check_transition(used_up, S.REVISION_REQUESTED, B, NOW)

    assert refused.value.code is ErrorCode.REVISION_LIMIT_REACHED
    check_transition(order(S.DELIVERED, revisions_used=0), S.REVISION_REQUESTED, B, NOW)


def test_the_system_completes_a_delivery_only_after_the_review_window():
    answering = order(S.DELIVERED, auto_complete_at=NOW + timedelta(minutes=1))

    with pytest.raises(InvalidTransition):
        check_transition(answering, S.COMPLETED, SY, NOW)
    check_transition(answering, S.COMPLETED, B, NOW)


def test_the_system_cancels_an_unpaid_order_only_once_it_expired():
    payable = order(S.PENDING_PAYMENT, expires_at=NOW + timedelta(minutes=1))

    with pytest.raises(InvalidTransition):
        check_transition(payable, S.CANCELLED, SY, NOW)
    check_transition(payable, S.CANCELLED, B, NOW)


def test_every_action_walks_only_moves_of_the_table():
    for routes in ACTIONS.values():
        for source, steps in routes.items():
            for step_from, step_to in zip((source, *steps), steps, strict=False):
                assert (step_from, step_to) in TRANSITIONS


@pytest.mark.parametrize(
    ("status", "actor", "expected"),
    [
        (S.PENDING_PAYMENT, B, [Action.FUND, Action.CANCEL]),
        (S.PENDING_PAYMENT, SE, [Action.CANCEL]),
        (S.PENDING_PAYMENT, A, []),
        (S.IN_PROGRESS, B, [Action.OPEN_DISPUTE]),
        (S.IN_PROGRESS, SE, [Action.CANCEL, Action.DELIVER, Action.OPEN_DISPUTE]),
        (S.DELIVERED, B, [Action.REQUEST_REVISION, Action.APPROVE, Action.OPEN_DISPUTE]),
        (S.DELIVERED, SE, [Action.OPEN_DISPUTE]),
        (S.REVISION_REQUESTED, SE, [Action.CANCEL, Action.DELIVER, Action.OPEN_DISPUTE]),
        (S.DISPUTED, B, []),
        (S.DISPUTED, A, [Action.RESOLVE_DISPUTE]),
        (S.COMPLETED, B, []),
        (S.CANCELLED, SE, []),
        (S.REFUNDED, A, []),
    ],
)
def test_available_actions_are_the_buttons_for_each_side(status, actor, expected):
    payable = order(status, expires_at=NOW + timedelta(hours=1))

    assert available_actions(payable, actor, NOW) == expected


def test_a_late_order_offers_the_buyer_cancellation():
    assert available_actions(late(S.IN_PROGRESS), B, NOW) == [Action.CANCEL, Action.OPEN_DISPUTE]


def test_no_revision_is_offered_once_they_are_used_up():
    used_up = order(S.DELIVERED, revisions_used=1)

    assert Action.REQUEST_REVISION not in available_actions(used_up, B, NOW)


def test_an_expired_order_offers_no_payment():
    assert Action.FUND not in available_actions(order(S.PENDING_PAYMENT), B, NOW)


def test_nobody_gets_no_buttons():
    assert available_actions(order(S.DELIVERED), None, NOW) == []


def test_lateness_is_work_still_owed_past_the_due_date():
    assert is_late(late(S.IN_PROGRESS), NOW)
    assert is_late(late(S.REVISION_REQUESTED), NOW)
    assert not is_late(late(S.DELIVERED), NOW)
    assert not is_late(order(S.IN_PROGRESS), NOW)


def test_funding_sets_the_due_date_and_delivery_the_review_window():
    timing = Timing(review_window=timedelta(days=3), payment_expiry=timedelta(days=1))

    funded = stamps(order(S.PENDING_PAYMENT), S.IN_PROGRESS, NOW, timing)
    delivered = stamps(order(S.IN_PROGRESS), S.DELIVERED, NOW, timing)

    assert funded["due_at"] == NOW + timedelta(days=3)
    assert funded["expires_at"] is None
    assert delivered["auto_complete_at"] == NOW + timedelta(days=3)
    assert stamps(order(S.DELIVERED), S.REVISION_REQUESTED, NOW, timing)["revisions_used"] == 1

"""The badge rules: one row per badge, each a test of a user's standing.

Adding a badge is adding a `BadgeKind` member (stored as text: no migration) and a row here.
Rules are evaluated when an order completes, when a review is published and when a user
verifies their email or phone; a badge once awarded is kept, with the date it was first earned.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from models.review import BadgeKind

TOP_RATED_MIN_REVIEWS = 10
# 4.8 as a fraction, so the comparison is exact in integers: sum / count >= 48 / 10.
TOP_RATED_AVERAGE = (48, 10)
ON_TIME_MIN_ORDERS = 10
# 90% as a fraction: on_time / completed >= 9 / 10.
ON_TIME_SHARE = (9, 10)


@dataclass(frozen=True, slots=True)
class Standing:
    """What the rules read: a user's reputation aggregates and verifications."""

    completed_orders: int
    on_time_orders: int
    rating_sum: int
    rating_count: int
    email_verified: bool
    phone_verified: bool

    @classmethod
    def of(cls, user: Any) -> "Standing":
        """A user's standing, from the entity or a loader row."""
        return cls(
            completed_orders=user.completed_orders,
            on_time_orders=user.on_time_orders,
            rating_sum=user.rating_sum,
            rating_count=user.rating_count,
            email_verified=user.email_verified_at is not None,
            phone_verified=user.phone_verified_at is not None,
        )


def _top_rated(s: Standing) -> bool:
    numerator, denominator = TOP_RATED_AVERAGE
    return (
        s.rating_count >= TOP_RATED_MIN_REVIEWS
        and s.rating_sum * denominator >= numerator * s.rating_count
    )


def _on_time(s: Standing) -> bool:
    numerator, denominator = ON_TIME_SHARE
    return (
        s.completed_orders >= ON_TIME_MIN_ORDERS
        and s.on_time_orders * denominator >= numerator * s.completed_orders
    )


@dataclass(frozen=True, slots=True)
class BadgeRule:
    badge: BadgeKind
    # What the notification calls it: "You earned a badge: Top rated".
    title: str
    earned: Callable[[Standing], bool]


BADGE_RULES: tuple[BadgeRule, ...] = (
    BadgeRule(
        BadgeKind.FIRST_ORDER_COMPLETED, "First order completed", lambda s: s.completed_orders >= 1
    ),
    BadgeRule(
        BadgeKind.TEN_ORDERS_COMPLETED, "Ten orders completed", lambda s: s.completed_orders >= 10
    ),
    BadgeRule(BadgeKind.TOP_RATED, "Top rated", _top_rated),
    BadgeRule(BadgeKind.ON_TIME, "On time", _on_time),
    BadgeRule(BadgeKind.VERIFIED, "Verified", lambda s: s.email_verified and s.phone_verified),
)


def earned_badges(standing: Standing) -> list[BadgeRule]:
    """The rules `standing` satisfies, in table order."""
    return [rule for rule in BADGE_RULES if rule.earned(standing)]

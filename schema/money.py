"""`Money { amount currency }`: integer minor units inside, an exact decimal string outside."""

from decimal import Decimal

import strawberry

from models.money import from_minor


@strawberry.type(description="An amount of money; `amount` is an exact decimal string.")
class Money:
    amount: Decimal
    currency: str


def money(minor: int | None, currency: str) -> Money | None:
    return None if minor is None else Money(amount=from_minor(minor), currency=currency)

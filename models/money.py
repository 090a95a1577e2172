"""Money is integer minor units; decimals exist only at the API's edge."""

from decimal import Decimal, InvalidOperation

from models.errors import ErrorCode, ValidationFailed

CURRENCY = "USD"
MINOR_PER_UNIT = 100
_PLACES = 2  # MINOR_PER_UNIT is 10 ** _PLACES
MAX_AMOUNT_MINOR = 1_000_000 * MINOR_PER_UNIT
BPS = 10_000  # basis points in a whole


def to_minor(amount: Decimal, *, field: str, minimum: int = 1) -> int:
    """Convert an amount such as Decimal("12.50") to minor units, refusing what is not money."""
    try:
        if not amount.is_finite():
            raise InvalidOperation
        minor = amount * MINOR_PER_UNIT
        if minor != minor.to_integral_value():
            raise ValidationFailed(
                f"{field} has more than two decimal places", code=ErrorCode.INVALID, field=field
            )
    except InvalidOperation:
        raise ValidationFailed(f"{field} is not an amount", field=field) from None
    value = int(minor)
    if not minimum <= value <= MAX_AMOUNT_MINOR:
        raise ValidationFailed(
            f"{field} must be between {from_minor(minimum)} and {from_minor(MAX_AMOUNT_MINOR)}",
            code=ErrorCode.OUT_OF_RANGE,
            field=field,
        )
    return value


def from_minor(minor: int) -> Decimal:
    """Convert minor units to an exact two-place decimal."""
    # Moving the decimal point is exact, and far cheaper than dividing then quantizing.
    return Decimal(minor).scaleb(-_PLACES)


def share(gross: int, bps: int) -> int:
    """`bps` basis points of `gross` minor units, rounded down: the one rounding rule."""
    if gross < 0 or not 0 <= bps <= BPS:
        raise ValueError(f"no share of {bps} bps in {gross}")
    return gross * bps // BPS


def split_fee(gross: int, bps: int) -> tuple[int, int]:
    """Split `gross` into (fee, net) at `bps`; the fee rounds down, so fee + net == gross."""
    fee = share(gross, bps)
    return fee, gross - fee


def display(minor: int, currency: str) -> str:
    """An amount for people to read: "$1,234.50" in dollars, "1,234.50 EUR" otherwise."""
    amount = f"{from_minor(minor):,}"
    return f"${amount}" if currency == "USD" else f"{amount} {currency}"

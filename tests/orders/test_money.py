"""Fees and escrow movements: integer minor units, one rounding rule, always balanced."""

import uuid
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.errors import ErrorCode, ValidationFailed
from models.escrow import RELEASE, SPLIT, funding, returned, seller_share_of, settlement
from models.ledger import AccountKind
from models.money import BPS, MAX_AMOUNT_MINOR, MINOR_PER_UNIT, from_minor, split_fee

amounts = st.integers(min_value=0, max_value=MAX_AMOUNT_MINOR)
rates = st.integers(min_value=0, max_value=BPS)


@given(minor=st.integers(min_value=-MAX_AMOUNT_MINOR, max_value=MAX_AMOUNT_MINOR))
def test_minor_units_become_an_exact_two_place_decimal(minor):
    amount = from_minor(minor)

    assert amount * MINOR_PER_UNIT == minor
    assert amount.as_tuple().exponent == -2
    assert str(amount) == f"{'-' if minor < 0 else ''}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def an_order(price, *, fee_bps=1000, buyer_fee=0):
    return SimpleNamespace(
        id=uuid.uuid4(), seller_id=uuid.uuid4(), price=price, fee_bps=fee_bps, buyer_fee=buyer_fee
    )


@given(gross=amounts, bps=rates)
def test_fee_and_net_add_up_to_the_gross_exactly(gross, bps):
    fee, net = split_fee(gross, bps)

    assert fee + net == gross
    assert 0 <= fee <= gross
    assert fee == gross * bps // BPS  # rounded down, always


def test_the_default_commission_is_ten_percent_rounded_down():
    assert split_fee(5000, 1000) == (500, 4500)
    assert split_fee(999, 1000) == (99, 900)
    assert split_fee(1, 1000) == (0, 1)


@pytest.mark.parametrize(("gross", "bps"), [(-1, 1000), (100, -1), (100, BPS + 1)])
def test_impossible_fees_are_refused(gross, bps):
    with pytest.raises(ValueError):  # noqa: PT011 -- a programming error, not a user's
        split_fee(gross, bps)


@given(price=amounts, fee_bps=rates, buyer_fee=amounts, share=st.floats(0, 1))
def test_every_movement_balances_and_empties_the_escrow(price, fee_bps, buyer_fee, share):
    order = an_order(price, fee_bps=fee_bps, buyer_fee=buyer_fee)
    seller_share = int(price * share)

    fund = funding(order)
    settle = settlement(order, seller_share=seller_share)

    for movement in (fund, settle):
        assert sum(leg.amount for leg in movement.legs) == 0
    escrow = sum(
        leg.amount
        for movement in (fund, settle)
        for leg in movement.legs
        if leg.kind is AccountKind.ESCROW
    )
    assert escrow == 0
    wallet = sum(leg.amount for leg in settle.legs if leg.kind is AccountKind.WALLET)
    assert wallet == split_fee(seller_share, fee_bps)[1]


def test_a_release_pays_the_seller_the_price_less_the_commission():
    order = an_order(5000, buyer_fee=250)

    release = settlement(order)

    assert release.kind == RELEASE
    assert release.idempotency == f"settle:{order.id}"
    legs = {leg.kind: leg.amount for leg in release.legs}
    assert legs == {
        AccountKind.ESCROW: -5250,
        AccountKind.WALLET: 4500,
        AccountKind.PLATFORM_FEES: 750,
    }


def test_a_split_refunds_the_rest_of_the_price():
    order = an_order(10000)

    split = settlement(order, seller_share=6000)

    assert split.kind == SPLIT
    legs = {leg.kind: leg.amount for leg in split.legs}
    assert legs == {
        AccountKind.ESCROW: -10000,
        AccountKind.WALLET: 5400,
        AccountKind.PLATFORM_FEES: 600,
        AccountKind.REFUNDS: 4000,
    }


def test_a_refund_returns_everything_including_the_buyer_fee():
    order = an_order(10000, buyer_fee=300)

    refund = settlement(order, seller_share=0)

    assert {leg.kind: leg.amount for leg in refund.legs} == {
        AccountKind.ESCROW: -10300,
        AccountKind.REFUNDS: 10300,
    }


def test_every_settlement_of_an_order_shares_one_key():
    order = an_order(10000)

    keys = {settlement(order, seller_share=s).idempotency for s in (0, 5000, 10000)}

    assert keys == {f"settle:{order.id}"}


def test_a_returned_payment_never_touches_an_escrow():
    payment = SimpleNamespace(id=uuid.uuid4(), amount=5000)

    legs = returned(payment).legs

    assert {leg.kind for leg in legs} == {AccountKind.EXTERNAL_FUNDING, AccountKind.REFUNDS}


@pytest.mark.parametrize(
    ("bps", "amount", "expected"), [(5000, None, 5000), (3333, None, 3333), (None, 2500, 2500)]
)
def test_a_split_is_given_in_basis_points_or_minor_units(bps, amount, expected):
    assert seller_share_of(10000, bps=bps, amount=amount) == expected


@pytest.mark.parametrize(
    ("bps", "amount"), [(None, None), (5000, 5000), (10001, None), (-1, None), (None, 10001)]
)
def test_a_split_that_does_not_add_up_is_refused(bps, amount):
    with pytest.raises(ValidationFailed) as refused:
        seller_share_of(10000, bps=bps, amount=amount)

    assert refused.value.code is ErrorCode.INVALID_SPLIT

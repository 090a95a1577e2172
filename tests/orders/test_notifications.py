"""Each move of an order is news for the side that did not make it: one notification each,
stored and heard live, with the type that says what it means to its reader."""

from collections import Counter

import pytest

from models.order import Order, OrderStatus
from schema.relay import decode_id
from tests.inbox import stored


class News:
    """What each user was told since the last look; each of it also heard live, once."""

    def __init__(self, db, inbox, market) -> None:
        self.db, self.inbox = db, inbox
        self.users = [market.buyer, market.seller, market.client, market.freelancer, market.rival]
        self.seen: set = set()

    async def start(self) -> "News":
        await self.inbox.listen(*self.users)
        return self

    async def since_last(self) -> dict[str, list[tuple[str, str]]]:
        every = list(await stored(self.db))
        fresh = [n for n in every if n.id not in self.seen]
        self.seen |= {n.id for n in fresh}
        for user in self.users:
            ids = [str(n.id) for n in every if n.user_id == user.id]
            heard = await self.inbox.heard(user, len(ids))
            assert Counter(heard) == Counter(ids), f"{user.name} heard {heard}, stored {ids}"
        names = {user.id: user.name for user in self.users}
        told: dict[str, list[tuple[str, str]]] = {}
        for n in fresh:
            told.setdefault(names.get(n.user_id, str(n.user_id)), []).append((n.type, n.text))
        return told


@pytest.fixture
async def news(db, inbox, market) -> News:
    return await News(db, inbox, market).start()


async def test_a_bought_order_tells_each_side_what_the_other_did(api, market, news):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    assert await news.since_last() == {
        "Sol Seller": [
            (
                "ORDER_UPDATED",
                "Bea Buyer ordered “Logo design” for $50.00; the work starts once it is paid",
            )
        ]
    }

    await api.pay(market.buyer, order_id)
    told = await news.since_last()
    assert told["Bea Buyer"] == [
        ("PAYMENT_SUCCEEDED", "Your payment of $50.00 for “Logo design” went through")
    ]
    [(kind, text)] = told["Sol Seller"]
    assert kind == "ORDER_UPDATED"
    assert text.startswith("“Logo design” is paid: the work can start, due ")

    await api.deliver(market.seller, order_id)
    assert await news.since_last() == {
        "Bea Buyer": [
            ("ORDER_UPDATED", "“Logo design” was delivered: approve it or ask for a revision")
        ]
    }

    await api.revise(market.buyer, order_id, reason="Bigger, please.")
    assert await news.since_last() == {
        "Sol Seller": [
            ("ORDER_UPDATED", "A revision of “Logo design” was requested: Bigger, please.")
        ]
    }

    await api.deliver(market.seller, order_id)
    assert list(await news.since_last()) == ["Bea Buyer"]

    await api.approve(market.buyer, order_id)
    told = await news.since_last()
    assert sorted(told.pop("Sol Seller")) == [
        ("BADGE_AWARDED", "You earned a badge: First order completed"),
        ("PAYOUT", "“Logo design” is complete: $45.00 was paid into your wallet"),
    ]
    assert told == {}  # the buyer approved: nothing to tell them


async def test_hiring_tells_the_hired_and_the_declined_but_not_the_client(
    api, market, applications, news
):
    hired, _rival = applications
    await news.since_last()  # the applications' own news

    order_id = (await api.accept(market.client, hired))["order"]["id"]

    assert await news.since_last() == {
        "Fin Freelancer": [
            (
                "APPLICATION_ACCEPTED",
                "Your application to “Build my booking site” was accepted: you are hired",
            )
        ],
        "Rae Rival": [
            (
                "APPLICATION_DECLINED",
                "Your application to “Build my booking site” was declined: another applicant "
                "was hired",
            )
        ],
    }
    await api.pay(market.client, order_id)
    told = await news.since_last()
    assert [kind for kind, _ in told["Cleo Client"]] == ["PAYMENT_SUCCEEDED"]
    assert [kind for kind, _ in told["Fin Freelancer"]] == ["ORDER_UPDATED"]


async def test_a_failed_payment_tells_the_buyer_once_and_a_retry_can_succeed(api, market, news):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    await news.since_last()
    funded = await api.fund(market.buyer, order_id)
    await api.confirm(market.buyer, funded["paymentIntent"]["id"], outcome="FAILED")

    told = await news.since_last()
    assert list(told) == ["Bea Buyer"]
    [(kind, text)] = told["Bea Buyer"]
    assert kind == "PAYMENT_FAILED"
    assert text == (
        "Your payment of $50.00 for “Logo design” failed: Your card was declined (simulated); "
        "you can pay again"
    )

    await api.pay(market.buyer, order_id)
    told = await news.since_last()
    assert [kind for kind, _ in told["Bea Buyer"]] == ["PAYMENT_SUCCEEDED"]


async def test_cancelling_tells_the_other_side_and_names_the_refund(api, market, news):
    unpaid = (await api.place(market.buyer, market.service))["order"]["id"]
    await news.since_last()
    await api.cancel(market.buyer, unpaid, reason="Changed my mind")
    assert await news.since_last() == {
        "Sol Seller": [
            ("ORDER_UPDATED", "“Logo design” was cancelled by the buyer: Changed my mind")
        ]
    }

    paid = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.pay(market.buyer, paid)
    await news.since_last()
    await api.cancel(market.seller, paid, reason="Too busy")
    assert await news.since_last() == {
        "Bea Buyer": [
            (
                "ORDER_UPDATED",
                "“Logo design” was cancelled by the seller; $50.00 was refunded to you: Too busy",
            )
        ]
    }


async def test_timers_tell_both_sides(api, db, market, news, services, clock):
    unpaid = (await api.place(market.buyer, market.service))["order"]["id"]
    delivered = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.pay(market.buyer, delivered)
    await api.deliver(market.seller, delivered)
    await news.since_last()

    clock.advance(days=4)
    await services.scheduler.tick()

    told = await news.since_last()
    assert sorted(told["Bea Buyer"]) == [
        ("ORDER_UPDATED", "“Logo design” was cancelled: it was not paid in time"),
        (
            "ORDER_UPDATED",
            "“Logo design” was completed: its review period ended without a revision request",
        ),
    ]
    assert sorted(told["Sol Seller"]) == [
        ("BADGE_AWARDED", "You earned a badge: First order completed"),
        ("ORDER_UPDATED", "“Logo design” was cancelled: it was not paid in time"),
        ("PAYOUT", "“Logo design” is complete: $45.00 was paid into your wallet"),
    ]
    statuses = {
        order_id: (await db.get(Order, decode_id(order_id)[1])).status
        for order_id in (unpaid, delivered)
    }
    assert statuses == {unpaid: OrderStatus.CANCELLED, delivered: OrderStatus.COMPLETED}


async def test_a_dispute_tells_the_other_side_and_its_decision_tells_both(api, market, news):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    await api.pay(market.buyer, order_id)
    await api.deliver(market.seller, order_id)
    await news.since_last()

    opened = await api.open_dispute(market.buyer, order_id, reason="Not what we agreed.")
    assert await news.since_last() == {
        "Sol Seller": [
            (
                "DISPUTE_OPENED",
                "A dispute was opened on “Logo design”; the payment stays in escrow until an "
                "admin decides: Not what we agreed.",
            )
        ]
    }

    await api.resolve(market.admin, opened["dispute"]["id"], "SPLIT", sellerShareBps=6000)
    told = await news.since_last()
    assert told.pop("Bea Buyer") == [
        ("DISPUTE_RESOLVED", "The dispute on “Logo design” was decided: $20.00 was refunded to you")
    ]
    assert sorted(told.pop("Sol Seller")) == [
        ("BADGE_AWARDED", "You earned a badge: First order completed"),
        (
            "DISPUTE_RESOLVED",
            "The dispute on “Logo design” was decided: $27.00 was paid into your wallet",
        ),
    ]
    assert told == {}

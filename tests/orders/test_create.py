"""Creating orders: buying a package, hiring an applicant, and idempotency keys."""

import asyncio

from sqlalchemy import func, select, update

from models.catalog import Application, ApplicationStatus, Gig, GigPackage, GigStatus
from models.chat import Conversation, ConversationParticipant
from models.notification import Notification, NotificationType
from models.order import Order, OrderEvent
from tests.factories import make_gig
from tests.orders.api import gid
from tests.orders.ledger_invariants import assert_ledger_invariants


async def count(db, model):
    return await db.scalar(select(func.count()).select_from(model))


# placeOrder


async def test_an_order_copies_the_package_as_it_is_now(api, db, market):
    payload = await api.place(market.buyer, market.service, package="STANDARD")

    order = payload["order"]
    assert payload["errors"] == []
    assert order["price"] == {"amount": "120.00", "currency": "USD"}
    assert (order["deliveryDays"], order["revisionsIncluded"]) == (3, 1)
    assert order["package"] == {"tier": "STANDARD"}
    assert order["title"] == "Logo design"
    assert order["buyer"]["id"] == gid("User", market.buyer)
    assert order["seller"]["id"] == gid("User", market.seller)
    assert order["expiresAt"] is not None
    assert order["events"] == [
        {
            "status": "PENDING_PAYMENT",
            "previousStatus": None,
            "actor": {"id": gid("User", market.buyer)},
            "reason": None,
            "at": order["events"][0]["at"],
        }
    ]
    await assert_ledger_invariants(db)


async def test_a_package_changed_later_leaves_the_order_as_it_was(api, db, services, market):
    order_id = (await api.place(market.buyer, market.service))["order"]["id"]
    async with services.sessions() as session:
        await session.execute(
            update(GigPackage)
            .where(GigPackage.gig_id == market.service.id)
            .values(price=99900, delivery_days=30, revisions=9)
        )
        await session.commit()

    order = await api.order(market.buyer, order_id)

    assert order["price"] == {"amount": "50.00", "currency": "USD"}
    assert (order["deliveryDays"], order["revisionsIncluded"]) == (3, 1)


async def test_an_order_opens_a_conversation_between_its_two_sides(api, db, market):
    order = (await api.place(market.buyer, market.service))["order"]

    [conversation] = await db.scalars(select(Conversation))
    members = await db.scalars(
        select(ConversationParticipant.user_id).where(
            ConversationParticipant.conversation_id == conversation.id
        )
    )
    assert order["conversationId"] == gid("Conversation", conversation)
    assert sorted(members) == sorted([market.buyer.id, market.seller.id])


async def test_you_cannot_buy_your_own_gig(api, db, market):
    payload = await api.place(market.seller, market.service)

    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("OWN_GIG", ["input", "gigId"])]
    assert await count(db, Order) == 0


async def test_a_request_is_not_bought(api, db, market):
    payload = await api.place(market.buyer, market.request)

    assert [e["code"] for e in payload["errors"]] == ["INVALID"]
    assert await count(db, Order) == 0


async def test_a_paused_gig_is_not_for_sale(api, db, services, market):
    paused = await make_gig(
        services, owner=market.seller, category=market.category, status=GigStatus.PAUSED
    )

    payload = await api.place(market.buyer, paused)

    assert [e["code"] for e in payload["errors"]] == ["GIG_NOT_ACTIVE"]


async def test_a_draft_gig_is_not_found(api, services, market):
    draft = await make_gig(
        services, owner=market.seller, category=market.category, status=GigStatus.DRAFT
    )

    payload = await api.place(market.buyer, draft)

    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]


async def test_a_missing_package_is_refused(api, db, market):
    payload = await api.place(market.buyer, market.service, package="PREMIUM")

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("NOT_FOUND", ["input", "package"])
    ]


async def test_placing_needs_a_signed_in_user(api, market):
    result = await api.call(
        None,
        "mutation($g: ID!) { placeOrder(input: {gigId: $g, package: BASIC}) { errors { code } } }",
        g=gid("Gig", market.service),
    )

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# Idempotency


async def test_a_retry_with_the_same_key_returns_the_first_order(api, db, market):
    first = await api.place(market.buyer, market.service, idempotencyKey="k-1")
    again = await api.place(market.buyer, market.service, idempotencyKey="k-1")

    assert again["errors"] == []
    assert again["order"]["id"] == first["order"]["id"]
    assert await count(db, Order) == 1
    assert await count(db, OrderEvent) == 1


async def test_a_key_reused_with_another_input_is_refused(api, db, market):
    await api.place(market.buyer, market.service, idempotencyKey="k-1")

    payload = await api.place(
        market.buyer, market.service, package="STANDARD", idempotencyKey="k-1"
    )

    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", ["input", "idempotencyKey"])
    ]
    assert await count(db, Order) == 1
    await assert_ledger_invariants(db)


async def test_keys_belong_to_one_user(api, db, market):
    await api.place(market.buyer, market.service, idempotencyKey="k-1")

    payload = await api.place(market.stranger, market.service, idempotencyKey="k-1")

    assert payload["errors"] == []
    assert await count(db, Order) == 2


async def test_concurrent_retries_with_one_key_make_one_order(api, db, market):
    payloads = await asyncio.gather(
        *(api.place(market.buyer, market.service, idempotencyKey="k-1") for _ in range(5))
    )

    assert all(p["errors"] == [] for p in payloads)
    assert len({p["order"]["id"] for p in payloads}) == 1
    assert await count(db, Order) == 1


async def test_orders_without_a_key_are_each_new(api, db, market):
    await api.place(market.buyer, market.service)
    await api.place(market.buyer, market.service)

    assert await count(db, Order) == 2


# acceptApplication


async def test_hiring_makes_an_order_at_the_applicants_price(api, db, market, applications):
    hired, rival = applications

    payload = await api.accept(market.client, hired)

    order = payload["order"]
    assert payload["errors"] == []
    assert order["status"] == "PENDING_PAYMENT"
    assert order["price"] == {"amount": "400.00", "currency": "USD"}
    assert order["deliveryDays"] == 7
    assert order["package"] is None
    assert order["buyer"]["id"] == gid("User", market.client)
    assert order["seller"]["id"] == gid("User", market.freelancer)
    statuses = {a.id: a.status for a in await db.scalars(select(Application))}
    assert statuses == {hired.id: ApplicationStatus.ACCEPTED, rival.id: ApplicationStatus.DECLINED}
    await assert_ledger_invariants(db)


async def test_hiring_notifies_both_applicants_and_closes_the_request(
    api, db, market, applications
):
    hired, _rival = applications

    await api.accept(market.client, hired)

    notes = {(n.user_id, n.type) for n in await db.scalars(select(Notification))}
    assert notes == {
        (market.freelancer.id, NotificationType.APPLICATION_ACCEPTED),
        (market.rival.id, NotificationType.APPLICATION_DECLINED),
    }
    gig = await db.get(Gig, market.request.id)
    assert gig.status is GigStatus.PAUSED


async def test_only_the_gigs_owner_hires(api, db, market, applications):
    hired, _ = applications

    result = await api.call(
        market.freelancer,
        "mutation($a: ID!) { acceptApplication(input: {applicationId: $a}) { errors { code } } }",
        a=gid("Application", hired),
    )

    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await count(db, Order) == 0


async def test_a_stranger_sees_no_application_to_hire(api, db, market, applications):
    hired, _ = applications

    payload = await api.accept(market.stranger, hired)

    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]


async def test_an_application_is_hired_once(api, db, market, applications):
    hired, _ = applications
    await api.accept(market.client, hired)

    payload = await api.accept(market.client, hired)

    assert [e["code"] for e in payload["errors"]] == ["INVALID_TRANSITION"]
    assert await count(db, Order) == 1


async def test_a_declined_application_cannot_be_hired(api, db, market, applications):
    hired, rival = applications
    await api.accept(market.client, hired)

    payload = await api.accept(market.client, rival)

    assert [e["code"] for e in payload["errors"]] == ["INVALID_TRANSITION"]


async def test_a_hire_retried_with_its_key_returns_the_first_order(api, db, market, applications):
    hired, _rival = applications
    first = await api.accept(market.client, hired, idempotencyKey="hire-1")

    again = await api.accept(market.client, hired, idempotencyKey="hire-1")

    assert again["errors"] == []
    assert again["order"]["id"] == first["order"]["id"]


async def test_concurrent_hires_with_one_key_make_one_order(api, db, market, applications):
    hired, _ = applications

    payloads = await asyncio.gather(
        *(api.accept(market.client, hired, idempotencyKey="hire-1") for _ in range(5))
    )

    assert all(p["errors"] == [] for p in payloads)
    assert len({p["order"]["id"] for p in payloads}) == 1
    assert await count(db, Order) == 1


async def test_a_hire_key_reused_for_another_application_is_refused(api, market, applications):
    hired, rival = applications
    await api.accept(market.client, hired, idempotencyKey="hire-1")

    payload = await api.accept(market.client, rival, idempotencyKey="hire-1")

    assert [e["code"] for e in payload["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]

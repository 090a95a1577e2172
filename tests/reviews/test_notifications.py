"""The notification centre: stored, announced live, listed, marked read, emailed per choice."""

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.account import OutboundMessage
from models.catalog import ApplicationStatus, GigKind
from models.notification import Notification, NotificationType
from models.types import utcnow
from models.user import User, UserRole
from resolvers.notifications import notify, send_email_digests
from schema.relay import encode_id
from tests.factories import make_application, make_gig, make_user, outbox, token_for
from tests.reviews.conftest import acting, assert_notified_once, stored
from tests.reviews.documents import (
    MARK_READ,
    NOTIFICATIONS,
    PREFERENCES,
    VIEWER_PREFERENCES,
)

T = NotificationType
DECLINE = """
mutation($id: ID!) { declineApplication(input: {applicationId: $id}) { errors { code } } }
"""
DIGEST = timedelta(hours=1)


async def send(services, user, kind=T.ORDER_UPDATED, text="Something happened", target=None):
    """Notify `user` and commit, as a use-case would."""
    async with acting(services) as ctx:
        notification = await notify(ctx, user_id=user.id, type=kind, text=text, target_id=target)
        await ctx.commit()
    return notification


async def verified_user(services, **fields):
    return await make_user(services, email_verified_at=utcnow(), **fields)


async def listing(gql, services, user, **variables):
    result = await gql(NOTIFICATIONS, variables, token=token_for(services, user))
    assert "errors" not in result, result
    return result["data"]


async def mark(gql, services, user, **input):
    result = await gql(MARK_READ, {"input": input}, token=token_for(services, user))
    return result["data"]["markNotificationsRead"]


def gid(notification):
    return encode_id("Notification", notification.id)


# notify


async def test_notify_stores_and_announces_after_the_commit(services, db, market, inbox):
    await inbox.listen(market.seller)
    target = encode_id("Order", market.gig.id)

    async with acting(services) as ctx:
        notification = await notify(
            ctx, user_id=market.seller.id, type=T.ORDER_UPDATED, text="Paid", target_id=target
        )
        await asyncio.sleep(0.05)
        assert inbox.events[market.seller.id] == []  # not before the commit
        await ctx.commit()

    [row] = await stored(db)
    assert (row.id, row.user_id, row.type, row.text, row.target_id, row.read_at) == (
        notification.id,
        market.seller.id,
        T.ORDER_UPDATED,
        "Paid",
        target,
        None,
    )
    assert await inbox.heard(market.seller, 1) == [str(row.id)]


async def test_a_rolled_back_notification_is_neither_stored_nor_announced(
    services, db, market, inbox
):
    await inbox.listen(market.seller)

    async with acting(services) as ctx:
        await notify(ctx, user_id=market.seller.id, type=T.PAYOUT, text="Paid out", target_id=None)
        await ctx.rollback()

    assert await stored(db) == []
    assert await inbox.heard(market.seller, 0) == []


async def test_a_long_text_is_cut_to_500_characters(services, db, market):
    await send(services, market.seller, text="word " * 200)

    [row] = await stored(db)
    assert len(row.text) == 500
    assert row.text.endswith("…")


# Events of the catalogue: each exactly one notification, for the right user


async def test_a_new_application_notifies_the_gig_owner(gql, services, db, market, inbox):
    freelancer = await make_user(services, role=UserRole.FREELANCER, name="Fay")
    await inbox.listen(market.buyer, freelancer)
    letter = "I have built three booking sites like this one; here is how I would do yours."

    result = await gql(
        """mutation($input: ApplyToGigInput!) {
             applyToGig(input: $input) { application { id } errors { code } } }""",
        {
            "input": {
                "gigId": encode_id("Gig", market.request.id),
                "coverLetter": letter,
                "price": "300.00",
                "deliveryDays": 5,
            }
        },
        token=token_for(services, freelancer),
    )

    application_id = result["data"]["applyToGig"]["application"]["id"]
    note = await assert_notified_once(db, inbox, market.buyer, T.APPLICATION_RECEIVED)
    assert note.text == "Fay applied to “Build my site”"
    assert note.target_id == application_id
    assert await inbox.heard(freelancer, 0) == []


async def test_a_declined_application_notifies_the_freelancer(gql, services, db, market, inbox):
    freelancer = await make_user(services, role=UserRole.FREELANCER)
    application = await make_application(services, gig=market.request, freelancer=freelancer)
    await inbox.listen(market.buyer, freelancer)

    await gql(
        DECLINE,
        {"id": encode_id("Application", application.id)},
        token=token_for(services, market.buyer),
    )

    note = await assert_notified_once(db, inbox, freelancer, T.APPLICATION_DECLINED)
    assert note.text == "Your application to “Build my site” was declined"
    assert note.target_id == encode_id("Application", application.id)
    assert await inbox.heard(market.buyer, 0) == []


async def test_a_refused_decline_notifies_nobody(gql, services, db, market, inbox):
    freelancer = await make_user(services, role=UserRole.FREELANCER)
    application = await make_application(
        services, gig=market.request, freelancer=freelancer, status=ApplicationStatus.WITHDRAWN
    )
    await inbox.listen(freelancer)

    await gql(
        DECLINE,
        {"id": encode_id("Application", application.id)},
        token=token_for(services, market.buyer),
    )

    assert await stored(db) == []
    assert await inbox.heard(freelancer, 0) == []


# notifications(first, after, unreadOnly) and viewer.unreadNotificationCount


async def test_the_viewer_lists_their_own_notifications_newest_first(gql, services, market):
    sent = [await send(services, market.seller, text=f"Event {n}") for n in range(3)]
    await send(services, market.buyer, text="Not yours")

    data = await listing(gql, services, market.seller)

    page = data["notifications"]
    assert [edge["node"]["id"] for edge in page["edges"]] == [gid(n) for n in reversed(sent)]
    assert [edge["node"]["text"] for edge in page["edges"]] == ["Event 2", "Event 1", "Event 0"]
    assert page["totalCount"] == 3
    assert {edge["node"]["read"] for edge in page["edges"]} == {False}
    assert data["viewer"]["unreadNotificationCount"] == 3


async def test_notifications_page_by_cursor(gql, services, market):
    sent = [await send(services, market.seller, text=f"Event {n}") for n in range(5)]

    first = (await listing(gql, services, market.seller, first=2))["notifications"]
    rest = (
        await listing(gql, services, market.seller, first=10, after=first["pageInfo"]["endCursor"])
    )["notifications"]

    assert first["pageInfo"]["hasNextPage"] is True
    ids = [edge["node"]["id"] for edge in first["edges"] + rest["edges"]]
    assert ids == [gid(n) for n in reversed(sent)]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_unread_only_leaves_out_what_was_read(gql, services, market):
    read, unread = await send(services, market.seller), await send(services, market.seller)
    await mark(gql, services, market.seller, ids=[gid(read)])

    data = await listing(gql, services, market.seller, unreadOnly=True)

    assert [edge["node"]["id"] for edge in data["notifications"]["edges"]] == [gid(unread)]
    assert data["viewer"]["unreadNotificationCount"] == 1


async def test_notifications_need_a_signed_in_viewer(gql, services, market):
    result = await gql(NOTIFICATIONS, {})

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_unread_count_is_the_users_own_business(gql, services, market):
    await send(services, market.seller)
    query = """
      query($id: ID!) { user(id: $id) { unreadNotificationCount notificationPreferences { type } } }
    """

    for viewer in (market.buyer, market.admin, None):
        token = token_for(services, viewer) if viewer else None
        result = await gql(query, {"id": encode_id("User", market.seller.id)}, token=token)
        assert result["data"]["user"] == {
            "unreadNotificationCount": None,
            "notificationPreferences": None,
        }


async def test_a_notification_is_a_node_only_for_its_user(gql, services, market):
    notification = await send(services, market.seller, text="Yours")
    query = "query($id: ID!) { node(id: $id) { ... on Notification { text read } } }"

    mine = await gql(query, {"id": gid(notification)}, token=token_for(services, market.seller))
    theirs = await gql(query, {"id": gid(notification)}, token=token_for(services, market.admin))

    assert mine["data"]["node"] == {"text": "Yours", "read": False}
    assert theirs["data"]["node"] is None


# markNotificationsRead


async def read_state(db):
    return sorted((n.id, n.read_at) for n in await db.scalars(select(Notification)))


async def test_marking_by_id_counts_what_was_newly_read(gql, services, db, market):
    a, b, _c = [await send(services, market.seller) for _ in range(3)]

    payload = await mark(gql, services, market.seller, ids=[gid(a), gid(b)])
    again = await mark(gql, services, market.seller, ids=[gid(a)])

    assert payload == {"markedCount": 2, "unreadCount": 1, "errors": []}
    assert again == {"markedCount": 0, "unreadCount": 1, "errors": []}
    assert (await db.get(Notification, a.id)).read_at is not None


async def test_marking_all_reads_every_one_of_the_viewers_only(gql, services, db, market):
    for _ in range(3):
        await send(services, market.seller)
    other = await send(services, market.buyer)

    payload = await mark(gql, services, market.seller, all=True)

    assert payload == {"markedCount": 3, "unreadCount": 0, "errors": []}
    assert (await db.get(Notification, other.id)).read_at is None


async def test_marking_someone_elses_notification_is_refused_and_marks_nothing(
    gql, services, db, market
):
    mine = await send(services, market.seller)
    theirs = await send(services, market.buyer)
    before = await read_state(db)

    payload = await mark(gql, services, market.seller, ids=[gid(mine), gid(theirs)])

    assert payload["markedCount"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("NOT_FOUND", ["input", "ids", "1"])
    ]
    assert await read_state(db) == before


@pytest.mark.parametrize(
    ("input", "code"),
    [
        ({"ids": ["bm9wZQ=="]}, ("NOT_FOUND", ["input", "ids", "0"])),
        ({"ids": [encode_id("Review", uuid.uuid4())]}, ("NOT_FOUND", ["input", "ids", "0"])),
        (
            {"ids": ["MINE", encode_id("Notification", uuid.uuid4())]},
            ("NOT_FOUND", ["input", "ids", "1"]),
        ),
        ({}, ("REQUIRED", ["input", "ids"])),
        ({"all": True, "ids": ["MINE"]}, ("INVALID", ["input", "all"])),
    ],
)
async def test_bad_mark_requests_are_refused(gql, services, db, market, input, code):
    mine = await send(services, market.seller)
    if "ids" in input:
        input = {**input, "ids": [gid(mine) if key == "MINE" else key for key in input["ids"]]}
    before = await read_state(db)

    payload = await mark(gql, services, market.seller, **input)

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [code]
    assert await read_state(db) == before


# Email: per preference, verified addresses only, chat messages in a digest


async def emails(db, user):
    return [m for m in await outbox(db, user.email) if m.channel.value == "EMAIL"]


async def test_a_notification_is_emailed_to_a_verified_address_by_default(services, db):
    user = await verified_user(services, name="Vera")

    await send(services, user, T.PAYMENT_SUCCEEDED, "Payment of $50.00 received for “Logo”")

    [email] = await emails(db, user)
    assert email.subject == "Payment of $50.00 received for “Logo”"
    assert "Hello Vera" in email.body
    assert "Payment of $50.00 received for “Logo”" in email.body


async def test_an_unverified_address_gets_no_email(services, db, market):
    await send(services, market.seller, T.PAYMENT_SUCCEEDED)

    assert await emails(db, market.seller) == []
    assert len(await stored(db)) == 1


async def test_a_type_turned_off_is_stored_but_not_emailed(gql, services, db):
    user = await verified_user(services)
    result = await gql(
        PREFERENCES,
        {"input": {"preferences": [{"type": "PAYMENT_SUCCEEDED", "email": False}]}},
        token=token_for(services, user),
    )
    assert result["data"]["updateNotificationPreferences"]["errors"] == []

    await send(services, user, T.PAYMENT_SUCCEEDED)
    await send(services, user, T.PAYMENT_FAILED)

    assert [m.subject for m in await emails(db, user)] == ["Something happened"]
    assert len(await stored(db, user)) == 2


async def test_preferences_default_to_email_and_change_per_type(gql, services, market):
    token = token_for(services, market.seller)

    result = await gql(
        PREFERENCES,
        {
            "input": {
                "preferences": [
                    {"type": "MESSAGE_RECEIVED", "email": False},
                    {"type": "PAYOUT", "email": False},
                ]
            }
        },
        token=token,
    )
    await gql(
        PREFERENCES,
        {"input": {"preferences": [{"type": "PAYOUT", "email": True}]}},
        token=token,
    )
    viewer = await gql(VIEWER_PREFERENCES, token=token)

    payload = result["data"]["updateNotificationPreferences"]
    off = {p["type"] for p in payload["preferences"] if not p["email"]}
    assert off == {"MESSAGE_RECEIVED", "PAYOUT"}
    assert len(payload["preferences"]) == len(NotificationType)
    now_off = {
        p["type"] for p in viewer["data"]["viewer"]["notificationPreferences"] if not p["email"]
    }
    assert now_off == {"MESSAGE_RECEIVED"}


async def test_a_type_given_twice_is_refused(gql, services, db, market):
    result = await gql(
        PREFERENCES,
        {
            "input": {
                "preferences": [
                    {"type": "PAYOUT", "email": False},
                    {"type": "PAYOUT", "email": True},
                ]
            }
        },
        token=token_for(services, market.seller),
    )

    payload = result["data"]["updateNotificationPreferences"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("DUPLICATE", ["input", "preferences", "1"])
    ]


async def digests(services, *, after):
    async with acting(services) as ctx:
        return await send_email_digests(ctx, now=utcnow() + after)


async def test_chat_messages_reach_email_as_one_digest(services, db):
    user = await verified_user(services)
    await send(services, user, T.MESSAGE_RECEIVED, "Bea: are the source files included?")
    await send(services, user, T.MESSAGE_RECEIVED, "Bea: and the fonts?")
    assert await emails(db, user) == []

    assert await digests(services, after=DIGEST - timedelta(minutes=1)) == 0
    assert await digests(services, after=DIGEST + timedelta(seconds=1)) == 1
    assert await digests(services, after=DIGEST * 2) == 0

    [email] = await emails(db, user)
    assert email.subject == "You have 2 new messages on Gigstream"
    assert "- Bea: are the source files included?\n- Bea: and the fonts?" in email.body
    assert [n.digest_due_at for n in await stored(db, user)] == [None, None]


async def test_messages_read_before_the_digest_are_left_out(gql, services, db):
    user = await verified_user(services)
    read = await send(services, user, T.MESSAGE_RECEIVED, "Read already")
    await send(services, user, T.MESSAGE_RECEIVED, "Still unread")
    await mark(gql, services, user, ids=[gid(read)])

    assert await digests(services, after=DIGEST + timedelta(seconds=1)) == 1

    [email] = await emails(db, user)
    assert email.subject == "You have 1 new message on Gigstream"
    assert "Still unread" in email.body
    assert "Read already" not in email.body


async def test_all_messages_read_means_no_digest(gql, services, db):
    user = await verified_user(services)
    await send(services, user, T.MESSAGE_RECEIVED)
    await mark(gql, services, user, all=True)

    assert await digests(services, after=DIGEST + timedelta(seconds=1)) == 0
    assert await emails(db, user) == []


async def test_two_digest_runs_at_once_send_one_digest(services, db):
    users = [await verified_user(services) for _ in range(3)]
    for user in users:
        await send(services, user, T.MESSAGE_RECEIVED)

    results = await asyncio.gather(*(digests(services, after=DIGEST * 2) for _ in range(2)))

    assert sum(results) == 3
    for user in users:
        assert len(await emails(db, user)) == 1


async def test_messages_turned_off_are_not_digested(gql, services, db):
    user = await verified_user(services)
    await gql(
        PREFERENCES,
        {"input": {"preferences": [{"type": "MESSAGE_RECEIVED", "email": False}]}},
        token=token_for(services, user),
    )

    await send(services, user, T.MESSAGE_RECEIVED)

    assert (await stored(db, user))[0].digest_due_at is None
    assert await digests(services, after=DIGEST * 2) == 0


async def test_a_request_owner_gets_the_application_by_email(gql, services, db, market):
    owner = await verified_user(services, role=UserRole.CLIENT)
    request = await make_gig(
        services, owner=owner, category=market.category, kind=GigKind.REQUEST, title="Logo"
    )
    freelancer = await make_user(services, role=UserRole.FREELANCER, name="Fay")

    await gql(
        """mutation($input: ApplyToGigInput!) { applyToGig(input: $input) { errors { code } } }""",
        {
            "input": {
                "gigId": encode_id("Gig", request.id),
                "coverLetter": "A cover letter long enough to be accepted by the rules.",
                "price": "100.00",
                "deliveryDays": 3,
            }
        },
        token=token_for(services, freelancer),
    )

    assert [m.subject for m in await emails(db, owner)] == ["Fay applied to “Logo”"]
    assert await db.scalar(select(User.email).where(User.id == owner.id)) == owner.email
    assert len(await db.scalars(select(OutboundMessage))) == 1

"""Applying to REQUEST gigs, withdrawing and declining; who sees which application."""

import asyncio
import base64
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from models.catalog import Application, ApplicationStatus, Gig, GigKind, GigStatus
from models.types import utcnow
from models.user import User, UserRole
from resolvers import applications
from schema.relay import encode_id
from tests.factories import make_application, make_category, make_gig, make_user, token_for
from tests.statements import counting_statements

APPLICATION_FIELDS = """
  id status coverLetter price { amount currency } deliveryDays createdAt decidedAt
  gig { id } freelancer { id }
"""
APPLY = f"""
mutation($input: ApplyToGigInput!) {{
  applyToGig(input: $input) {{
    application {{ {APPLICATION_FIELDS} }} errors {{ field code message }}
  }}
}}"""
WITHDRAW = f"""
mutation($id: ID!) {{
  withdrawApplication(input: {{applicationId: $id}}) {{
    application {{ {APPLICATION_FIELDS} }} errors {{ field code message }}
  }}
}}"""
DECLINE = f"""
mutation($id: ID!) {{
  declineApplication(input: {{applicationId: $id}}) {{
    application {{ {APPLICATION_FIELDS} }} errors {{ field code message }}
  }}
}}"""
PAGE = "totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor }"
GIG_APPLICATIONS = f"""
query($id: ID!, $first: Int, $after: String) {{
  gig(id: $id) {{ applications(first: $first, after: $after) {{ {PAGE} }} }}
}}"""
VIEWER_APPLICATIONS = f"""
query($first: Int, $after: String) {{
  viewer {{ applications(first: $first, after: $after) {{ {PAGE} }} }}
}}"""
USER_APPLICATIONS = "query($id: ID!) { user(id: $id) { applications { edges { node { id } } } } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Application { status } } }"
FEED_APPLICATIONS = """
query {
  gigs(first: 20) { edges { node { applications(first: 5) { edges { node { id } } } } } }
}"""
LETTER = "I have built three booking sites like this one; here is how I would do yours."


@dataclass
class World:
    owner: User
    applicant: User
    stranger: User
    admin: User
    gig: Gig
    category: object


@pytest.fixture
async def world(services):
    category = await make_category(services)
    owner = await make_user(services, role=UserRole.CLIENT, name="Cal")
    return World(
        owner=owner,
        applicant=await make_user(services, role=UserRole.FREELANCER, name="Fay"),
        stranger=await make_user(services, role=UserRole.FREELANCER, name="Sam"),
        admin=await make_user(services, role=UserRole.ADMIN, name="Ada"),
        gig=await make_gig(services, owner=owner, category=category, kind=GigKind.REQUEST),
        category=category,
    )


def apply_input(gig, **overrides):
    return {
        "gigId": encode_id("Gig", gig.id),
        "coverLetter": LETTER,
        "price": "350.00",
        "deliveryDays": 10,
        **overrides,
    }


def gid(application):
    return encode_id("Application", application.id)


async def rows(db):
    """Every application as (id, status, decided_at): what a failure must leave untouched."""
    found = await db.scalars(select(Application).order_by(Application.created_at))
    return [(a.id, a.status, a.decided_at) for a in found]


async def apply(gql, services, user, gig, **overrides):
    result = await gql(
        APPLY, {"input": apply_input(gig, **overrides)}, token=token_for(services, user)
    )
    return result["data"]["applyToGig"]


# Applying


async def test_a_freelancer_applies_to_an_active_request(gql, services, db, world):
    payload = await apply(gql, services, world.applicant, world.gig)

    assert payload["errors"] == []
    application = payload["application"]
    assert application["status"] == "PENDING"
    assert application["coverLetter"] == LETTER
    assert application["price"] == {"amount": "350.00", "currency": "USD"}
    assert application["deliveryDays"] == 10
    assert application["decidedAt"] is None
    assert application["gig"]["id"] == encode_id("Gig", world.gig.id)
    assert application["freelancer"]["id"] == encode_id("User", world.applicant.id)
    [stored] = await db.scalars(select(Application))
    assert (stored.gig_id, stored.freelancer_id, stored.price) == (
        world.gig.id,
        world.applicant.id,
        35000,
    )


async def test_applying_twice_is_already_applied(gql, services, db, world):
    await apply(gql, services, world.applicant, world.gig)
    before = await rows(db)

    payload = await apply(gql, services, world.applicant, world.gig)

    assert payload["application"] is None
    assert [e["code"] for e in payload["errors"]] == ["ALREADY_APPLIED"]
    assert payload["errors"][0]["field"] == ["input", "gigId"]
    assert await rows(db) == before


async def test_two_applies_at_once_make_one_application(gql, services, db, world):
    first, second = await asyncio.gather(
        apply(gql, services, world.applicant, world.gig),
        apply(gql, services, world.applicant, world.gig),
    )

    codes = sorted(e["code"] for p in (first, second) for e in p["errors"])
    assert codes == ["ALREADY_APPLIED"]
    assert len(await rows(db)) == 1


async def test_an_apply_that_only_the_unique_index_stops_is_already_applied(
    gql, services, db, world, monkeypatch
):
    # What a concurrent apply looks like when it commits between our check and our insert.
    await make_application(services, gig=world.gig, freelancer=world.applicant)
    before = await rows(db)

    async def not_yet(*_args, **_kwargs):
        return False

    monkeypatch.setattr(applications, "_pending_exists", not_yet)
    payload = await apply(gql, services, world.applicant, world.gig)

    assert [e["code"] for e in payload["errors"]] == ["ALREADY_APPLIED"]
    assert await rows(db) == before


@pytest.mark.parametrize("status", [ApplicationStatus.WITHDRAWN, ApplicationStatus.DECLINED])
async def test_a_withdrawn_or_declined_applicant_may_apply_again(gql, services, db, world, status):
    await make_application(
        services, gig=world.gig, freelancer=world.applicant, status=status, decided_at=utcnow()
    )

    payload = await apply(gql, services, world.applicant, world.gig)

    assert payload["errors"] == []
    assert sorted(s for _, s, _ in await rows(db)) == sorted([status, ApplicationStatus.PENDING])


async def test_another_freelancer_may_apply_to_the_same_gig(gql, services, world):
    await make_application(services, gig=world.gig, freelancer=world.applicant)

    payload = await apply(gql, services, world.stranger, world.gig)

    assert payload["errors"] == []


async def test_applying_to_your_own_gig_is_own_gig(gql, services, db, world):
    # Only clients post requests, so this is a freelancer's request made before a role change.
    own = await make_gig(
        services, owner=world.applicant, category=world.category, kind=GigKind.REQUEST
    )

    payload = await apply(gql, services, world.applicant, own)

    assert [e["code"] for e in payload["errors"]] == ["OWN_GIG"]
    assert await rows(db) == []


@pytest.mark.parametrize("status", [GigStatus.PAUSED, GigStatus.ARCHIVED])
async def test_applying_to_a_paused_or_archived_gig_is_gig_not_active(
    gql, services, db, world, status
):
    await db.execute(update(Gig).where(Gig.id == world.gig.id).values(status=status))

    payload = await apply(gql, services, world.applicant, world.gig)

    assert [e["code"] for e in payload["errors"]] == ["GIG_NOT_ACTIVE"]
    assert await rows(db) == []


async def test_applying_after_the_deadline_is_gig_not_active(gql, services, db, world):
    past = utcnow() - timedelta(minutes=1)
    await db.execute(update(Gig).where(Gig.id == world.gig.id).values(deadline=past))

    payload = await apply(gql, services, world.applicant, world.gig)

    assert [e["code"] for e in payload["errors"]] == ["GIG_NOT_ACTIVE"]
    assert await rows(db) == []


async def test_applying_to_someone_elses_unpublished_draft_is_not_found(gql, services, db, world):
    draft = await make_gig(
        services,
        owner=world.owner,
        category=world.category,
        kind=GigKind.REQUEST,
        status=GigStatus.DRAFT,
    )

    payload = await apply(gql, services, world.applicant, draft)

    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]
    assert await rows(db) == []


async def test_applying_to_a_service_gig_is_invalid(gql, services, db, world):
    seller = await make_user(services, role=UserRole.FREELANCER)
    service = await make_gig(services, owner=seller, category=world.category)

    payload = await apply(gql, services, world.applicant, service)

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID", ["input", "gigId"])]
    assert await rows(db) == []


@pytest.mark.parametrize("role", [UserRole.CLIENT, UserRole.ADMIN])
async def test_only_a_freelancer_may_apply(gql, services, db, world, role):
    user = await make_user(services, role=role)

    payload = await apply(gql, services, user, world.gig)

    assert [e["code"] for e in payload["errors"]] == ["NOT_ALLOWED"]
    assert await rows(db) == []


async def test_applying_anonymously_is_unauthenticated(gql, db, world):
    result = await gql(APPLY, {"input": apply_input(world.gig)})

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await rows(db) == []


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"coverLetter": "Pick me, please."}, "coverLetter", "TOO_SHORT"),
        ({"coverLetter": "x" * 5001}, "coverLetter", "TOO_LONG"),
        ({"coverLetter": "   "}, "coverLetter", "REQUIRED"),
        ({"price": "1000000.01"}, "price", "OUT_OF_RANGE"),
        ({"price": "0"}, "price", "OUT_OF_RANGE"),
        ({"price": "-5.00"}, "price", "INVALID"),
        ({"price": "10.005"}, "price", "INVALID"),
        ({"price": "NaN"}, "price", "INVALID"),
        ({"deliveryDays": 0}, "deliveryDays", "OUT_OF_RANGE"),
        ({"deliveryDays": 91}, "deliveryDays", "OUT_OF_RANGE"),
    ],
    ids=[
        "letter-short",
        "letter-long",
        "letter-blank",
        "price-too-high",
        "price-zero",
        "price-negative",
        "price-three-decimals",
        "price-nan",
        "days-zero",
        "days-91",
    ],
)
async def test_a_bad_input_is_refused_and_stores_nothing(
    gql, services, db, world, overrides, field, code
):
    payload = await apply(gql, services, world.applicant, world.gig, **overrides)

    assert payload["application"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["input", field], code)]
    assert await rows(db) == []


async def test_the_limits_themselves_are_accepted(gql, services, world):
    payload = await apply(
        gql,
        services,
        world.applicant,
        world.gig,
        coverLetter="x" * 20,
        price="1000000.00",
        deliveryDays=90,
    )

    assert payload["errors"] == []
    assert payload["application"]["price"]["amount"] == "1000000.00"


def bad_ids(type_name):
    return [
        encode_id(type_name, uuid.uuid4()),
        "not-an-id",
        base64.b64encode(b"Gig:nonsense").decode(),
        encode_id("User", uuid.uuid4()),
    ]


@pytest.mark.parametrize("gig_id", bad_ids("Gig"), ids=["unknown", "malformed", "bad-key", "user"])
async def test_applying_to_an_unknown_malformed_or_foreign_id_is_not_found(
    gql, services, db, world, gig_id
):
    payload = await apply(gql, services, world.applicant, world.gig, gigId=gig_id)

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["input", "gigId"], "NOT_FOUND")
    ]
    assert await rows(db) == []


# Withdrawing and declining


async def test_the_applicant_withdraws_a_pending_application(gql, services, db, world):
    application = await make_application(services, gig=world.gig, freelancer=world.applicant)

    result = await gql(
        WITHDRAW, {"id": gid(application)}, token=token_for(services, world.applicant)
    )

    payload = result["data"]["withdrawApplication"]
    assert payload["errors"] == []
    assert payload["application"]["status"] == "WITHDRAWN"
    assert payload["application"]["decidedAt"] is not None
    stored = await db.get(Application, application.id)
    assert stored.status is ApplicationStatus.WITHDRAWN
    assert stored.decided_at is not None


async def test_the_owner_declines_a_pending_application(gql, services, db, world):
    application = await make_application(services, gig=world.gig, freelancer=world.applicant)

    result = await gql(DECLINE, {"id": gid(application)}, token=token_for(services, world.owner))

    payload = result["data"]["declineApplication"]
    assert payload["errors"] == []
    assert payload["application"]["status"] == "DECLINED"
    stored = await db.get(Application, application.id)
    assert stored.status is ApplicationStatus.DECLINED
    assert stored.decided_at is not None


@pytest.mark.parametrize(("document", "name"), [(WITHDRAW, "withdraw"), (DECLINE, "decline")])
async def test_someone_elses_application_looks_like_a_missing_one(
    gql, services, db, world, document, name
):
    application = await make_application(services, gig=world.gig, freelancer=world.applicant)
    before = await rows(db)

    result = await gql(
        document, {"id": gid(application)}, token=token_for(services, world.stranger)
    )

    [payload] = result["data"].values()
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["input", "applicationId"], "NOT_FOUND")
    ]
    assert await rows(db) == before


@pytest.mark.parametrize(("document", "name"), [(WITHDRAW, "withdraw"), (DECLINE, "decline")])
@pytest.mark.parametrize(
    "application_id",
    bad_ids("Application"),
    ids=["unknown", "malformed", "bad-key", "user"],
)
async def test_an_unknown_malformed_or_foreign_application_id_is_not_found(
    gql, services, world, document, name, application_id
):
    result = await gql(document, {"id": application_id}, token=token_for(services, world.owner))

    [payload] = result["data"].values()
    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]


@pytest.mark.parametrize("who", ["owner", "admin"])
async def test_only_the_applicant_may_withdraw(gql, services, db, world, who):
    application = await make_application(services, gig=world.gig, freelancer=world.applicant)
    before = await rows(db)

    result = await gql(
        WITHDRAW, {"id": gid(application)}, token=token_for(services, getattr(world, who))
    )

    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await rows(db) == before


@pytest.mark.parametrize("who", ["applicant", "admin"])
async def test_only_the_gigs_owner_may_decline(gql, services, db, world, who):
    application = await make_application(services, gig=world.gig, freelancer=world.applicant)
    before = await rows(db)

    result = await gql(
        DECLINE, {"id": gid(application)}, token=token_for(services, getattr(world, who))
    )

    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await rows(db) == before


@pytest.mark.parametrize(
    ("document", "who"), [(WITHDRAW, "applicant"), (DECLINE, "owner")], ids=["withdraw", "decline"]
)
@pytest.mark.parametrize(
    "status",
    [ApplicationStatus.WITHDRAWN, ApplicationStatus.DECLINED, ApplicationStatus.ACCEPTED],
)
async def test_a_decided_application_cannot_be_decided_again(
    gql, services, db, world, document, who, status
):
    decided = utcnow() - timedelta(days=1)
    application = await make_application(
        services, gig=world.gig, freelancer=world.applicant, status=status, decided_at=decided
    )
    before = await rows(db)

    result = await gql(
        document, {"id": gid(application)}, token=token_for(services, getattr(world, who))
    )

    [payload] = result["data"].values()
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["input", "applicationId"], "INVALID_TRANSITION")
    ]
    assert await rows(db) == before


# Who sees which application


async def three_applications(services, world):
    """Two by the applicant (on two gigs) and one by a stranger, a minute apart, oldest first."""
    start = utcnow() - timedelta(hours=1)
    second_gig = await make_gig(
        services, owner=world.owner, category=world.category, kind=GigKind.REQUEST
    )
    return [
        await make_application(
            services, gig=gig, freelancer=freelancer, created_at=start + timedelta(minutes=n)
        )
        for n, (gig, freelancer) in enumerate(
            [
                (world.gig, world.applicant),
                (world.gig, world.stranger),
                (second_gig, world.applicant),
            ]
        )
    ]


async def gig_application_ids(gql, services, world, user):
    token = token_for(services, user) if user is not None else None
    result = await gql(GIG_APPLICATIONS, {"id": encode_id("Gig", world.gig.id)}, token=token)
    connection = result["data"]["gig"]["applications"]
    return [edge["node"]["id"] for edge in connection["edges"]], connection["totalCount"]


async def test_the_gigs_owner_and_admins_see_every_application_newest_first(gql, services, world):
    mine, theirs, _ = await three_applications(services, world)

    for user in (world.owner, world.admin):
        ids, total = await gig_application_ids(gql, services, world, user)
        assert ids == [gid(theirs), gid(mine)]
        assert total == 2


async def test_an_applicant_sees_only_their_own_application_to_a_gig(gql, services, world):
    mine, _, _ = await three_applications(services, world)

    ids, total = await gig_application_ids(gql, services, world, world.applicant)

    assert ids == [gid(mine)]
    assert total == 1


@pytest.mark.parametrize("who", ["a stranger", "anonymous"])
async def test_anyone_else_sees_no_application_to_a_gig(gql, services, world, who):
    await three_applications(services, world)
    user = await make_user(services, role=UserRole.FREELANCER) if who == "a stranger" else None

    assert await gig_application_ids(gql, services, world, user) == ([], 0)


async def test_viewer_applications_are_the_viewers_own_newest_first(gql, services, world):
    first, _, last = await three_applications(services, world)

    result = await gql(VIEWER_APPLICATIONS, token=token_for(services, world.applicant))

    connection = result["data"]["viewer"]["applications"]
    assert [edge["node"]["id"] for edge in connection["edges"]] == [gid(last), gid(first)]
    assert connection["totalCount"] == 2


@pytest.mark.parametrize(
    ("who", "visible"),
    [("applicant", True), ("admin", True), ("owner", False), ("stranger", False)],
)
async def test_a_users_applications_are_private(gql, services, world, who, visible):
    await three_applications(services, world)

    result = await gql(
        USER_APPLICATIONS,
        {"id": encode_id("User", world.applicant.id)},
        token=token_for(services, getattr(world, who)),
    )

    applications_of = result["data"]["user"]["applications"]
    assert (applications_of is not None) is visible
    if visible:
        assert len(applications_of["edges"]) == 2


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("applicant", True),
        ("owner", True),
        ("admin", True),
        ("stranger", False),
        ("anonymous", False),
    ],
)
async def test_node_shows_an_application_only_to_those_who_may_see_it(
    gql, services, world, who, visible
):
    application = await make_application(services, gig=world.gig, freelancer=world.applicant)
    token = None if who == "anonymous" else token_for(services, getattr(world, who))

    result = await gql(NODE, {"id": gid(application)}, token=token)

    expected = {"id": gid(application), "status": "PENDING"} if visible else None
    assert result["data"]["node"] == expected


async def test_gig_applications_page_through_two_pages(gql, services, world):
    start = utcnow() - timedelta(hours=1)
    made = []
    for n in range(3):
        freelancer = await make_user(services, role=UserRole.FREELANCER)
        made.append(
            await make_application(
                services,
                gig=world.gig,
                freelancer=freelancer,
                created_at=start + timedelta(minutes=n),
            )
        )
    token = token_for(services, world.owner)
    variables = {"id": encode_id("Gig", world.gig.id), "first": 2}

    first = (await gql(GIG_APPLICATIONS, variables, token=token))["data"]["gig"]["applications"]
    after = first["pageInfo"]["endCursor"]
    second = (await gql(GIG_APPLICATIONS, {**variables, "after": after}, token=token))["data"][
        "gig"
    ]["applications"]

    assert [e["node"]["id"] for e in first["edges"]] == [gid(made[2]), gid(made[1])]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["id"] for e in second["edges"]] == [gid(made[0])]
    assert second["pageInfo"]["hasNextPage"] is False
    assert first["totalCount"] == second["totalCount"] == 3


async def test_viewer_applications_page_through_two_pages(gql, services, world):
    first_made, _, last_made = await three_applications(services, world)
    token = token_for(services, world.applicant)

    first = (await gql(VIEWER_APPLICATIONS, {"first": 1}, token=token))["data"]["viewer"][
        "applications"
    ]
    after = first["pageInfo"]["endCursor"]
    second = (await gql(VIEWER_APPLICATIONS, {"first": 1, "after": after}, token=token))["data"][
        "viewer"
    ]["applications"]

    assert [e["node"]["id"] for e in first["edges"]] == [gid(last_made)]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["id"] for e in second["edges"]] == [gid(first_made)]
    assert second["pageInfo"]["hasNextPage"] is False


async def test_a_cursor_of_another_list_is_invalid_cursor(gql, services, world):
    result = await gql(
        GIG_APPLICATIONS,
        {"id": encode_id("Gig", world.gig.id), "after": "bm90LWEtY3Vyc29y"},
        token=token_for(services, world.owner),
    )

    assert result["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


# Statements


async def add_requests(services, world, count):
    """`count` REQUEST gigs of the owner, each with applications by the applicant and another."""
    for _ in range(count):
        gig = await make_gig(
            services, owner=world.owner, category=world.category, kind=GigKind.REQUEST
        )
        await make_application(services, gig=gig, freelancer=world.applicant)
        await make_application(services, gig=gig, freelancer=world.stranger)


@pytest.mark.parametrize("who", ["owner", "applicant"])
async def test_applications_of_a_page_of_gigs_cost_the_same_statements_for_2_and_20(
    gql, services, db, world, who
):
    token = token_for(services, getattr(world, who))
    # Off the feed: the page holds only the gigs this test adds.
    await db.execute(update(Gig).where(Gig.id == world.gig.id).values(status=GigStatus.ARCHIVED))

    await add_requests(services, world, 2)
    with counting_statements(services) as for_2:
        small = await gql(FEED_APPLICATIONS, token=token)
    await add_requests(services, world, 18)
    with counting_statements(services) as for_20:
        large = await gql(FEED_APPLICATIONS, token=token)

    per_gig = 2 if who == "owner" else 1
    for result, gigs in ((small, 2), (large, 20)):
        edges = result["data"]["gigs"]["edges"]
        assert len(edges) == gigs
        assert all(len(e["node"]["applications"]["edges"]) == per_gig for e in edges)
    assert len(for_2) == len(for_20), (for_2, for_20)
    # The viewer, the page of gigs, and one query for the applications of all of them.
    assert len(for_20) == 3, for_20

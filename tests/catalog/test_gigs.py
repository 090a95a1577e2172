"""Creating, editing and publishing gigs; every bad input leaves the database as it was."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.catalog import Gig, GigPackage, GigStatus
from models.types import utcnow
from models.user import UserRole
from schema.relay import encode_id
from tests.factories import make_category, make_gig, make_user, token_for

GIG_FIELDS = """
  id kind status slug title description tags category { slug }
  packages { tier title price { amount currency } deliveryDays revisions }
  priceFrom { amount } priceTo { amount } budget { amount } deadline seller { name }
"""
CREATE = f"""
mutation($input: CreateGigInput!) {{
  createGig(input: $input) {{ gig {{ {GIG_FIELDS} }} errors {{ field code message }} }}
}}"""
UPDATE = f"""
mutation($input: UpdateGigInput!) {{
  updateGig(input: $input) {{ gig {{ {GIG_FIELDS} }} errors {{ field code message }} }}
}}"""
STATUS = """
mutation($id: ID!) {{
  {name}(input: {{gigId: $id}}) {{ gig {{ status publishedAt }} errors {{ field code message }} }}
}}"""
PUBLISH = STATUS.format(name="publishGig")
PAUSE = STATUS.format(name="pauseGig")
ARCHIVE = STATUS.format(name="archiveGig")
GIG = "query($id: ID, $slug: String) { gig(id: $id, slug: $slug) { id title status } }"


def service_input(**overrides):
    return {
        "kind": "SERVICE",
        "title": "I will design a minimalist logo",
        "description": "Three concepts, vector files and a style sheet for your brand.",
        "category": "logo-design",
        "tags": ["Logo", "minimalist ", "logo"],
        "packages": [
            {"tier": "BASIC", "price": "25.00", "deliveryDays": 3, "revisions": 1},
            {
                "tier": "PREMIUM",
                "price": "120.50",
                "deliveryDays": 7,
                "revisions": 5,
                "title": "Full brand",
                "description": "Logo, palette and fonts",
            },
        ],
        **overrides,
    }


def request_input(**overrides):
    deadline = (utcnow() + timedelta(days=14)).isoformat()
    return {
        "kind": "REQUEST",
        "title": "Need a landing page for a bakery",
        "description": "One page, responsive, with an order form and our opening hours.",
        "category": "logo-design",
        "budget": "400",
        "deadline": deadline,
        **overrides,
    }


@pytest.fixture
async def freelancer(services):
    await make_category(services, slug="logo-design", name="Logo design")
    return await make_user(services, role=UserRole.FREELANCER, name="Fay")


@pytest.fixture
async def client_user(services):
    return await make_user(services, role=UserRole.CLIENT, name="Cal")


async def count(db, model):
    return await db.scalar(select(func.count()).select_from(model))


def errors(result, field):
    return [(e["field"], e["code"]) for e in result["data"][field]["errors"]]


async def test_a_freelancer_creates_a_service_gig_as_a_draft(gql, services, freelancer):
    result = await gql(CREATE, {"input": service_input()}, token=token_for(services, freelancer))

    payload = result["data"]["createGig"]
    assert payload["errors"] == []
    gig = payload["gig"]
    assert (gig["kind"], gig["status"], gig["slug"]) == (
        "SERVICE",
        "DRAFT",
        "i-will-design-a-minimalist-logo",
    )
    assert gig["tags"] == ["logo", "minimalist"]
    assert [p["tier"] for p in gig["packages"]] == ["BASIC", "PREMIUM"]
    assert gig["packages"][0]["title"] == "Basic"
    assert gig["packages"][1]["price"] == {"amount": "120.50", "currency": "USD"}
    assert (gig["priceFrom"]["amount"], gig["priceTo"]["amount"]) == ("25.00", "120.50")
    assert gig["seller"]["name"] == "Fay"


async def test_a_client_posts_a_request_with_a_budget_and_deadline(
    gql, services, freelancer, client_user
):
    result = await gql(CREATE, {"input": request_input()}, token=token_for(services, client_user))

    gig = result["data"]["createGig"]["gig"]
    assert (gig["kind"], gig["budget"], gig["packages"]) == ("REQUEST", {"amount": "400.00"}, [])
    assert gig["priceFrom"] == gig["priceTo"] == {"amount": "400.00"}


async def test_a_second_gig_with_the_same_title_gets_a_suffixed_slug(gql, services, freelancer):
    token = token_for(services, freelancer)
    first = await gql(CREATE, {"input": service_input()}, token=token)
    second = await gql(CREATE, {"input": service_input()}, token=token)

    first_slug = first["data"]["createGig"]["gig"]["slug"]
    second_slug = second["data"]["createGig"]["gig"]["slug"]
    assert second_slug.startswith(first_slug + "-")
    assert len(second_slug) == len(first_slug) + 7


async def test_a_chosen_slug_that_is_taken_is_refused(gql, services, freelancer):
    token = token_for(services, freelancer)
    await gql(CREATE, {"input": service_input(slug="my-logo")}, token=token)

    result = await gql(CREATE, {"input": service_input(slug="my-logo")}, token=token)

    assert errors(result, "createGig") == [(["input", "slug"], "DUPLICATE")]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"title": ""}, "title", "REQUIRED"),
        ({"title": "x" * 10_000}, "title", "TOO_LONG"),
        ({"description": "short"}, "description", "TOO_SHORT"),
        ({"category": "no-such-category"}, "category", "NOT_FOUND"),
        ({"tags": [f"tag{n}" for n in range(50)]}, "tags", "OUT_OF_RANGE"),
        ({"tags": ["t" * 31]}, "tags.0", "TOO_LONG"),
        ({"packages": []}, "packages", "REQUIRED"),
        (
            {"packages": [{"tier": "BASIC", "price": "-5", "deliveryDays": 3}]},
            "packages.0.price",
            "OUT_OF_RANGE",
        ),
        (
            {"packages": [{"tier": "BASIC", "price": "1000000.01", "deliveryDays": 3}]},
            "packages.0.price",
            "OUT_OF_RANGE",
        ),
        (
            {"packages": [{"tier": "BASIC", "price": "9.999", "deliveryDays": 3}]},
            "packages.0.price",
            "INVALID",
        ),
        (
            {"packages": [{"tier": "BASIC", "price": "10", "deliveryDays": 0}]},
            "packages.0.deliveryDays",
            "OUT_OF_RANGE",
        ),
        (
            {"packages": [{"tier": "BASIC", "price": "10", "deliveryDays": 3, "revisions": 99}]},
            "packages.0.revisions",
            "OUT_OF_RANGE",
        ),
        (
            {"packages": [{"tier": "BASIC", "price": "10", "deliveryDays": 3}] * 2},
            "packages",
            "DUPLICATE",
        ),
        (
            {
                "packages": [
                    {"tier": t, "price": "10", "deliveryDays": 3}
                    for t in ("BASIC", "STANDARD", "PREMIUM", "BASIC")
                ]
            },
            "packages",
            "OUT_OF_RANGE",
        ),
        ({"budget": "100"}, "budget", "INVALID"),
        ({"slug": "Not A Slug!"}, "slug", "INVALID"),
        ({"kind": "REQUEST"}, "kind", "NOT_ALLOWED"),
    ],
)
async def test_create_gig_refuses_bad_input_and_writes_nothing(
    gql, services, db, freelancer, overrides, field, code
):
    result = await gql(
        CREATE, {"input": service_input(**overrides)}, token=token_for(services, freelancer)
    )

    assert result["data"]["createGig"]["gig"] is None
    assert errors(result, "createGig") == [(["input", *field.split(".")], code)]
    assert await count(db, Gig) == 0
    assert await count(db, GigPackage) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"budget": None}, "budget", "REQUIRED"),
        ({"budget": "0"}, "budget", "OUT_OF_RANGE"),
        ({"deadline": None}, "deadline", "REQUIRED"),
        ({"deadline": "2001-01-01T00:00:00+00:00"}, "deadline", "OUT_OF_RANGE"),
        (
            {"packages": [{"tier": "BASIC", "price": "10", "deliveryDays": 3}]},
            "packages",
            "INVALID",
        ),
    ],
)
async def test_a_request_needs_a_budget_and_a_future_deadline(
    gql, services, db, freelancer, client_user, overrides, field, code
):
    result = await gql(
        CREATE, {"input": request_input(**overrides)}, token=token_for(services, client_user)
    )

    assert errors(result, "createGig") == [(["input", field], code)]
    assert await count(db, Gig) == 0


async def test_creating_a_gig_needs_a_signed_in_user(gql, freelancer):
    result = await gql(CREATE, {"input": service_input()})

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_update_changes_only_what_is_given_and_keeps_the_slug(gql, services, db, freelancer):
    token = token_for(services, freelancer)
    created = (await gql(CREATE, {"input": service_input()}, token=token))["data"]["createGig"]

    result = await gql(
        UPDATE,
        {
            "input": {
                "gigId": created["gig"]["id"],
                "title": "I will design a bold wordmark",
                "packages": [{"tier": "STANDARD", "price": "60", "deliveryDays": 4}],
            }
        },
        token=token,
    )

    gig = result["data"]["updateGig"]["gig"]
    assert gig["title"] == "I will design a bold wordmark"
    assert gig["slug"] == created["gig"]["slug"]
    assert gig["description"] == created["gig"]["description"]
    assert [p["tier"] for p in gig["packages"]] == ["STANDARD"]
    assert gig["priceFrom"] == gig["priceTo"] == {"amount": "60.00"}
    assert await count(db, GigPackage) == 1


async def test_a_failed_update_changes_nothing(gql, services, db, freelancer):
    token = token_for(services, freelancer)
    created = (await gql(CREATE, {"input": service_input()}, token=token))["data"]["createGig"]

    result = await gql(
        UPDATE,
        {
            "input": {
                "gigId": created["gig"]["id"],
                "title": "A perfectly fine new title",
                "packages": [{"tier": "BASIC", "price": "5000000", "deliveryDays": 3}],
            }
        },
        token=token,
    )

    assert errors(result, "updateGig") == [(["input", "packages", "0", "price"], "OUT_OF_RANGE")]
    stored = await db.scalar(select(Gig))
    assert stored.title == "I will design a minimalist logo"
    assert await count(db, GigPackage) == 2


async def test_editing_someone_elses_gig_is_forbidden(gql, services, db, freelancer):
    gig = await make_gig(services, owner=freelancer, category=await make_category(services))
    other = await make_user(services, role=UserRole.FREELANCER)

    result = await gql(
        UPDATE,
        {"input": {"gigId": encode_id("Gig", gig.id), "title": "Mine now!"}},
        token=token_for(services, other),
    )

    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await db.get(Gig, gig.id)).title == gig.title


async def test_editing_someone_elses_draft_looks_like_a_missing_gig(gql, services, freelancer):
    draft = await make_gig(
        services, owner=freelancer, category=await make_category(services), status=GigStatus.DRAFT
    )
    other = await make_user(services, role=UserRole.FREELANCER)

    result = await gql(
        UPDATE,
        {"input": {"gigId": encode_id("Gig", draft.id), "title": "Mine!"}},
        token=token_for(services, other),
    )

    assert errors(result, "updateGig") == [(["input", "gigId"], "NOT_FOUND")]


@pytest.mark.parametrize("gig_id", ["nonsense", encode_id("User", __import__("uuid").uuid4())])
async def test_a_malformed_or_foreign_gig_id_is_not_found(gql, services, freelancer, gig_id):
    result = await gql(PUBLISH, {"id": gig_id}, token=token_for(services, freelancer))

    assert errors(result, "publishGig") == [(["input", "gigId"], "NOT_FOUND")]


async def test_a_gig_moves_draft_active_paused_active_archived(gql, services, freelancer):
    draft = await make_gig(
        services, owner=freelancer, category=await make_category(services), status=GigStatus.DRAFT
    )
    gig_id, token = encode_id("Gig", draft.id), token_for(services, freelancer)

    published = await gql(PUBLISH, {"id": gig_id}, token=token)
    paused = await gql(PAUSE, {"id": gig_id}, token=token)
    republished = await gql(PUBLISH, {"id": gig_id}, token=token)
    archived = await gql(ARCHIVE, {"id": gig_id}, token=token)
    revived = await gql(PUBLISH, {"id": gig_id}, token=token)

    assert published["data"]["publishGig"]["gig"]["status"] == "ACTIVE"
    assert published["data"]["publishGig"]["gig"]["publishedAt"] is not None
    assert paused["data"]["pauseGig"]["gig"]["status"] == "PAUSED"
    assert republished["data"]["publishGig"]["gig"]["status"] == "ACTIVE"
    assert archived["data"]["archiveGig"]["gig"]["status"] == "ARCHIVED"
    assert errors(revived, "publishGig") == [(None, "INVALID_TRANSITION")]


async def test_a_draft_cannot_be_paused(gql, services, freelancer):
    draft = await make_gig(
        services, owner=freelancer, category=await make_category(services), status=GigStatus.DRAFT
    )

    result = await gql(
        PAUSE, {"id": encode_id("Gig", draft.id)}, token=token_for(services, freelancer)
    )

    assert errors(result, "pauseGig") == [(None, "INVALID_TRANSITION")]


async def test_an_admin_may_archive_but_not_publish_someone_elses_gig(gql, services, freelancer):
    gig = await make_gig(
        services, owner=freelancer, category=await make_category(services), status=GigStatus.PAUSED
    )
    admin = await make_user(services, role=UserRole.ADMIN)

    published = await gql(
        PUBLISH, {"id": encode_id("Gig", gig.id)}, token=token_for(services, admin)
    )
    archived = await gql(
        ARCHIVE, {"id": encode_id("Gig", gig.id)}, token=token_for(services, admin)
    )

    assert errors(published, "publishGig") == [(None, "INVALID_TRANSITION")]
    assert archived["data"]["archiveGig"]["gig"]["status"] == "ARCHIVED"


async def test_an_archived_gig_cannot_be_edited(gql, services, freelancer):
    gig = await make_gig(
        services,
        owner=freelancer,
        category=await make_category(services),
        status=GigStatus.ARCHIVED,
    )

    result = await gql(
        UPDATE,
        {"input": {"gigId": encode_id("Gig", gig.id), "title": "Revived!"}},
        token=token_for(services, freelancer),
    )

    assert errors(result, "updateGig") == [(None, "INVALID_TRANSITION")]


async def test_gig_is_found_by_id_and_by_slug(gql, services, freelancer):
    gig = await make_gig(services, owner=freelancer, category=await make_category(services))

    by_id = await gql(GIG, {"id": encode_id("Gig", gig.id)})
    by_slug = await gql(GIG, {"slug": gig.slug})

    assert by_id["data"]["gig"] == by_slug["data"]["gig"]
    assert by_id["data"]["gig"]["title"] == gig.title


async def test_a_draft_is_visible_to_its_owner_only(gql, services, freelancer):
    draft = await make_gig(
        services, owner=freelancer, category=await make_category(services), status=GigStatus.DRAFT
    )
    other = await make_user(services)

    as_owner = await gql(GIG, {"slug": draft.slug}, token=token_for(services, freelancer))
    as_other = await gql(GIG, {"slug": draft.slug}, token=token_for(services, other))
    as_node = await gql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": encode_id("Gig", draft.id)}
    )

    assert as_owner["data"]["gig"]["status"] == "DRAFT"
    assert as_other["data"]["gig"] is None
    assert as_node["data"]["node"] is None


async def test_node_resolves_a_gig_and_a_category(gql, services, freelancer):
    category = await make_category(services, name="Logos")
    gig = await make_gig(services, owner=freelancer, category=category)

    result = await gql(
        """query($g: ID!, $c: ID!) {
      g: node(id: $g) { __typename ... on Gig { title } }
      c: node(id: $c) { __typename ... on Category { name } }
    }""",
        {"g": encode_id("Gig", gig.id), "c": encode_id("Category", category.id)},
    )

    assert result["data"] == {
        "g": {"__typename": "Gig", "title": gig.title},
        "c": {"__typename": "Category", "name": "Logos"},
    }


async def test_gig_with_a_wrong_type_id_is_null(gql, services, freelancer):
    result = await gql(GIG, {"id": encode_id("User", freelancer.id)})

    assert result["data"]["gig"] is None

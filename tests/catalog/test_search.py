"""Browsing and searching gigs: every filter, every sort, and keyset pages."""

import base64
import json
from datetime import timedelta

import pytest

from models.catalog import GigKind, GigStatus
from models.types import utcnow
from models.user import UserRole
from resolvers import pagination
from resolvers.loaders import ACTIVE_GIGS, NEWEST_GIGS
from schema.relay import encode_id
from tests.factories import make_category, make_gig, make_user, token_for
from tests.statements import counting_statements

GIGS = """
query($first: Int, $after: String, $filter: GigFilter, $sort: GigSort) {
  gigs(first: $first, after: $after, filter: $filter, sort: $sort) {
    edges { cursor node { title } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
COUNT = "query($filter: GigFilter) { gigs(filter: $filter) { totalCount edges { node { id } } } }"


async def titles(gql, token=None, **variables):
    result = await gql(GIGS, variables, token=token)
    assert "errors" not in result, result
    return [edge["node"]["title"] for edge in result["data"]["gigs"]["edges"]]


@pytest.fixture
async def world(services):
    """Two sellers, a category tree, and gigs whose order differs under every sort."""
    design = await make_category(services, slug="design", name="Design")
    logos = await make_category(services, slug="logos", name="Logos", parent=design)
    writing = await make_category(services, slug="writing", name="Writing")
    ann = await make_user(services, role=UserRole.FREELANCER, name="Ann")
    bob = await make_user(services, role=UserRole.FREELANCER, name="Bob")
    client = await make_user(services, role=UserRole.CLIENT, name="Cat")
    start = utcnow() - timedelta(days=10)
    specs = [
        # title, owner, category, prices, tags, rating (sum, count), kind
        (
            "Minimalist logo design",
            ann,
            logos,
            (3000, 9000),
            ["logo", "minimalist"],
            (45, 10),
            GigKind.SERVICE,
        ),
        (
            "Brand identity package",
            ann,
            design,
            (20000,),
            ["branding", "logo"],
            (50, 10),
            GigKind.SERVICE,
        ),
        (
            "Blog posts about coffee",
            bob,
            writing,
            (1500, 4000),
            ["blog", "coffee"],
            (0, 0),
            GigKind.SERVICE,
        ),
        ("Translate a website", bob, writing, (8000,), ["translation"], (30, 10), GigKind.SERVICE),
        (
            "Need a logo for my bakery",
            client,
            logos,
            (25000,),
            ["logo", "bakery"],
            (0, 0),
            GigKind.REQUEST,
        ),
    ]
    gigs = {}
    for n, (title, owner, category, prices, tags, (rating_sum, rating_count), kind) in enumerate(
        specs
    ):
        gigs[title] = await make_gig(
            services,
            owner=owner,
            category=category,
            title=title,
            prices=prices,
            tags=tags,
            kind=kind,
            rating_sum=rating_sum,
            rating_count=rating_count,
            listed_at=start + timedelta(days=n),
            description=f"{title}: a careful, professional job delivered on time.",
        )
    await make_gig(
        services,
        owner=ann,
        category=logos,
        title="Ann's draft logo",
        status=GigStatus.DRAFT,
        tags=["logo"],
    )
    await make_gig(
        services,
        owner=bob,
        category=logos,
        title="Bob's paused logo",
        status=GigStatus.PAUSED,
        tags=["logo"],
    )
    return {"ann": ann, "bob": bob, "client": client, "gigs": gigs}


async def test_newest_first_by_default(gql, world):
    assert await titles(gql) == [
        "Need a logo for my bakery",
        "Translate a website",
        "Blog posts about coffee",
        "Brand identity package",
        "Minimalist logo design",
    ]


async def test_price_ascending_and_descending_sort_on_the_cheapest_package(gql, world):
    ascending = await titles(gql, sort="PRICE_ASC")
    descending = await titles(gql, sort="PRICE_DESC")

    assert ascending == [
        "Blog posts about coffee",
        "Minimalist logo design",
        "Translate a website",
        "Brand identity package",
        "Need a logo for my bakery",
    ]
    assert descending == list(reversed(ascending))


async def test_rating_sort_puts_the_best_rated_first_and_unrated_last(gql, world):
    found = await titles(gql, sort="RATING")

    assert found[:3] == ["Brand identity package", "Minimalist logo design", "Translate a website"]
    assert set(found[3:]) == {"Need a logo for my bakery", "Blog posts about coffee"}


async def test_relevance_puts_title_matches_first(gql, world):
    found = await titles(gql, sort="RELEVANCE", filter={"search": "logo"})

    assert set(found) == {
        "Minimalist logo design",
        "Brand identity package",
        "Need a logo for my bakery",
    }
    assert found[-1] == "Brand identity package"  # "logo" only in its tags


async def test_relevance_without_search_falls_back_to_newest(gql, world):
    assert await titles(gql, sort="RELEVANCE") == await titles(gql, sort="NEWEST")


async def test_search_matches_title_tags_and_description_case_insensitively(gql, world):
    assert await titles(gql, filter={"search": "COFFEE"}) == ["Blog posts about coffee"]
    assert await titles(gql, filter={"search": "translation"}) == ["Translate a website"]
    assert await titles(gql, filter={"search": "bakery logo"}) == ["Need a logo for my bakery"]
    assert await titles(gql, filter={"search": "nothing-like-this"}) == []


async def test_search_terms_with_sql_wildcards_match_literally(gql, world):
    assert await titles(gql, filter={"search": "%"}) == await titles(gql)
    assert await titles(gql, filter={"search": "log_"}) == []


async def test_filter_by_kind(gql, world):
    assert await titles(gql, filter={"kind": "REQUEST"}) == ["Need a logo for my bakery"]


async def test_filter_by_category_includes_its_subcategories(gql, world):
    assert set(await titles(gql, filter={"category": "design"})) == {
        "Minimalist logo design",
        "Brand identity package",
        "Need a logo for my bakery",
    }
    assert set(await titles(gql, filter={"category": "logos"})) == {
        "Minimalist logo design",
        "Need a logo for my bakery",
    }


async def test_filter_by_tags_needs_every_tag(gql, world):
    assert set(await titles(gql, filter={"tags": ["logo"]})) == {
        "Minimalist logo design",
        "Brand identity package",
        "Need a logo for my bakery",
    }
    assert await titles(gql, filter={"tags": ["Logo", "minimalist"]}) == ["Minimalist logo design"]


async def test_filter_by_price_keeps_gigs_whose_range_overlaps(gql, world):
    found = await titles(gql, filter={"minPrice": "50", "maxPrice": "100"}, sort="PRICE_ASC")

    assert found == ["Minimalist logo design", "Translate a website"]


async def test_filter_by_seller(gql, world):
    seller_id = encode_id("User", world["bob"].id)

    assert set(await titles(gql, filter={"sellerId": seller_id})) == {
        "Blog posts about coffee",
        "Translate a website",
    }


async def test_other_states_list_only_the_viewers_own_gigs(gql, services, world):
    everything = {"status": ["ACTIVE", "DRAFT", "PAUSED"]}
    ann_token = token_for(services, world["ann"])
    admin = await make_user(services, role=UserRole.ADMIN)

    as_anonymous = await titles(gql, filter=everything)
    as_ann = await titles(gql, token=ann_token, filter={"status": ["DRAFT", "PAUSED"]})
    as_admin = await titles(gql, token=token_for(services, admin), filter=everything)

    assert "Ann's draft logo" not in as_anonymous
    assert as_ann == ["Ann's draft logo"]
    assert {"Ann's draft logo", "Bob's paused logo"} <= set(as_admin)


async def test_pages_follow_each_other_without_gaps_or_repeats(gql, world):
    first = (await gql(GIGS, {"first": 2, "sort": "PRICE_ASC"}))["data"]["gigs"]
    second = (
        await gql(GIGS, {"first": 2, "sort": "PRICE_ASC", "after": first["pageInfo"]["endCursor"]})
    )["data"]["gigs"]
    third = (
        await gql(GIGS, {"first": 2, "sort": "PRICE_ASC", "after": second["pageInfo"]["endCursor"]})
    )["data"]["gigs"]

    pages = [[e["node"]["title"] for e in page["edges"]] for page in (first, second, third)]
    assert [title for page in pages for title in page] == await titles(gql, sort="PRICE_ASC")
    assert [p["pageInfo"]["hasNextPage"] for p in (first, second, third)] == [True, True, False]
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert first["edges"][-1]["cursor"] == first["pageInfo"]["endCursor"]


@pytest.mark.parametrize("sort", ["NEWEST", "PRICE_ASC", "PRICE_DESC", "RATING", "RELEVANCE"])
async def test_pages_stay_correct_when_gigs_are_inserted_between_them(gql, services, world, sort):
    search = {"search": "logo"} if sort == "RELEVANCE" else None
    before = await titles(gql, sort=sort, filter=search)
    first = (await gql(GIGS, {"first": 2, "sort": sort, "filter": search}))["data"]["gigs"]
    category = await make_category(services)
    for n in range(3):  # new gigs that sort before, between and after the first page's rows
        await make_gig(
            services,
            owner=world["ann"],
            category=category,
            title=f"Fresh logo {n}",
            prices=(7000 * (n + 1),),
            tags=["logo"],
            rating_sum=44 + n,
            rating_count=10,
        )

    result = await gql(
        GIGS, {"first": 50, "sort": sort, "filter": search, "after": first["pageInfo"]["endCursor"]}
    )

    assert "errors" not in result, result
    seen = [e["node"]["title"] for e in first["edges"] + result["data"]["gigs"]["edges"]]
    assert len(seen) == len(set(seen)), "a gig was listed twice"
    assert set(before) <= set(seen), "a gig that existed before the first page went missing"


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        base64.urlsafe_b64encode(b"[1,2,3]").decode(),
        base64.urlsafe_b64encode(json.dumps(["gigs:PRICE_ASC", [1, "zz"]]).encode()).decode(),
        base64.urlsafe_b64encode(
            json.dumps(["favorites", ["2024-01-01T00:00:00+00:00", "0" * 32]]).encode()
        ).decode(),
    ],
    ids=["garbage", "shape", "values", "another-list"],
)
async def test_a_malformed_or_foreign_cursor_is_refused(gql, world, cursor):
    result = await gql(GIGS, {"after": cursor, "sort": "PRICE_ASC"})

    [error] = result["errors"]
    assert error["extensions"]["code"] == "INVALID_CURSOR"


async def test_a_cursor_of_another_sort_is_refused(gql, world):
    newest = (await gql(GIGS, {"first": 1}))["data"]["gigs"]["pageInfo"]["endCursor"]

    result = await gql(GIGS, {"after": newest, "sort": "RATING"})

    assert result["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize("first", [10_000, 101, -1])
async def test_first_outside_0_to_100_is_refused(gql, world, first):
    result = await gql(GIGS, {"first": first})

    assert result["errors"][0]["extensions"]["code"] == "OUT_OF_RANGE"


async def test_first_100_is_allowed_and_zero_returns_no_edges(gql, world):
    assert len(await titles(gql, first=100)) == 5
    assert await titles(gql, first=0) == []


@pytest.mark.parametrize(
    ("gig_filter", "code"),
    [
        ({"category": "no-such"}, "NOT_FOUND"),
        ({"minPrice": "100", "maxPrice": "10"}, "OUT_OF_RANGE"),
        ({"minPrice": "-1"}, "OUT_OF_RANGE"),
        ({"search": "x" * 201}, "TOO_LONG"),
        ({"sellerId": "bogus"}, "NOT_FOUND"),
    ],
)
async def test_bad_filters_are_refused_with_a_code(gql, world, gig_filter, code):
    result = await gql(GIGS, {"filter": gig_filter})

    assert result["errors"][0]["extensions"]["code"] == code


async def test_total_count_is_counted_only_when_asked(gql, services, world):
    with counting_statements(services) as without:
        await gql(GIGS, {"first": 2})
    with counting_statements(services) as with_count:
        result = await gql(COUNT, {"filter": {"tags": ["logo"]}})

    assert result["data"]["gigs"]["totalCount"] == 3
    assert len(with_count) == len(without) + 1


def test_a_list_statement_is_paged_once_and_its_paged_form_reused():
    with_cursor = pagination._paged(ACTIVE_GIGS, NEWEST_GIGS, after=True)
    again = pagination._paged(ACTIVE_GIGS, NEWEST_GIGS, after=True)
    first_page = pagination._paged(ACTIVE_GIGS, NEWEST_GIGS, after=False)

    assert again[0] is with_cursor[0]
    assert first_page[0] is not with_cursor[0]
    assert {"page_limit", "after_0", "after_1"} <= set(with_cursor[0].compile().params)

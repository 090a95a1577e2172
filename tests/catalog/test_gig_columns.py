"""A page of gigs reads only the columns its query's fields need, and every field still works."""

import pytest

from models.catalog import GigKind
from models.user import UserRole
from schema.gigs import gig_columns
from tests.catalog.test_feed import FEED
from tests.factories import make_category, make_gig, make_user, token_for
from tests.statements import counting_statements

GIG_FIELDS = """
{ __type(name: "Gig") { fields { name type { ...kind ofType { ...kind ofType { ...kind
  ofType { ...kind } } } } } } }
fragment kind on __Type { kind }
"""
COMPOSITE = {"OBJECT", "INTERFACE", "UNION"}


def base_kind(type_):
    while type_.get("ofType"):
        type_ = type_["ofType"]
    return type_["kind"]


@pytest.fixture
async def market(services):
    """A SERVICE gig with tags and packages and a REQUEST gig with a budget, both ACTIVE, the
    request its viewer's own (so that its applications are visible)."""
    category = await make_category(services)
    seller = await make_user(services, role=UserRole.FREELANCER)
    client = await make_user(services, role=UserRole.CLIENT)
    await make_gig(
        services, owner=seller, category=category, prices=(1000, 2500), tags=["logo", "brand"]
    )
    await make_gig(services, owner=client, category=category, kind=GigKind.REQUEST)
    return token_for(services, client)


async def test_every_gig_field_shows_the_same_in_a_page_as_on_its_own(gql, market):
    fields = (await gql(GIG_FIELDS))["data"]["__type"]["fields"]
    assert len(fields) > 20

    for field in fields:
        name = field["name"]
        selection = f"{name} {{ __typename }}" if base_kind(field["type"]) in COMPOSITE else name
        page = await gql(
            f"{{ gigs(first: 5) {{ edges {{ node {{ id {selection} }} }} }} }}", token=market
        )
        assert "errors" not in page, (name, page)
        nodes = [edge["node"] for edge in page["data"]["gigs"]["edges"]]
        assert len(nodes) == 2
        for node in nodes:
            alone = await gql(f'{{ gig(id: "{node["id"]}") {{ id {selection} }} }}', token=market)
            assert "errors" not in alone, (name, alone)
            assert node == alone["data"]["gig"], name


async def test_the_feed_page_reads_no_column_that_the_feed_does_not_show(gql, services, market):
    with counting_statements(services) as seen:
        await gql(FEED, token=market)

    [page] = [sql for sql in seen if "FROM gig" in sql and "LIMIT" in sql]
    selected = page.split("FROM gig")[0]
    assert "gig.title" in selected
    assert "gig.description" not in selected
    assert "gig.tags" not in selected


def test_the_feed_reads_the_columns_of_its_fields_only():
    assert gig_columns({"title", "seller", "packages", "isFavorite", "__typename"}) == {
        "title",
        "owner_id",
        "id",
    }
    assert gig_columns({"priceFrom", "rating"}) == {
        "min_price",
        "currency",
        "rating_sum",
        "rating_count",
    }


def test_a_field_that_reads_the_whole_row_reads_every_column():
    assert gig_columns({"title", "applications"}) is None


FRAGMENTED = """
query { gigs(first: 5) { edges { node { ...Card } } } }
fragment Card on Gig { id ... on Gig { description seller { name } } }
"""


async def test_fields_selected_through_fragments_are_read_and_loaded_ahead(gql, services, market):
    for _ in range(2):  # the second time, the selection is known from the first
        with counting_statements(services) as seen:
            page = await gql(FRAGMENTED, token=market)

        assert "errors" not in page
        nodes = [edge["node"] for edge in page["data"]["gigs"]["edges"]]
        assert all(node["description"] and node["seller"]["name"] for node in nodes)
        [statement] = [sql for sql in seen if "FROM gig" in sql and "LIMIT" in sql]
        assert "gig.description" in statement.split("FROM gig")[0]
        assert len(seen) == 2  # the page, then both sellers in one batch

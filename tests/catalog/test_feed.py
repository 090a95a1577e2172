"""The home feed: its shape, and a number of SQL statements that does not grow with the page."""

import gc

import pytest
from strawberry.dataloader import DataLoader

from models.catalog import Skill, SkillLevel, UserSkill
from models.user import UserRole
from tests.factories import make_category, make_gig, make_user, token_for
from tests.statements import counting_statements

FEED = """
query Feed {
  gigs(first: 20) {
    edges { node { title seller { name rating skills { name } }
                   packages { price { amount } } isFavorite } }
  }
}
"""


async def make_sellers(services, count=5):
    sellers = [await make_user(services, role=UserRole.FREELANCER) for _ in range(count)]
    async with services.sessions() as session:
        skills = [Skill(name=f"Skill {n}", slug=f"skill-{n}") for n in range(3)]
        session.add_all(skills)
        await session.flush()
        session.add_all(
            UserSkill(user_id=seller.id, skill_id=skill.id, level=SkillLevel.EXPERT)
            for seller in sellers
            for skill in skills
        )
        await session.commit()
    return sellers


async def add_gigs(services, sellers, category, count):
    for n in range(count):
        await make_gig(
            services, owner=sellers[n % len(sellers)], category=category, prices=(1000, 2500, 9900)
        )


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
async def test_the_feed_costs_the_same_statements_for_5_and_50_gigs(gql, services, signed_in):
    token = token_for(services, await make_user(services)) if signed_in else None
    category = await make_category(services)
    sellers = await make_sellers(services)

    await add_gigs(services, sellers, category, 5)
    with counting_statements(services) as for_5:
        small = await gql(FEED, token=token)
    await add_gigs(services, sellers, category, 45)
    with counting_statements(services) as for_50:
        large = await gql(FEED, token=token)

    assert len(small["data"]["gigs"]["edges"]) == 5
    assert len(large["data"]["gigs"]["edges"]) == 20
    assert len(for_5) == len(for_50), (for_5, for_50)
    assert len(for_50) <= 6, for_50


async def test_the_feed_shows_sellers_skills_and_prices(gql, services):
    category = await make_category(services)
    await add_gigs(services, await make_sellers(services, 1), category, 1)

    [edge] = (await gql(FEED))["data"]["gigs"]["edges"]

    node = edge["node"]
    assert node["seller"]["skills"] == [
        {"name": "Skill 0"},
        {"name": "Skill 1"},
        {"name": "Skill 2"},
    ]
    assert [p["price"]["amount"] for p in node["packages"]] == ["10.00", "25.00", "99.00"]
    assert node["isFavorite"] is False


async def test_what_the_feed_loaded_is_freed_as_it_ends_not_by_the_collector(gql, services):
    category = await make_category(services)
    await add_gigs(services, await make_sellers(services, 2), category, 5)
    await gql(FEED)  # plans, caches and the pool set up

    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds unreachable is kept to look at
    try:
        await gql(FEED)
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, DataLoader) or _is_record(o)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()

    assert left == []


def _is_record(value):
    kind = type(value)
    return kind.__module__ == "models.db" and kind.__name__ == "Record"


PAGE = """
query($after: String) {
  gigs(first: 3, after: $after) {
    totalCount
    edges { node { id isFavorite } }
    pageInfo { endCursor }
  }
}
"""
SAVE = "mutation($id: ID!) { addFavorite(input: {gigId: $id}) { errors { code } } }"


async def _saved_on_two_pages(gql, token):
    first = (await gql(PAGE, token=token))["data"]["gigs"]
    after = first["pageInfo"]["endCursor"]
    second = (await gql(PAGE, {"after": after}, token=token))["data"]["gigs"]
    nodes = [edge["node"] for page in (first, second) for edge in page["edges"]]
    assert first["totalCount"] == second["totalCount"] == 6
    return [node["id"] for node in nodes], {node["id"] for node in nodes if node["isFavorite"]}


async def test_the_feed_shows_which_gigs_the_viewer_saved_on_every_page(gql, services):
    viewer = token_for(services, await make_user(services))
    await add_gigs(services, await make_sellers(services, 2), await make_category(services), 6)
    ids, _ = await _saved_on_two_pages(gql, viewer)
    for gig in (ids[1], ids[4]):  # one on each page
        assert (await gql(SAVE, {"id": gig}, token=viewer))["data"]["addFavorite"]["errors"] == []

    assert await _saved_on_two_pages(gql, viewer) == (ids, {ids[1], ids[4]})
    other = token_for(services, await make_user(services))
    assert await _saved_on_two_pages(gql, other) == (ids, set())
    assert await _saved_on_two_pages(gql, None) == (ids, set())


async def test_whether_the_viewer_saved_each_gig_is_read_with_the_page(gql, services):
    await add_gigs(services, await make_sellers(services), await make_category(services), 5)
    token = token_for(services, await make_user(services))

    with counting_statements(services) as anonymous:
        await gql(FEED)
    with counting_statements(services) as signed_in:
        await gql(FEED, token=token)

    assert len(signed_in) == len(anonymous)
    assert not [sql for sql in signed_in if sql.lstrip().startswith("SELECT favorite.")]

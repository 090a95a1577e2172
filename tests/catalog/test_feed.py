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

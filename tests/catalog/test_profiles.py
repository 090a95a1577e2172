"""Profiles from the catalogue's side: a seller's gigs, skills, badges, favorites, categories."""

from datetime import timedelta

from models.catalog import GigStatus
from models.review import Badge, BadgeKind
from models.types import utcnow
from models.user import UserRole
from schema.relay import encode_id
from tests.factories import make_category, make_gig, make_user, token_for
from tests.statements import counting_statements

FAVORITE = """
mutation($id: ID!) {
  addFavorite(input: {gigId: $id}) { gig { isFavorite } errors { code } }
}"""
UNFAVORITE = """
mutation($id: ID!) {
  removeFavorite(input: {gigId: $id}) { gig { isFavorite } errors { code } }
}"""
FAVORITES = "{ viewer { favorites { totalCount edges { node { title isFavorite } } } } }"


async def test_a_users_gigs_are_their_active_ones_newest_first(gql, services):
    category = await make_category(services)
    seller = await make_user(services, role=UserRole.FREELANCER)
    now = utcnow()
    for n in range(3):
        await make_gig(
            services,
            owner=seller,
            category=category,
            title=f"Gig {n}",
            listed_at=now - timedelta(days=n),
        )
    await make_gig(services, owner=seller, category=category, title="Draft", status=GigStatus.DRAFT)

    result = await gql(
        "query($id: ID!) { user(id: $id) { gigs(first: 2) { totalCount edges { node { title } }"
        " pageInfo { hasNextPage endCursor } } } }",
        {"id": encode_id("User", seller.id)},
    )

    gigs = result["data"]["user"]["gigs"]
    assert [e["node"]["title"] for e in gigs["edges"]] == ["Gig 0", "Gig 1"]
    assert gigs["pageInfo"]["hasNextPage"] is True
    assert gigs["totalCount"] == 3


async def test_sellers_gigs_in_a_list_load_in_one_query(gql, services):
    category = await make_category(services)
    query = """
    { gigs(first: 20) { edges { node { seller { gigs(first: 3) { edges { node { id } } } } } } } }
    """

    async def measure(sellers):
        for _ in range(sellers):
            seller = await make_user(services, role=UserRole.FREELANCER)
            for _ in range(4):
                await make_gig(services, owner=seller, category=category)
        with counting_statements(services) as statements:
            result = await gql(query)
        assert "errors" not in result
        return len(statements)

    assert await measure(1) == await measure(4) == 3


async def test_skills_and_badges_show_on_a_profile(gql, services):
    from models.catalog import Skill, SkillLevel, UserSkill

    user = await make_user(services, role=UserRole.FREELANCER)
    async with services.sessions() as session:
        skill = Skill(name="Illustration", slug="illustration")
        session.add(skill)
        await session.flush()
        session.add(UserSkill(user_id=user.id, skill_id=skill.id, level=SkillLevel.EXPERT))
        session.add(Badge(user_id=user.id, badge=BadgeKind.VERIFIED))
        await session.commit()

    result = await gql(
        "query($id: ID!) { user(id: $id) { skills { name level } badges { badge } } }",
        {"id": encode_id("User", user.id)},
    )

    assert result["data"]["user"] == {
        "skills": [{"name": "Illustration", "level": "EXPERT"}],
        "badges": [{"badge": "VERIFIED"}],
    }


async def test_favorites_are_idempotent_and_listed_for_the_viewer(gql, services):
    gig = await make_gig(
        services,
        owner=await make_user(services, role=UserRole.FREELANCER),
        category=await make_category(services),
        title="Saved gig",
    )
    token = token_for(services, await make_user(services))
    gig_id = encode_id("Gig", gig.id)

    first = await gql(FAVORITE, {"id": gig_id}, token=token)
    again = await gql(FAVORITE, {"id": gig_id}, token=token)
    listed = await gql(FAVORITES, token=token)
    removed = await gql(UNFAVORITE, {"id": gig_id}, token=token)
    removed_again = await gql(UNFAVORITE, {"id": gig_id}, token=token)
    after = await gql(FAVORITES, token=token)

    assert (
        first["data"]["addFavorite"]
        == again["data"]["addFavorite"]
        == {"gig": {"isFavorite": True}, "errors": []}
    )
    assert listed["data"]["viewer"]["favorites"] == {
        "totalCount": 1,
        "edges": [{"node": {"title": "Saved gig", "isFavorite": True}}],
    }
    assert (
        removed["data"]["removeFavorite"]
        == removed_again["data"]["removeFavorite"]
        == {"gig": {"isFavorite": False}, "errors": []}
    )
    assert after["data"]["viewer"]["favorites"]["totalCount"] == 0


async def test_favoriting_someone_elses_draft_is_not_found(gql, services):
    draft = await make_gig(
        services,
        owner=await make_user(services, role=UserRole.FREELANCER),
        category=await make_category(services),
        status=GigStatus.DRAFT,
    )

    result = await gql(
        FAVORITE,
        {"id": encode_id("Gig", draft.id)},
        token=token_for(services, await make_user(services)),
    )

    assert result["data"]["addFavorite"]["errors"] == [{"code": "NOT_FOUND"}]


async def test_favorites_are_private(gql, services):
    owner = await make_user(services)
    result = await gql(
        "query($id: ID!) { user(id: $id) { favorites { totalCount } } }",
        {"id": encode_id("User", owner.id)},
        token=token_for(services, await make_user(services)),
    )

    assert result["data"]["user"]["favorites"] is None


async def test_categories_come_parents_first_with_their_active_gig_counts(gql, services):
    design = await make_category(services, slug="design", name="Design")
    logos = await make_category(services, slug="logos", name="Logos", parent=design)
    seller = await make_user(services, role=UserRole.FREELANCER)
    await make_gig(services, owner=seller, category=logos)
    await make_gig(services, owner=seller, category=logos)
    await make_gig(services, owner=seller, category=logos, status=GigStatus.PAUSED)

    result = await gql("{ categories { slug gigCount parent { slug } } }")

    assert result["data"]["categories"] == [
        {"slug": "design", "gigCount": 0, "parent": None},
        {"slug": "logos", "gigCount": 2, "parent": {"slug": "design"}},
    ]
    assert logos.parent_id == design.id


async def test_views_are_counted_in_batches_and_not_for_the_owner(gql, services, db):
    from models.catalog import Gig

    owner = await make_user(services, role=UserRole.FREELANCER)
    gig = await make_gig(services, owner=owner, category=await make_category(services))
    query = "query($slug: String!) { gig(slug: $slug) { viewCount } }"

    for _ in range(3):
        await gql(query, {"slug": gig.slug})
    await gql(query, {"slug": gig.slug}, token=token_for(services, owner))
    before_flush = (await db.get(Gig, gig.id)).view_count
    await services.views.flush()

    assert before_flush == 0
    assert (await db.get(Gig, gig.id)).view_count == 3

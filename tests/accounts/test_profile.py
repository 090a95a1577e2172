import pytest
from sqlalchemy import select

from models.user import User, UserRole
from tests.factories import make_user, token_for

UPDATE = """
mutation($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    user { name headline bio location } errors { field code message }
  }
}"""
PROFILE = """
query($id: ID!) { user(id: $id) { id name email phone emailVerified rating reviewCount } }
"""
NODE = "query($id: ID!) { node(id: $id) { id ... on User { name } } }"


async def test_update_profile_changes_only_the_fields_given(gql, services):
    user = await make_user(services, name="Eve", headline="Designer")

    result = await gql(
        UPDATE,
        {"input": {"bio": "  Ten years of logos.  ", "location": "Lisbon"}},
        token=token_for(services, user),
    )

    assert result["data"]["updateProfile"] == {
        "user": {
            "name": "Eve",
            "headline": "Designer",
            "bio": "Ten years of logos.",
            "location": "Lisbon",
        },
        "errors": [],
    }


async def test_update_profile_clears_a_field_set_to_null(gql, services):
    user = await make_user(services, headline="Designer")

    result = await gql(UPDATE, {"input": {"headline": None}}, token=token_for(services, user))

    assert result["data"]["updateProfile"]["user"]["headline"] is None


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"name": "x" * 101}, "name", "TOO_LONG"),
        ({"name": ""}, "name", "REQUIRED"),
        ({"name": None}, "name", "REQUIRED"),
        ({"headline": "h" * 121}, "headline", "TOO_LONG"),
        ({"bio": "b" * 5001}, "bio", "TOO_LONG"),
    ],
)
async def test_update_profile_refuses_bad_input_and_changes_nothing(
    gql, services, db, changes, field, code
):
    user = await make_user(services, name="Eve")

    result = await gql(
        UPDATE, {"input": {"location": "Lisbon", **changes}}, token=token_for(services, user)
    )

    [error] = result["data"]["updateProfile"]["errors"]
    assert (error["field"], error["code"]) == (["input", field], code)
    stored = await db.get(User, user.id)
    assert (stored.name, stored.location) == ("Eve", None)


async def test_update_profile_needs_a_signed_in_user(gql):
    result = await gql(UPDATE, {"input": {"name": "Nobody"}})

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_private_fields_are_hidden_from_other_users(gql, services):
    owner = await make_user(services, email="owner@example.com", phone="+14155550123")
    other = await make_user(services)
    owner_id = (await gql("{ viewer { id } }", token=token_for(services, owner)))["data"]["viewer"][
        "id"
    ]

    as_other = await gql(PROFILE, {"id": owner_id}, token=token_for(services, other))
    as_anonymous = await gql(PROFILE, {"id": owner_id})
    as_self = await gql(PROFILE, {"id": owner_id}, token=token_for(services, owner))

    for result in (as_other, as_anonymous):
        profile = result["data"]["user"]
        assert (profile["email"], profile["phone"], profile["emailVerified"]) == (None,) * 3
    assert as_self["data"]["user"]["email"] == "owner@example.com"
    assert as_self["data"]["user"]["phone"] == "+14155550123"


async def test_admins_see_private_fields(gql, services):
    owner = await make_user(services, email="owner@example.com")
    admin = await make_user(services, role=UserRole.ADMIN)
    owner_id = (await gql("{ viewer { id } }", token=token_for(services, owner)))["data"]["viewer"][
        "id"
    ]

    result = await gql(PROFILE, {"id": owner_id}, token=token_for(services, admin))

    assert result["data"]["user"]["email"] == "owner@example.com"


async def test_node_finds_a_user_by_global_id(gql, services):
    user = await make_user(services, name="Finn")
    user_id = (await gql("{ viewer { id } }", token=token_for(services, user)))["data"]["viewer"][
        "id"
    ]

    result = await gql(NODE, {"id": user_id})

    assert result["data"]["node"] == {"id": user_id, "name": "Finn"}


@pytest.mark.parametrize(
    "bad_id",
    [
        "",
        "not-base64!",
        "VXNlcjpub3QtYS11dWlk",
        "R2lnOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA==",
    ],
)
async def test_node_and_user_return_null_for_ids_that_name_nothing(gql, bad_id):
    assert (await gql(NODE, {"id": bad_id}))["data"]["node"] is None
    assert (await gql(PROFILE, {"id": bad_id}))["data"]["user"] is None


async def test_ids_are_not_sequential_database_keys(gql, services, db):
    user = await make_user(services)
    stored = await db.scalar(select(User.id))

    assert stored == user.id
    assert stored.version == 4

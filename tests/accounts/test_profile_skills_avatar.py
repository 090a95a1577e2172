"""A profile's skills (a normalized list) and its avatar (an uploaded file)."""

import pytest
from sqlalchemy import func, select

from models.catalog import Skill, UserSkill
from models.file import FilePurpose, FileStatus
from models.user import User, UserRole
from schema.relay import encode_id
from tests.factories import make_file, make_user, token_for

UPDATE = """
mutation($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    user { skills { name level } avatar { id url } }
    errors { field code message }
  }
}"""


def skills(*pairs):
    return [{"name": name, "level": level} for name, level in pairs]


async def test_skills_are_one_list_matched_without_case_or_spaces(gql, services):
    user = await make_user(services, role=UserRole.FREELANCER)

    result = await gql(
        UPDATE,
        {
            "input": {
                "skills": skills(
                    ("Python", "BEGINNER"),
                    ("  python ", "EXPERT"),
                    ("Logo   Design", "INTERMEDIATE"),
                )
            }
        },
        token=token_for(services, user),
    )

    assert result["data"]["updateProfile"]["user"]["skills"] == [
        {"name": "Logo Design", "level": "INTERMEDIATE"},
        {"name": "Python", "level": "EXPERT"},
    ]


async def test_users_share_one_vocabulary_of_skills(gql, services, db):
    for user in [await make_user(services) for _ in range(2)]:
        await gql(
            UPDATE,
            {"input": {"skills": skills(("SEO", "EXPERT"))}},
            token=token_for(services, user),
        )

    assert await db.scalar(select(func.count()).select_from(Skill)) == 1
    assert await db.scalar(select(func.count()).select_from(UserSkill)) == 2


async def test_skills_replace_the_list_and_an_empty_list_clears_it(gql, services, db):
    user = await make_user(services)
    token = token_for(services, user)
    await gql(
        UPDATE, {"input": {"skills": skills(("Go", "EXPERT"), ("Rust", "BEGINNER"))}}, token=token
    )

    replaced = await gql(UPDATE, {"input": {"skills": skills(("Rust", "EXPERT"))}}, token=token)
    cleared = await gql(UPDATE, {"input": {"skills": []}}, token=token)

    assert replaced["data"]["updateProfile"]["user"]["skills"] == [
        {"name": "Rust", "level": "EXPERT"}
    ]
    assert cleared["data"]["updateProfile"]["user"]["skills"] == []


@pytest.mark.parametrize(
    ("given", "field", "code"),
    [
        (
            skills(*[(f"skill {n}", "EXPERT") for n in range(21)]),
            ["input", "skills"],
            "OUT_OF_RANGE",
        ),
        (skills(("  ", "EXPERT")), ["input", "skills", "0", "name"], "REQUIRED"),
        (skills(("x" * 41, "EXPERT")), ["input", "skills", "0", "name"], "TOO_LONG"),
    ],
)
async def test_bad_skills_are_refused_and_change_nothing(gql, services, db, given, field, code):
    user = await make_user(services)

    result = await gql(
        UPDATE,
        {"input": {"skills": given, "headline": "New headline"}},
        token=token_for(services, user),
    )

    [error] = result["data"]["updateProfile"]["errors"]
    assert (error["field"], error["code"]) == (field, code)
    assert await db.scalar(select(func.count()).select_from(Skill)) == 0
    assert (await db.get(User, user.id)).headline is None


async def test_an_avatar_is_an_uploaded_avatar_file_with_a_public_url(gql, services):
    user = await make_user(services)
    avatar = await make_file(services, owner=user, purpose=FilePurpose.AVATAR)
    avatar_id = encode_id("File", avatar.id)

    result = await gql(
        UPDATE, {"input": {"avatarFileId": avatar_id}}, token=token_for(services, user)
    )
    public = await gql(
        "query($id: ID!) { user(id: $id) { avatar { id url } } }",
        {"id": encode_id("User", user.id)},
    )

    assert result["data"]["updateProfile"]["user"]["avatar"]["id"] == avatar_id
    assert public["data"]["user"]["avatar"]["url"].endswith(f"/files/public/{avatar.id}")


async def test_a_null_avatar_removes_it(gql, services):
    user = await make_user(services)
    avatar = await make_file(services, owner=user, purpose=FilePurpose.AVATAR)
    token = token_for(services, user)
    await gql(UPDATE, {"input": {"avatarFileId": encode_id("File", avatar.id)}}, token=token)

    result = await gql(UPDATE, {"input": {"avatarFileId": None}}, token=token)

    assert result["data"]["updateProfile"]["user"]["avatar"] is None


@pytest.mark.parametrize(
    ("make", "code"),
    [
        ("someone-elses", "FILE_NOT_FOUND"),
        ("gig-image", "FILE_WRONG_PURPOSE"),
        ("pending", "FILE_NOT_READY"),
        ("malformed", "NOT_FOUND"),
    ],
)
async def test_an_avatar_that_is_not_a_ready_avatar_of_yours_is_refused(
    gql, services, db, make, code
):
    user = await make_user(services)
    other = await make_user(services)
    files = {
        "someone-elses": lambda: make_file(services, owner=other, purpose=FilePurpose.AVATAR),
        "gig-image": lambda: make_file(services, owner=user, purpose=FilePurpose.GIG_IMAGE),
        "pending": lambda: make_file(
            services, owner=user, purpose=FilePurpose.AVATAR, status=FileStatus.PENDING
        ),
    }
    avatar_id = "not-an-id" if make == "malformed" else encode_id("File", (await files[make]()).id)

    result = await gql(
        UPDATE,
        {"input": {"avatarFileId": avatar_id, "bio": "changed"}},
        token=token_for(services, user),
    )

    [error] = result["data"]["updateProfile"]["errors"]
    assert error["code"] == code
    assert error["field"][:2] == ["input", "avatarFileId"]
    stored = await db.get(User, user.id)
    assert (stored.avatar_file_id, stored.bio) == (None, None)

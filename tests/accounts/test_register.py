import pytest
from sqlalchemy import func, select

from models.user import User
from tests.accounts.documents import REGISTER, VIEWER
from tests.factories import PASSWORD, make_user, outbox


def register_input(**overrides):
    return {
        "email": "ada@example.com",
        "password": PASSWORD,
        "name": "Ada Lovelace",
        "role": "FREELANCER",
        **overrides,
    }


async def count_users(db) -> int:
    return await db.scalar(select(func.count()).select_from(User))


async def test_register_signs_the_new_user_in(gql):
    result = await gql(REGISTER, {"input": register_input()})

    payload = result["data"]["register"]
    assert payload["errors"] == []
    assert payload["user"]["email"] == "ada@example.com"
    assert payload["user"]["role"] == "FREELANCER"
    assert payload["user"]["emailVerified"] is False
    viewer = await gql(VIEWER, token=payload["accessToken"])
    assert viewer["data"]["viewer"]["id"] == payload["user"]["id"]


async def test_register_stores_the_email_in_lower_case(gql, db):
    await gql(REGISTER, {"input": register_input(email="  Ada@Example.COM ")})

    assert await db.scalar(select(User.email)) == "ada@example.com"


async def test_register_sends_an_email_verification_link(gql, db):
    await gql(REGISTER, {"input": register_input()})

    [message] = await outbox(db, "ada@example.com")
    assert "verify-email?token=" in message.body


async def test_register_never_stores_the_password(gql, db):
    await gql(REGISTER, {"input": register_input()})

    stored = await db.scalar(select(User.password_hash))
    assert PASSWORD not in stored
    assert stored.startswith("$argon2id$")


@pytest.mark.parametrize("email", ["ADA@example.com", "ada@EXAMPLE.com"])
async def test_register_refuses_an_email_taken_in_any_case(gql, services, db, email):
    await make_user(services, email="ada@example.com")

    result = await gql(REGISTER, {"input": register_input(email=email)})

    assert result["data"]["register"]["errors"] == [
        {
            "field": ["input", "email"],
            "code": "EMAIL_TAKEN",
            "message": "An account with this email already exists",
        }
    ]
    assert await count_users(db) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"password": "short1"}, "password", "WEAK_PASSWORD"),
        ({"password": "password123"}, "password", "WEAK_PASSWORD"),
        ({"password": "aaaaaaaaaaaa"}, "password", "WEAK_PASSWORD"),
        ({"password": "x" * 129}, "password", "TOO_LONG"),
        ({"name": "n" * 101}, "name", "TOO_LONG"),
        ({"name": "   "}, "name", "REQUIRED"),
        ({"email": "not-an-email"}, "email", "INVALID_EMAIL"),
        ({"email": "a" * 250 + "@example.com"}, "email", "INVALID_EMAIL"),
        ({"role": "ADMIN"}, "role", "ROLE_NOT_ALLOWED"),
    ],
)
async def test_register_refuses_bad_input_and_writes_nothing(gql, db, overrides, field, code):
    result = await gql(REGISTER, {"input": register_input(**overrides)})

    payload = result["data"]["register"]
    assert payload["user"] is None
    assert payload["accessToken"] is None
    [error] = payload["errors"]
    assert (error["field"], error["code"]) == (["input", field], code)
    assert await count_users(db) == 0


async def test_register_refuses_a_role_that_does_not_exist(client):
    response = await client.post(
        "/graphql", json={"query": REGISTER, "variables": {"input": register_input(role="OWNER")}}
    )

    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    assert "OWNER" in body["errors"][0]["message"]


async def test_concurrent_registrations_with_one_email_create_one_account(gql, db):
    import asyncio

    results = await asyncio.gather(
        *[gql(REGISTER, {"input": register_input(email="race@example.com")}) for _ in range(5)]
    )

    codes = sorted(
        (r["data"]["register"]["errors"] or [{"code": "OK"}])[0]["code"] for r in results
    )
    assert codes == ["EMAIL_TAKEN"] * 4 + ["OK"]
    assert await count_users(db) == 1

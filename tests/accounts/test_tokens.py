import asyncio
import base64
import json
import uuid
from datetime import datetime, timedelta

import jwt
import pytest
from sqlalchemy import update

from models.account import RefreshToken
from models.types import utcnow
from resolvers import security
from resolvers.security import issue_access_token
from tests.accounts.documents import LOGIN, LOGOUT, REFRESH, VIEWER
from tests.conftest import TEST_SECRET
from tests.factories import PASSWORD, make_user


async def sign_in(gql, services, email="carol@example.com"):
    await make_user(services, email=email)
    payload = (await gql(LOGIN, {"input": {"email": email, "password": PASSWORD}}))["data"]["login"]
    return payload


def error_code(result, field):
    errors = result["data"][field]["errors"]
    return errors[0]["code"] if errors else None


async def test_refresh_rotates_the_refresh_token(gql, services):
    first = await sign_in(gql, services)

    second = (await gql(REFRESH, {"token": first["refreshToken"]}))["data"]["refreshToken"]

    assert second["errors"] == []
    assert second["refreshToken"] != first["refreshToken"]
    viewer = await gql(VIEWER, token=second["accessToken"])
    assert viewer["data"]["viewer"]["email"] == "carol@example.com"


async def test_reusing_a_spent_refresh_token_revokes_its_whole_family(gql, services):
    first = await sign_in(gql, services)
    second = (await gql(REFRESH, {"token": first["refreshToken"]}))["data"]["refreshToken"]

    replay = await gql(REFRESH, {"token": first["refreshToken"]})
    after_theft = await gql(REFRESH, {"token": second["refreshToken"]})

    assert error_code(replay, "refreshToken") == "TOKEN_REUSED"
    assert error_code(after_theft, "refreshToken") == "INVALID_TOKEN"


async def test_reuse_leaves_other_logins_of_the_user_alone(gql, services):
    first = await sign_in(gql, services)
    other = (await gql(LOGIN, {"input": {"email": "carol@example.com", "password": PASSWORD}}))[
        "data"
    ]["login"]
    await gql(REFRESH, {"token": first["refreshToken"]})
    await gql(REFRESH, {"token": first["refreshToken"]})

    result = await gql(REFRESH, {"token": other["refreshToken"]})

    assert error_code(result, "refreshToken") is None


async def test_two_concurrent_refreshes_with_one_token_let_exactly_one_succeed(gql, services):
    first = await sign_in(gql, services)

    results = await asyncio.gather(
        gql(REFRESH, {"token": first["refreshToken"]}),
        gql(REFRESH, {"token": first["refreshToken"]}),
    )

    succeeded = [r for r in results if r["data"]["refreshToken"]["accessToken"]]
    assert len(succeeded) == 1


async def test_an_unknown_refresh_token_is_refused(gql):
    result = await gql(REFRESH, {"token": "made-up-token"})

    assert error_code(result, "refreshToken") == "INVALID_TOKEN"


async def test_an_expired_refresh_token_is_refused(gql, services, db):
    first = await sign_in(gql, services)
    await db.execute(update(RefreshToken).values(expires_at=utcnow() - timedelta(seconds=1)))

    result = await gql(REFRESH, {"token": first["refreshToken"]})

    assert error_code(result, "refreshToken") == "TOKEN_EXPIRED"


async def test_logout_revokes_the_refresh_token(gql, services):
    first = await sign_in(gql, services)

    logout = await gql(LOGOUT, {"token": first["refreshToken"]})
    result = await gql(REFRESH, {"token": first["refreshToken"]})

    assert logout["data"]["logout"] == {"ok": True, "errors": []}
    assert error_code(result, "refreshToken") == "INVALID_TOKEN"


async def test_logout_with_an_unknown_token_is_a_payload_error(gql):
    result = await gql(LOGOUT, {"token": "nope"})

    assert result["data"]["logout"]["ok"] is False
    assert result["data"]["logout"]["errors"][0]["code"] == "INVALID_TOKEN"


async def test_a_refresh_token_is_not_accepted_as_an_access_token(gql, services):
    first = await sign_in(gql, services)

    result = await gql(VIEWER, token=first["refreshToken"])

    assert result["data"] is None or result["data"]["viewer"] is None
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def forge(claims_overrides=None, *, key=TEST_SECRET, algorithm="HS256", drop=()):
    now = utcnow()
    claims = {
        "iss": "gigstream",
        "aud": "gigstream-api",
        "sub": str(uuid.uuid4()),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "jti": uuid.uuid4().hex,
        **(claims_overrides or {}),
    }
    for name in drop:
        claims.pop(name)
    return jwt.encode(claims, key, algorithm=algorithm)


def alg_none_token(user_id):
    def b64(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(utcnow().timestamp())
    claims = {
        "iss": "gigstream",
        "aud": "gigstream-api",
        "sub": str(user_id),
        "iat": now,
        "exp": now + 300,
        "jti": "x",
    }
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."


@pytest.mark.parametrize(
    ("make_token", "message"),
    [
        (
            lambda uid: forge({"sub": str(uid), "exp": int(utcnow().timestamp()) - 10}),
            "Access token expired",
        ),
        (
            lambda uid: forge({"sub": str(uid)}, key="another-secret-" + "y" * 40),
            "Invalid access token",
        ),
        (
            lambda uid: forge({"sub": str(uid)}, key="z" * 64, algorithm="HS512"),
            "Invalid access token",
        ),
        (alg_none_token, "Invalid access token"),
        (lambda uid: forge({"sub": str(uid), "aud": "someone-else"}), "Invalid access token"),
        (lambda uid: forge({"sub": str(uid), "iss": "evil"}), "Invalid access token"),
        (lambda uid: forge({"sub": str(uid)}, drop=("jti",)), "Invalid access token"),
        (lambda uid: forge({"sub": "not-a-uuid"}), "Invalid access token"),
        (lambda uid: "garbage", "Invalid access token"),
    ],
    ids=[
        "expired",
        "forged",
        "other-alg",
        "alg-none",
        "audience",
        "issuer",
        "no-jti",
        "bad-sub",
        "garbage",
    ],
)
async def test_bad_access_tokens_are_unauthenticated(gql, services, make_token, message):
    user = await make_user(services)

    result = await gql(VIEWER, token=make_token(user.id))

    [error] = result["errors"]
    assert error["message"] == message
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_malformed_authorization_header_is_unauthenticated(client):
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": "Basic dXNlcjpwYXNz"}
    )

    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_viewer_is_null_when_anonymous(gql):
    assert await gql(VIEWER) == {"data": {"viewer": None}}


async def test_a_token_for_a_deleted_user_is_unauthenticated(gql, services):
    token = issue_access_token(services.settings, user_id=uuid.uuid4()).token

    result = await gql(VIEWER, token=token)

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_access_token_expires_at_the_time_announced(gql, services):
    first = await sign_in(gql, services)
    claims = jwt.decode(first["accessToken"], options={"verify_signature": False})

    assert claims["exp"] - claims["iat"] == 15 * 60
    assert first["expiresAt"].startswith(
        utcnow().fromtimestamp(claims["exp"], tz=utcnow().tzinfo).isoformat()[:19]
    )


def test_a_token_is_verified_once_and_still_expires_on_time(settings, monkeypatch):
    token = issue_access_token(settings, user_id=uuid.uuid4()).token
    verifications = []
    real_decode = jwt.decode

    def counting_decode(*args, **kwargs):
        verifications.append(args[0])
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(security.jwt, "decode", counting_decode)
    security._verified.cache_clear()
    first = security.read_access_token(settings, token)
    again = security.read_access_token(settings, token)
    assert again == first
    assert verifications == [token]

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return first.expires_at

    monkeypatch.setattr(security, "datetime", Later)
    with pytest.raises(security.InvalidAccessToken, match="expired"):
        security.read_access_token(settings, token)


def test_a_forged_token_is_refused_every_time(settings):
    token = issue_access_token(settings, user_id=uuid.uuid4()).token
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    for _ in range(2):
        with pytest.raises(security.InvalidAccessToken, match="Invalid"):
            security.read_access_token(settings, forged)

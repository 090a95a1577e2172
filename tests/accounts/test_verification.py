from datetime import timedelta

import pytest
from sqlalchemy import select, update

from models.account import OneTimeCode, RefreshToken
from models.notification import Notification, NotificationType
from models.review import Badge, BadgeKind
from models.types import utcnow
from tests.accounts.documents import LOGIN, REFRESH
from tests.factories import PASSWORD, last_secret, make_user, outbox, token_for

REQUEST_EMAIL = "mutation { requestEmailVerification { ok errors { field code message } } }"
VERIFY_EMAIL = """
mutation($token: String!) {
  verifyEmail(input: {token: $token}) { user { emailVerified } errors { field code message } }
}"""
REQUEST_RESET = """
mutation($email: String!) {
  requestPasswordReset(input: {email: $email}) { ok errors { code } }
}"""
RESET = """
mutation($token: String!, $password: String!) {
  resetPassword(input: {token: $token, password: $password}) {
    user { email } errors { field code message }
  }
}"""
CHANGE = """
mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    user { email } errors { field code message }
  }
}"""
REQUEST_CODE = """
mutation($phone: String!) { requestPhoneCode(input: {phone: $phone}) { ok errors { field code } } }
"""
VERIFY_CODE = """
mutation($code: String!) {
  verifyPhoneCode(input: {code: $code}) { user { phone phoneVerified } errors { field code } }
}"""
TOKEN = r"token=([A-Za-z0-9_-]+)"
CODE = r"code is (\d{6})"


def codes(result, field):
    return [error["code"] for error in result["data"][field]["errors"]]


@pytest.fixture
async def dana(services):
    return await make_user(services, email="dana@example.com")


async def test_the_emailed_link_verifies_the_email_once(gql, services, db, dana):
    token = token_for(services, dana)
    assert (await gql(REQUEST_EMAIL, token=token))["data"]["requestEmailVerification"]["ok"]
    secret = await last_secret(db, "dana@example.com", TOKEN)

    first = await gql(VERIFY_EMAIL, {"token": secret})
    second = await gql(VERIFY_EMAIL, {"token": secret})

    assert codes(first, "verifyEmail") == []
    assert codes(second, "verifyEmail") == ["INVALID_TOKEN"]
    viewer = await gql("{ viewer { emailVerified } }", token=token)
    assert viewer["data"]["viewer"]["emailVerified"] is True


async def test_an_email_link_older_than_an_hour_has_expired(gql, services, db, dana):
    await gql(REQUEST_EMAIL, token=token_for(services, dana))
    secret = await last_secret(db, "dana@example.com", TOKEN)
    await db.execute(update(OneTimeCode).values(expires_at=utcnow() - timedelta(seconds=1)))

    result = await gql(VERIFY_EMAIL, {"token": secret})

    assert codes(result, "verifyEmail") == ["TOKEN_EXPIRED"]


async def test_email_tokens_are_stored_hashed(gql, services, db, dana):
    await gql(REQUEST_EMAIL, token=token_for(services, dana))
    secret = await last_secret(db, "dana@example.com", TOKEN)

    stored = list(await db.scalars(select(OneTimeCode.code_hash)))

    assert stored
    assert secret not in stored


async def test_requesting_verification_needs_a_signed_in_user(gql):
    result = await gql(REQUEST_EMAIL)

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_password_reset_sets_the_password_and_signs_out_everywhere(gql, db, dana):
    login = (await gql(LOGIN, {"input": {"email": dana.email, "password": PASSWORD}}))["data"][
        "login"
    ]
    await gql(REQUEST_RESET, {"email": "DANA@example.com"})
    secret = await last_secret(db, dana.email, TOKEN)

    reset = await gql(RESET, {"token": secret, "password": "a brand new passphrase"})
    again = await gql(RESET, {"token": secret, "password": "yet another passphrase"})
    old_login = await gql(LOGIN, {"input": {"email": dana.email, "password": PASSWORD}})
    new_login = await gql(
        LOGIN, {"input": {"email": dana.email, "password": "a brand new passphrase"}}
    )
    old_refresh = await gql(REFRESH, {"token": login["refreshToken"]})

    assert reset["data"]["resetPassword"]["errors"] == []
    assert codes(again, "resetPassword") == ["INVALID_TOKEN"]
    assert codes(old_login, "login") == ["INVALID_CREDENTIALS"]
    assert codes(new_login, "login") == []
    assert codes(old_refresh, "refreshToken") == ["INVALID_TOKEN"]


async def test_a_reset_request_for_an_unknown_email_looks_the_same(gql, db):
    result = await gql(REQUEST_RESET, {"email": "nobody@example.com"})
    malformed = await gql(REQUEST_RESET, {"email": "not-an-email"})

    assert result == malformed == {"data": {"requestPasswordReset": {"ok": True, "errors": []}}}
    assert await outbox(db, "nobody@example.com") == []


async def test_a_reset_with_a_weak_password_keeps_the_token_usable(gql, db, dana):
    await gql(REQUEST_RESET, {"email": dana.email})
    secret = await last_secret(db, dana.email, TOKEN)

    weak = await gql(RESET, {"token": secret, "password": "short"})
    strong = await gql(RESET, {"token": secret, "password": "a brand new passphrase"})

    assert codes(weak, "resetPassword") == ["WEAK_PASSWORD"]
    assert codes(strong, "resetPassword") == []


async def test_an_email_verification_token_cannot_reset_a_password(gql, services, db, dana):
    await gql(REQUEST_EMAIL, token=token_for(services, dana))
    secret = await last_secret(db, dana.email, TOKEN)

    result = await gql(RESET, {"token": secret, "password": "a brand new passphrase"})

    assert codes(result, "resetPassword") == ["INVALID_TOKEN"]


async def test_changing_the_password_revokes_every_refresh_token(gql, services, db, dana):
    await gql(LOGIN, {"input": {"email": dana.email, "password": PASSWORD}})

    wrong = await gql(
        CHANGE,
        {"current": "not it at all", "new": "a brand new passphrase"},
        token=token_for(services, dana),
    )
    right = await gql(
        CHANGE,
        {"current": PASSWORD, "new": "a brand new passphrase"},
        token=token_for(services, dana),
    )

    assert codes(wrong, "changePassword") == ["INVALID_CREDENTIALS"]
    assert codes(right, "changePassword") == []
    revoked = await db.scalars(select(RefreshToken.revoked_at))
    assert all(revoked_at is not None for revoked_at in revoked)


async def test_a_texted_code_verifies_the_phone(gql, services, db, dana):
    token = token_for(services, dana)
    await gql(REQUEST_CODE, {"phone": "+1 (415) 555-0123"}, token=token)
    code = await last_secret(db, "+14155550123", CODE)

    result = await gql(VERIFY_CODE, {"code": code}, token=token)

    assert result["data"]["verifyPhoneCode"] == {
        "user": {"phone": "+14155550123", "phoneVerified": True},
        "errors": [],
    }


async def test_a_phone_code_allows_five_attempts(gql, services, db, dana):
    token = token_for(services, dana)
    await gql(REQUEST_CODE, {"phone": "+14155550123"}, token=token)
    code = await last_secret(db, "+14155550123", CODE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    attempts = [await gql(VERIFY_CODE, {"code": wrong}, token=token) for _ in range(5)]
    sixth = await gql(VERIFY_CODE, {"code": code}, token=token)

    assert [codes(a, "verifyPhoneCode") for a in attempts] == [["INVALID_CODE"]] * 5
    assert codes(sixth, "verifyPhoneCode") == ["TOO_MANY_ATTEMPTS"]


async def test_a_phone_code_expires_after_five_minutes(gql, services, db, dana):
    token = token_for(services, dana)
    await gql(REQUEST_CODE, {"phone": "+14155550123"}, token=token)
    code = await last_secret(db, "+14155550123", CODE)
    await db.execute(update(OneTimeCode).values(expires_at=utcnow() - timedelta(seconds=1)))

    result = await gql(VERIFY_CODE, {"code": code}, token=token)

    assert codes(result, "verifyPhoneCode") == ["TOKEN_EXPIRED"]


async def test_a_new_phone_code_replaces_the_previous_one(gql, services, db, dana):
    token = token_for(services, dana)
    await gql(REQUEST_CODE, {"phone": "+14155550123"}, token=token)
    first = await last_secret(db, "+14155550123", CODE)
    await gql(REQUEST_CODE, {"phone": "+14155550123"}, token=token)
    second = await last_secret(db, "+14155550123", CODE)

    stale = await gql(VERIFY_CODE, {"code": first}, token=token) if first != second else None
    fresh = await gql(VERIFY_CODE, {"code": second}, token=token)

    if stale is not None:
        assert codes(stale, "verifyPhoneCode") == ["INVALID_CODE"]
    assert codes(fresh, "verifyPhoneCode") == []


async def test_phone_codes_are_stored_hashed(gql, services, db, dana):
    await gql(REQUEST_CODE, {"phone": "+14155550123"}, token=token_for(services, dana))
    code = await last_secret(db, "+14155550123", CODE)

    stored = await db.scalar(select(OneTimeCode.code_hash))

    assert code not in stored


@pytest.mark.parametrize("phone", ["12345", "+0123456789", "phone", "+1" + "2" * 20])
async def test_a_malformed_phone_number_is_refused(gql, services, db, dana, phone):
    result = await gql(REQUEST_CODE, {"phone": phone}, token=token_for(services, dana))

    assert codes(result, "requestPhoneCode") == ["INVALID_PHONE"]
    assert await db.scalar(select(OneTimeCode.id)) is None


async def test_verifying_email_then_phone_awards_verified_once(gql, services, db, dana):
    token = token_for(services, dana)
    await gql(REQUEST_EMAIL, token=token)
    await gql(VERIFY_EMAIL, {"token": await last_secret(db, "dana@example.com", TOKEN)})
    assert await db.scalars(select(Badge.badge).where(Badge.user_id == dana.id)) == []

    await gql(REQUEST_CODE, {"phone": "+1 (415) 555-0123"}, token=token)
    await gql(VERIFY_CODE, {"code": await last_secret(db, "+14155550123", CODE)}, token=token)

    assert await db.scalars(select(Badge.badge).where(Badge.user_id == dana.id)) == [
        BadgeKind.VERIFIED
    ]
    notes = await db.scalars(select(Notification).where(Notification.user_id == dana.id))
    assert [(n.type, n.text) for n in notes] == [
        (NotificationType.BADGE_AWARDED, "You earned a badge: Verified")
    ]

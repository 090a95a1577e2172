import time

from models.user import UserRole
from tests.accounts.documents import LOGIN, VIEWER
from tests.factories import PASSWORD, make_user

WRONG = {"field": None, "code": "INVALID_CREDENTIALS", "message": "Wrong email or password"}


async def test_login_returns_tokens_for_the_right_password(gql, services):
    user = await make_user(services, email="bob@example.com", role=UserRole.CLIENT)

    payload = (await gql(LOGIN, {"input": {"email": "Bob@Example.com", "password": PASSWORD}}))[
        "data"
    ]["login"]

    assert payload["errors"] == []
    viewer = await gql(VIEWER, token=payload["accessToken"])
    assert viewer["data"]["viewer"]["email"] == user.email


async def test_login_gives_the_same_error_for_unknown_email_and_wrong_password(gql, services):
    await make_user(services, email="bob@example.com")

    unknown = await gql(LOGIN, {"input": {"email": "nobody@example.com", "password": PASSWORD}})
    wrong = await gql(LOGIN, {"input": {"email": "bob@example.com", "password": "nope-nope"}})
    malformed = await gql(LOGIN, {"input": {"email": "not an email", "password": PASSWORD}})

    for result in (unknown, wrong, malformed):
        assert result["data"]["login"]["errors"] == [WRONG]
        assert result["data"]["login"]["accessToken"] is None


async def test_login_hashes_a_password_even_for_an_unknown_email(gql, services, monkeypatch):
    """Timing must not tell which emails have accounts: both paths run one argon2 verify."""
    await make_user(services, email="bob@example.com")
    calls = []
    original = services.passwords._verify

    def counting_verify(password_hash, password):
        started = time.perf_counter()
        try:
            return original(password_hash, password)
        finally:
            calls.append((password_hash is None, time.perf_counter() - started))

    monkeypatch.setattr(services.passwords, "_verify", counting_verify)

    await gql(LOGIN, {"input": {"email": "nobody@example.com", "password": PASSWORD}})
    await gql(LOGIN, {"input": {"email": "bob@example.com", "password": "wrong-password"}})

    assert [unknown for unknown, _ in calls] == [True, False]


async def test_an_address_stored_under_older_rules_still_signs_in(gql, services):
    await make_user(services, email="ops@intranet.local")  # .local is refused at registration

    result = await gql(LOGIN, {"input": {"email": "OPS@intranet.local", "password": PASSWORD}})

    assert result["data"]["login"]["errors"] == []


async def test_login_refuses_a_deactivated_account(gql, services):
    from models.types import utcnow

    await make_user(services, email="gone@example.com", deactivated_at=utcnow())

    result = await gql(LOGIN, {"input": {"email": "gone@example.com", "password": PASSWORD}})

    assert result["data"]["login"]["errors"] == [WRONG]


async def test_login_with_a_megabyte_password_is_refused_quickly(gql, services):
    await make_user(services, email="bob@example.com")

    result = await gql(LOGIN, {"input": {"email": "bob@example.com", "password": "p" * 500_000}})

    assert result["data"]["login"]["errors"] == [WRONG]

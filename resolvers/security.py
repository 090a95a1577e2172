"""Password hashing, access tokens and opaque secrets."""

import asyncio
import functools
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models.settings import Settings
from models.types import utcnow

ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub", "jti"]


class InvalidAccessToken(Exception):
    """The bearer token cannot be trusted; the message says why, for the client."""


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_at: datetime


class Passwords:
    """Argon2id hashing, run off the event loop because each hash costs tens of milliseconds."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=1,
        )
        # Verified against when the email is unknown, so both failures cost the same time.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and (
                password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


def issue_access_token(settings: Settings, *, user_id: uuid.UUID) -> AccessToken:
    """Sign a short-lived access token for a user."""
    now = utcnow()
    expires_at = now + timedelta(seconds=settings.access_token_ttl_seconds)
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, settings.secret, algorithm=ALGORITHM)
    return AccessToken(token=token, expires_at=expires_at.replace(microsecond=0))


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """Whom a valid access token speaks for, and until when."""

    user_id: uuid.UUID
    expires_at: datetime


def read_access_token(settings: Settings, token: str) -> AccessClaims:
    """Return whom an access token was issued to and its expiry, or raise `InvalidAccessToken`."""
    claims = _verified(token, settings.secret, settings.jwt_audience, settings.jwt_issuer)
    if claims.expires_at <= datetime.now(UTC):
        raise InvalidAccessToken("Access token expired")
    return claims


@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str, audience: str, issuer: str) -> AccessClaims:
    """The claims of a token whose signature, issuer, audience and required claims check out.

    A client sends the same token with every request for a quarter of an hour; what verified
    once verifies again, so only its expiry is checked per use (by the caller). A refused
    token raises and is not remembered.
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": _REQUIRED_CLAIMS},
        )
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )
    except jwt.ExpiredSignatureError:
        raise InvalidAccessToken("Access token expired") from None
    except (jwt.InvalidTokenError, ValueError, TypeError, OverflowError):
        raise InvalidAccessToken("Invalid access token") from None


def bearer_token(header: str | None) -> str | None:
    """Extract the token from an `Authorization: Bearer …` value; `None` when absent."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidAccessToken("Authorization must be `Bearer <access token>`")
    return token.strip()


def new_secret() -> str:
    """A URL-safe secret with 256 bits of entropy, for refresh and email tokens."""
    return secrets.token_urlsafe(32)


def new_numeric_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def digest(settings: Settings, value: str) -> str:
    """Keyed hash of a secret we store: a leaked table reveals neither tokens nor 6-digit codes."""
    return hmac.new(settings.secret.encode(), value.encode(), hashlib.sha256).hexdigest()

"""Webhook signatures, as Stripe makes them: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`.

The timestamp is signed with the body, so a captured request stops working after the tolerance;
several `v1` values and several secrets are accepted, so a secret can be rotated without a gap.
"""

import hashlib
import hmac
from collections.abc import Sequence


class SignatureError(Exception):
    """The request is not a webhook we can trust; the message says why, in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signature(body: bytes, secret: str, timestamp: int) -> str:
    """The hex HMAC-SHA256 of `timestamp.body` under `secret`."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The header value for `body` sent at `timestamp`."""
    return f"t={timestamp},v1={signature(body, secret, timestamp)}"


def verify(
    body: bytes, header: str | None, *, secrets: Sequence[str], now: float, tolerance: int
) -> str:
    """Check the signature over the raw `body`; return the `v1` that matched.

    Raise `SignatureError` for a missing or malformed header, a timestamp further than
    `tolerance` seconds from `now`, or no `v1` made by any of `secrets`.
    """
    if not header:
        raise SignatureError("The signature header is missing")
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("The signature's timestamp is not a number") from None
        elif name == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("The signature header needs t= and at least one v1=")
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"The signature's timestamp is more than {tolerance} s away")
    for secret in secrets:
        expected = signature(body, secret, timestamp)
        for candidate in candidates:
            if hmac.compare_digest(expected, candidate):
                return candidate
    raise SignatureError("No signature matches the body")

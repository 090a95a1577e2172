"""The built-in payment provider: no card network, but real, signed webhooks over HTTP.

It speaks Stripe's event format, so the webhook path it exercises is the one a real provider
uses. `confirmPayment` (present only while it is the provider) asks it to send the outcome.
"""

import json
import logging
import secrets
from datetime import datetime
from typing import Any

import httpx

from models.settings import Settings
from resolvers.payments import EventKind, Intent, MalformedEvent, ProviderEvent
from resolvers.payments.signing import sign, verify

logger = logging.getLogger("gigstream.payments")

NAME = "simulator"
SIGNATURE_HEADER = "Gigstream-Signature"
WEBHOOK_PATH = "/webhooks/payments"
SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"
DECLINED = "Your card was declined (simulated)."


class Simulator:
    name = NAME

    def __init__(self, settings: Settings, *, transport: Any = None) -> None:
        self.settings = settings
        # httpx transport for the webhooks: None is the network; tests pass the app itself.
        self.transport = transport

    async def create_intent(
        self, *, amount: int, currency: str, metadata: dict[str, str]
    ) -> Intent:
        reference = f"sim_pi_{secrets.token_hex(12)}"
        return Intent(reference, f"{reference}_secret_{secrets.token_urlsafe(18)}")

    def read_webhook(self, body: bytes, headers: Any, *, now: datetime) -> ProviderEvent:
        matched = verify(
            body,
            headers.get(SIGNATURE_HEADER),
            secrets=self.settings.webhook_secrets,
            now=now.timestamp(),
            tolerance=self.settings.payment_webhook_tolerance_seconds,
        )
        return read_event(body, signature=matched)

    def event(
        self, *, reference: str, amount: int, currency: str, succeeded: bool, now: datetime
    ) -> dict[str, Any]:
        """The event a provider sends when a payment intent succeeds or fails."""
        return {
            "id": f"evt_sim_{secrets.token_hex(12)}",
            "object": "event",
            "type": SUCCEEDED if succeeded else FAILED,
            "created": int(now.timestamp()),
            "data": {
                "object": {
                    "id": reference,
                    "object": "payment_intent",
                    "amount": amount,
                    "currency": currency.lower(),
                    "status": "succeeded" if succeeded else "requires_payment_method",
                    "last_payment_error": None if succeeded else {"message": DECLINED},
                }
            },
        }

    async def deliver(self, event: dict[str, Any], *, now: datetime) -> httpx.Response:
        """Sign `event` and POST it to our own webhook endpoint, as the provider would."""
        body = json.dumps(event, separators=(",", ":")).encode()
        header = sign(body, self.settings.webhook_secrets[0], int(now.timestamp()))
        url = f"{self.settings.public_url.rstrip('/')}{WEBHOOK_PATH}/{NAME}"
        async with httpx.AsyncClient(transport=self.transport, timeout=30) as client:
            return await client.post(
                url,
                content=body,
                headers={"Content-Type": "application/json", SIGNATURE_HEADER: header},
            )


def read_event(body: bytes, *, signature: str) -> ProviderEvent:
    """Read a Stripe-format payment intent event; anything else is `MalformedEvent`."""
    try:
        payload = json.loads(body)
        event_id, kind_name = payload["id"], payload["type"]
        intent = payload.get("data", {}).get("object", {})
        if not isinstance(event_id, str) or not event_id or not isinstance(kind_name, str):
            raise TypeError
        if not isinstance(intent, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise MalformedEvent("The body is not a JSON event with an id and a type") from None
    kind = {SUCCEEDED: EventKind.SUCCEEDED, FAILED: EventKind.FAILED}.get(
        kind_name, EventKind.OTHER
    )
    reference, amount, currency = intent.get("id"), intent.get("amount"), intent.get("currency")
    if kind is not EventKind.OTHER and not (
        isinstance(reference, str) and _is_int(amount) and isinstance(currency, str)
    ):
        raise MalformedEvent("A payment intent event needs the intent's id, amount and currency")
    error = intent.get("last_payment_error")
    error = error if isinstance(error, dict) else {}
    return ProviderEvent(
        event_id=event_id[:255],
        type=kind_name[:64],
        kind=kind,
        reference=reference if isinstance(reference, str) else None,
        amount=amount if _is_int(amount) else None,
        currency=currency.upper() if isinstance(currency, str) else None,
        failure=str(error.get("message") or "The payment failed")[:500]
        if kind is EventKind.FAILED
        else None,
        payload=payload,
        signature=signature,
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)

"""Payment providers: they create payment intents, and tell us by signed webhook how they went.

A provider never moves an order or money itself: `resolvers.payments.webhooks` does, once per
event, in the transaction that records the event.
"""

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class EventKind(enum.StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    OTHER = "OTHER"  # recorded, and otherwise ignored


class MalformedEvent(Exception):
    """A correctly signed body that is not an event we can read."""


@dataclass(frozen=True, slots=True)
class Intent:
    """A payment intent as the provider made it; the client secret goes to the buyer once."""

    reference: str
    client_secret: str


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    """A verified webhook, in the provider's terms made ours."""

    event_id: str
    type: str
    kind: EventKind
    reference: str | None  # the provider's id of the payment
    amount: int | None
    currency: str | None
    failure: str | None
    payload: dict[str, Any]
    signature: str


class Provider(Protocol):
    name: str

    async def create_intent(
        self, *, amount: int, currency: str, metadata: dict[str, str]
    ) -> Intent:
        """Ask the provider for a payment intent of `amount` minor units."""
        ...

    def read_webhook(self, body: bytes, headers: Any, *, now: datetime) -> ProviderEvent:
        """Verify a webhook's signature over the raw body and read it; raise `SignatureError`
        or `MalformedEvent`."""
        ...


def create_provider(settings: Any, *, transport: Any = None) -> Provider:
    """The provider the settings name; `transport` carries the simulator's webhooks."""
    from resolvers.payments.simulator import Simulator

    if settings.payment_provider == "simulator":
        return Simulator(settings, transport=transport)
    raise ValueError(f"unknown payment provider {settings.payment_provider!r}")

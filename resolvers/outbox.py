"""Queue an email or SMS: stored with the transaction that caused it, delivered after commit."""

import logging
import uuid

from sqlalchemy import update

from models.account import Channel, OutboundMessage
from models.db import open_session
from models.types import utcnow
from resolvers.context import Context

logger = logging.getLogger("gigstream.outbound")


def queue_message(
    ctx: Context,
    *,
    channel: Channel,
    recipient: str,
    subject: str,
    body: str,
    user_id: uuid.UUID | None,
) -> OutboundMessage:
    """Add a message to the outbox and deliver it once the transaction commits."""
    message = OutboundMessage(
        channel=channel, recipient=recipient, subject=subject, body=body, user_id=user_id
    )
    ctx.session.add(message)
    services = ctx.services

    async def deliver() -> None:
        error = None
        try:
            await services.sender.deliver(message)
        except Exception as exc:
            logger.exception("delivery of outbound message %s failed", message.id)
            error = f"{type(exc).__name__}: {exc}"[:500]
        async with open_session(services.sessions) as session:
            await session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id == message.id)
                .values(sent_at=None if error else utcnow(), error=error)
            )
            await session.commit()

    ctx.after_commit(deliver)
    return message

"""Outgoing email and SMS: written to the outbox in the causing transaction, delivered after it."""

import asyncio
import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

from models.account import Channel, OutboundMessage
from models.settings import Settings

logger = logging.getLogger("gigstream.outbound")


class Sender(Protocol):
    async def deliver(self, message: OutboundMessage) -> None: ...


class LogSender:
    """Delivers by logging: the default, so development and tests need no mail server.

    The body (with its links and codes) is logged only in development, where a developer
    needs it to click through; in production it stays in the outbox table alone.
    """

    def __init__(self, *, include_body: bool) -> None:
        self._include_body = include_body

    async def deliver(self, message: OutboundMessage) -> None:
        extra = {"outbound_id": str(message.id)}
        if self._include_body:
            extra["body"] = message.body
        logger.info(
            "outbound %s to %s: %s",
            message.channel.value,
            message.recipient,
            message.subject,
            extra=extra,
        )


class SmtpSender:
    """Delivers email through the server named by `SMTP_URL` (smtp:// or smtps://, with
    `?starttls=1`); SMS still go to the log until an SMS provider is configured."""

    def __init__(self, url: str, mail_from: str, *, sms: Sender) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:password@host:587?starttls=1")
        self._parts = parts
        self._mail_from = mail_from
        self._sms = sms

    async def deliver(self, message: OutboundMessage) -> None:
        if message.channel is not Channel.EMAIL:
            await self._sms.deliver(message)
            return
        await asyncio.to_thread(self._send, message)

    def _send(self, message: OutboundMessage) -> None:
        parts = self._parts
        email = EmailMessage()
        email["From"] = self._mail_from
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email.set_content(message.body)
        if parts.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                parts.hostname,
                parts.port or 465,
                timeout=10,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=10)
        with client:
            if "starttls=1" in parts.query:
                client.starttls(context=ssl.create_default_context())
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(email)


def create_sender(settings: Settings) -> Sender:
    log = LogSender(include_body=not settings.is_production)
    if settings.smtp_url:
        return SmtpSender(settings.smtp_url, settings.mail_from, sms=log)
    return log

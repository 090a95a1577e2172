import asyncio

import pytest
from aiosmtpd.controller import Controller

from models.account import Channel, OutboundMessage
from resolvers.outbound import SmtpSender, create_sender
from tests.accounts.test_verification import REQUEST_RESET
from tests.e2e.harness import free_port
from tests.factories import make_user, outbox


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def test_the_smtp_sender_delivers_email_to_a_real_smtp_server(smtp_server):
    inbox, port = smtp_server
    sender = create_sender(
        type(
            "S",
            (),
            {
                "smtp_url": f"smtp://127.0.0.1:{port}",
                "mail_from": "Gig <n@g.io>",
                "is_production": False,
            },
        )()
    )
    message = OutboundMessage(
        channel=Channel.EMAIL, recipient="ann@example.com", subject="Hello", body="Body text"
    )

    await sender.deliver(message)

    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["ann@example.com"]
    assert b"Subject: Hello" in envelope.content
    assert b"Body text" in envelope.content


def test_an_smtp_url_of_another_scheme_is_refused():
    with pytest.raises(ValueError, match="SMTP_URL"):
        SmtpSender("http://mail.example.com", "x@example.com", sms=None)


async def test_delivered_messages_are_marked_sent(gql, services, db):
    user = await make_user(services, email="ann@example.com")

    await gql(REQUEST_RESET, {"email": user.email})

    for _ in range(50):  # delivery runs right after the commit, in the same task
        [message] = await outbox(db, user.email)
        if message.sent_at is not None:
            break
        await asyncio.sleep(0.01)
    assert message.sent_at is not None
    assert message.error is None


async def test_a_failed_delivery_is_recorded_and_does_not_fail_the_request(
    gql, services, db, monkeypatch
):
    user = await make_user(services, email="ann@example.com")

    async def refuse(_message):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services.sender, "deliver", refuse)

    result = await gql(REQUEST_RESET, {"email": user.email})

    assert result["data"]["requestPasswordReset"]["ok"] is True
    [message] = await outbox(db, user.email)
    assert message.sent_at is None
    assert message.error == "ConnectionRefusedError: smtp down"

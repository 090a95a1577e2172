"""Chat over GraphQL: inquiries, messages with a gapless seq, read markers, typing."""

import asyncio

import pytest
from sqlalchemy import select

from models.audit import AuditLog
from models.chat import Message
from models.file import FilePurpose
from models.order import Order, OrderStatus
from models.user import UserRole
from resolvers import chat, chat_typing
from schema.relay import encode_id
from tests.factories import (
    make_category,
    make_conversation,
    make_file,
    make_gig,
    make_message,
    make_user,
    token_for,
)

START = """
mutation($gig: ID!) { startConversation(input: {gigId: $gig}) {
  conversation { id kind participants { name } } errors { code field } } }
"""
SEND = """
mutation($c: ID!, $body: String!, $cid: String, $files: [ID!]) {
  sendMessage(input: {conversationId: $c, body: $body, clientMessageId: $cid,
                      attachmentIds: $files}) {
    message { id seq body cursor attachments { id } sender { name } } errors { code field } } }
"""
READ = """
mutation($c: ID!, $m: ID!) { markConversationRead(input: {conversationId: $c, upToMessageId: $m}) {
  conversation { unreadCount } errors { code field } } }
"""
TYPING = """
mutation($c: ID!, $t: Boolean!) { setTyping(input: {conversationId: $c, isTyping: $t}) {
  conversation { id } errors { code field } } }
"""
MINE = """
query($first: Int, $after: String) { myConversations(first: $first, after: $after) {
  totalCount edges { cursor node { id unreadCount lastMessage { body } } }
  pageInfo { hasNextPage endCursor } } }
"""
MESSAGES = """
query($c: ID!, $first: Int, $after: String) { conversation(id: $c) {
  messages(first: $first, after: $after) {
    totalCount edges { cursor node { seq body cursor } } pageInfo { hasNextPage endCursor } } } }
"""
CONVERSATION = "query($c: ID!) { conversation(id: $c) { id messageCount } }"


@pytest.fixture
async def people(services):
    buyer = await make_user(services, name="Buyer")
    seller = await make_user(services, role=UserRole.FREELANCER, name="Seller")
    gig = await make_gig(services, owner=seller, category=await make_category(services))
    return buyer, seller, gig


def gid(entity) -> str:
    name = type(entity).__name__
    return encode_id({"StoredFile": "File"}.get(name, name), entity.id)


async def test_an_inquiry_is_one_conversation_per_buyer_and_gig(gql, services, people):
    buyer, _seller, gig = people
    token = token_for(services, buyer)

    first = (await gql(START, {"gig": gid(gig)}, token=token))["data"]["startConversation"]
    again = (await gql(START, {"gig": gid(gig)}, token=token))["data"]["startConversation"]

    assert first["errors"] == again["errors"] == []
    assert first["conversation"]["id"] == again["conversation"]["id"]
    assert first["conversation"]["kind"] == "INQUIRY"
    assert sorted(p["name"] for p in first["conversation"]["participants"]) == ["Buyer", "Seller"]


async def test_concurrent_starts_end_in_the_same_inquiry(gql, services, people):
    buyer, _seller, gig = people
    token = token_for(services, buyer)

    results = await asyncio.gather(*(gql(START, {"gig": gid(gig)}, token=token) for _ in range(4)))

    ids = {r["data"]["startConversation"]["conversation"]["id"] for r in results}
    assert len(ids) == 1


async def test_you_cannot_start_an_inquiry_about_your_own_gig(gql, services, people):
    _buyer, seller, gig = people

    result = await gql(START, {"gig": gid(gig)}, token=token_for(services, seller))

    assert result["data"]["startConversation"]["errors"] == [
        {"code": "OWN_GIG", "field": ["input", "gigId"]}
    ]


async def test_messages_get_consecutive_seqs_and_a_retry_returns_the_first(gql, services, people):
    buyer, seller, gig = people
    conversation = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    token = token_for(services, buyer)
    variables = {"c": gid(conversation), "body": "Hello", "cid": "abc"}

    first = (await gql(SEND, variables, token=token))["data"]["sendMessage"]
    retry = (await gql(SEND, variables, token=token))["data"]["sendMessage"]
    second = (await gql(SEND, {**variables, "cid": "def"}, token=token))["data"]["sendMessage"]

    assert first["errors"] == retry["errors"] == second["errors"] == []
    assert retry["message"] == first["message"]
    assert [first["message"]["seq"], second["message"]["seq"]] == [1, 2]


async def test_concurrent_sends_take_distinct_consecutive_seqs(gql, services, db, people):
    buyer, seller, gig = people
    conversation = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    token = token_for(services, buyer)

    results = await asyncio.gather(
        *(gql(SEND, {"c": gid(conversation), "body": f"m{i}"}, token=token) for i in range(5))
    )

    assert all(r["data"]["sendMessage"]["errors"] == [] for r in results)
    seqs = await db.scalars(
        select(Message.seq).where(Message.conversation_id == conversation.id).order_by(Message.seq)
    )
    assert seqs == [1, 2, 3, 4, 5]


async def test_a_message_of_5001_characters_is_refused(gql, services, people):
    buyer, seller, gig = people
    conversation = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    token = token_for(services, buyer)

    result = await gql(SEND, {"c": gid(conversation), "body": "x" * 5001}, token=token)
    ok = await gql(SEND, {"c": gid(conversation), "body": "x" * 5000}, token=token)

    assert result["data"]["sendMessage"]["errors"] == [
        {"code": "TOO_LONG", "field": ["input", "body"]}
    ]
    assert ok["data"]["sendMessage"]["errors"] == []


async def test_an_empty_message_is_refused(gql, services, people):
    buyer, seller, gig = people
    conversation = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)

    result = await gql(
        SEND, {"c": gid(conversation), "body": "   "}, token=token_for(services, buyer)
    )

    assert result["data"]["sendMessage"]["errors"][0]["code"] == "REQUIRED"


async def test_someone_elses_attachment_is_refused_and_your_own_is_attached(gql, services, people):
    buyer, seller, gig = people
    conversation = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    theirs = await make_file(services, owner=seller, purpose=FilePurpose.MESSAGE_ATTACHMENT)
    mine = await make_file(services, owner=buyer, purpose=FilePurpose.MESSAGE_ATTACHMENT)
    token = token_for(services, buyer)

    refused = await gql(
        SEND, {"c": gid(conversation), "body": "see", "files": [gid(theirs)]}, token=token
    )
    sent = await gql(
        SEND, {"c": gid(conversation), "body": "see", "files": [gid(mine)]}, token=token
    )

    assert refused["data"]["sendMessage"]["errors"] == [
        {"code": "FILE_NOT_FOUND", "field": ["input", "attachmentIds", "0"]}
    ]
    assert sent["data"]["sendMessage"]["errors"] == []
    assert sent["data"]["sendMessage"]["message"]["attachments"] == [{"id": gid(mine)}]


async def test_only_participants_may_send_or_read(gql, services, people):
    buyer, seller, gig = people
    conversation = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    stranger = token_for(services, await make_user(services))

    sent = await gql(SEND, {"c": gid(conversation), "body": "hi"}, token=stranger)
    read = await gql(CONVERSATION, {"c": gid(conversation)}, token=stranger)

    assert sent["data"]["sendMessage"]["errors"] == [
        {"code": "NOT_FOUND", "field": ["input", "conversationId"]}
    ]
    assert read["data"]["conversation"] is None


async def test_set_typing_in_a_conversation_you_are_not_in_is_refused(gql, services, people):
    buyer, seller, gig = people
    conversation = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    stranger = token_for(services, await make_user(services))

    result = await gql(TYPING, {"c": gid(conversation), "t": True}, token=stranger)

    assert result["data"]["setTyping"]["errors"] == [
        {"code": "NOT_FOUND", "field": ["input", "conversationId"]}
    ]


async def test_typing_updates_too_fast_are_refused(gql, services, people):
    buyer, seller, gig = people
    conversation = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    token = token_for(services, buyer)

    codes = []
    for i in range(chat_typing.TYPING_BURST + 1):
        result = await gql(TYPING, {"c": gid(conversation), "t": i % 2 == 0}, token=token)
        codes.append([e["code"] for e in result["data"]["setTyping"]["errors"]])

    assert codes[:-1] == [[]] * chat_typing.TYPING_BURST
    assert codes[-1] == ["TOO_MANY_ATTEMPTS"]


async def test_unread_counts_and_the_read_marker_moves_only_forward(gql, services, people):
    buyer, seller, gig = people
    conversation = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    messages = [
        await make_message(services, conversation=conversation, sender=seller) for _ in "abc"
    ]
    token = token_for(services, buyer)

    before = (await gql(MINE, {}, token=token))["data"]["myConversations"]
    forward = await gql(READ, {"c": gid(conversation), "m": gid(messages[1])}, token=token)
    back = await gql(READ, {"c": gid(conversation), "m": gid(messages[0])}, token=token)

    assert before["edges"][0]["node"]["unreadCount"] == 3
    assert before["edges"][0]["node"]["lastMessage"] == {"body": "Message 3"}
    assert forward["data"]["markConversationRead"]["conversation"]["unreadCount"] == 1
    assert back["data"]["markConversationRead"]["conversation"]["unreadCount"] == 1


async def test_a_message_of_another_conversation_is_not_a_read_marker(gql, services, people):
    buyer, seller, gig = people
    mine = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    other = await make_conversation(services, buyer=await make_user(services), seller=seller)
    foreign = await make_message(services, conversation=other, sender=seller)

    result = await gql(READ, {"c": gid(mine), "m": gid(foreign)}, token=token_for(services, buyer))

    assert result["data"]["markConversationRead"]["errors"] == [
        {"code": "NOT_FOUND", "field": ["input", "upToMessageId"]}
    ]


async def test_my_conversations_come_latest_activity_first(gql, services, people):
    buyer, seller, gig = people
    older = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    newer = await make_conversation(services, buyer=buyer, seller=seller)
    await make_message(services, conversation=older, sender=seller)
    token = token_for(services, buyer)

    page1 = (await gql(MINE, {"first": 1}, token=token))["data"]["myConversations"]
    page2 = (await gql(MINE, {"first": 1, "after": page1["pageInfo"]["endCursor"]}, token=token))[
        "data"
    ]["myConversations"]

    assert page1["totalCount"] == 2
    assert [e["node"]["id"] for e in page1["edges"] + page2["edges"]] == [gid(older), gid(newer)]
    assert page2["pageInfo"]["hasNextPage"] is False


async def test_messages_page_oldest_first_with_the_message_cursor(gql, services, people):
    buyer, seller, gig = people
    conversation = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    for _ in range(3):
        await make_message(services, conversation=conversation, sender=seller)
    token = token_for(services, buyer)

    page1 = (await gql(MESSAGES, {"c": gid(conversation), "first": 2}, token=token))["data"]
    edges = page1["conversation"]["messages"]["edges"]
    page2 = (
        await gql(MESSAGES, {"c": gid(conversation), "after": edges[-1]["cursor"]}, token=token)
    )["data"]

    assert [e["node"]["seq"] for e in edges] == [1, 2]
    assert all(e["cursor"] == e["node"]["cursor"] for e in edges)
    assert [e["node"]["seq"] for e in page2["conversation"]["messages"]["edges"]] == [3]


async def test_a_cursor_of_another_conversation_is_refused(gql, services, people):
    buyer, seller, gig = people
    mine = await make_conversation(services, buyer=buyer, seller=seller, gig=gig)
    other = await make_conversation(services, buyer=await make_user(services), seller=seller)
    foreign = await make_message(services, conversation=other, sender=seller)

    result = await gql(
        MESSAGES,
        {"c": gid(mine), "after": chat.message_cursor(foreign)},
        token=token_for(services, buyer),
    )

    assert result["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_an_admin_reads_a_disputed_orders_conversation_and_it_is_audited(
    gql, services, db, people
):
    buyer, seller, gig = people
    admin = await make_user(services, role=UserRole.ADMIN)
    order = Order(
        gig_id=gig.id,
        buyer_id=buyer.id,
        seller_id=seller.id,
        status=OrderStatus.DISPUTED,
        title="Disputed work",
        price=5000,
        delivery_days=3,
    )
    async with services.sessions() as session:
        session.add(order)
        await session.commit()
    conversation = await make_conversation(services, buyer=buyer, seller=seller, order_id=order.id)

    result = await gql(CONVERSATION, {"c": gid(conversation)}, token=token_for(services, admin))

    assert result["data"]["conversation"]["id"] == gid(conversation)
    logged = await db.scalars(select(AuditLog).where(AuditLog.target_id == conversation.id))
    assert [(entry.actor_id, entry.action) for entry in logged] == [(admin.id, "conversation.read")]

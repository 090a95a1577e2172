"""Async factories: one per entity, each returning a committed row."""

import itertools
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from models.account import OutboundMessage
from models.catalog import Category, Gig, GigKind, GigPackage, GigStatus, PackageTier
from models.file import FilePurpose, FileStatus, StoredFile
from models.types import utcnow
from models.user import User, UserRole
from resolvers.context import Services
from resolvers.security import issue_access_token

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


async def make_user(
    services: Services,
    *,
    role: UserRole = UserRole.CLIENT,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    **fields: Any,
) -> User:
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example.com",
        name=name or f"User {n}",
        role=role,
        password_hash=await services.passwords.hash(password),
        **fields,
    )
    async with services.sessions() as session:
        session.add(user)
        await session.commit()
    return user


def token_for(services: Services, user: User) -> str:
    return issue_access_token(services.settings, user_id=user.id).token


async def outbox(db: Any, recipient: str) -> list[OutboundMessage]:
    return await db.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.recipient == recipient)
        .order_by(OutboundMessage.created_at)
    )


async def last_secret(db: Any, recipient: str, pattern: str) -> str:
    """The secret (token or code) in the newest email or SMS to `recipient`."""
    messages = await outbox(db, recipient)
    assert messages, f"nothing was sent to {recipient}"
    match = re.search(pattern, messages[-1].body)
    assert match, messages[-1].body
    return match.group(1)


async def make_category(
    services: Services, *, slug: str | None = None, name: str | None = None, parent=None
) -> Category:
    n = next(_counter)
    category = Category(
        slug=slug or f"category-{n}",
        name=name or f"Category {n}",
        parent_id=parent.id if parent is not None else None,
    )
    async with services.sessions() as session:
        session.add(category)
        await session.commit()
    return category


async def make_gig(
    services: Services,
    *,
    owner: User,
    category: Category,
    kind: GigKind = GigKind.SERVICE,
    status: GigStatus = GigStatus.ACTIVE,
    title: str | None = None,
    description: str = "A thorough description of what the buyer gets from this gig.",
    prices: tuple[int, ...] = (5000,),
    tags: list[str] | None = None,
    listed_at: datetime | None = None,
    **fields: Any,
) -> Gig:
    """A gig with one package per price (BASIC, STANDARD, PREMIUM), or a budget for a REQUEST."""
    n = next(_counter)
    now = utcnow()
    listed = listed_at or now
    budget = prices[0] if kind is GigKind.REQUEST else None
    gig = Gig(
        owner_id=owner.id,
        kind=kind,
        status=status,
        slug=f"gig-{n}",
        title=title or f"Gig {n}",
        description=description,
        category_id=category.id,
        tags=tags or [],
        min_price=min(prices),
        max_price=max(prices),
        budget=budget,
        deadline=now + timedelta(days=30) if kind is GigKind.REQUEST else None,
        published_at=listed if status is not GigStatus.DRAFT else None,
        listed_at=listed,
        **fields,
    )
    async with services.sessions() as session:
        session.add(gig)
        await session.flush()
        if kind is GigKind.SERVICE:
            for tier, price in zip(PackageTier, prices, strict=False):
                session.add(
                    GigPackage(
                        gig_id=gig.id,
                        tier=tier,
                        title=tier.value.title(),
                        price=price,
                        delivery_days=3,
                        revisions=1,
                    )
                )
        await session.commit()
    return gig


async def make_application(
    services: Services,
    *,
    gig: Gig,
    freelancer: User,
    cover_letter: str = "I have built this exact thing twice before and can start today.",
    price: int = 40000,
    delivery_days: int = 7,
    created_at: datetime | None = None,
    **fields: Any,
) -> Any:
    """An application (PENDING unless `status` says otherwise) by `freelancer` to `gig`."""
    from models.catalog import Application

    application = Application(
        gig_id=gig.id,
        freelancer_id=freelancer.id,
        cover_letter=cover_letter,
        price=price,
        delivery_days=delivery_days,
        created_at=created_at or utcnow(),
        **fields,
    )
    async with services.sessions() as session:
        session.add(application)
        await session.commit()
    return application


async def make_file(
    services: Services,
    *,
    owner: User,
    purpose: FilePurpose = FilePurpose.GIG_IMAGE,
    status: FileStatus = FileStatus.READY,
) -> StoredFile:
    """A file row as the upload checks leave it (the bytes themselves are not needed here)."""
    n = next(_counter)
    file = StoredFile(
        owner_id=owner.id,
        purpose=purpose,
        status=status,
        filename=f"image{n}.png",
        declared_content_type="image/png",
        content_type="image/png",
        declared_size=100,
        size=100,
        storage_key=f"files/test/{n}",
        width=10,
        height=10,
    )
    async with services.sessions() as session:
        session.add(file)
        await session.commit()
    return file


async def make_order(
    services: Services,
    *,
    gig: Gig,
    buyer: User,
    seller: User,
    status: Any = None,
    completed_at: datetime | None = None,
    due_at: datetime | None = None,
    delivered_at: datetime | None = None,
    price: int = 5000,
    **fields: Any,
) -> Any:
    """An order as the lifecycle leaves it: COMPLETED just now, delivered a day before it was
    due, unless told otherwise (a COMPLETED order always gets a `completed_at`)."""
    from models.order import Order, OrderStatus

    status = status or OrderStatus.COMPLETED
    now = utcnow()
    if status is OrderStatus.COMPLETED and completed_at is None:
        completed_at = now
    funded = status not in (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED)
    order = Order(
        gig_id=gig.id,
        buyer_id=buyer.id,
        seller_id=seller.id,
        status=status,
        title=gig.title,
        price=price,
        fee=price // 10,
        fee_bps=1000,
        delivery_days=3,
        funded_at=now - timedelta(days=4) if funded else None,
        due_at=due_at or (now - timedelta(days=1) if funded else None),
        delivered_at=delivered_at
        or (now - timedelta(days=2) if status is OrderStatus.COMPLETED else None),
        completed_at=completed_at,
        **fields,
    )
    async with services.sessions() as session:
        session.add(order)
        await session.commit()
    return order


async def make_conversation(
    services: Services,
    *,
    buyer: User,
    seller: User,
    gig: Gig | None = None,
    order: Any = None,
    **fields: Any,
) -> Any:
    """An INQUIRY between `buyer` and `seller` (about `gig` when given), or the conversation of
    `order` when given; both are participants."""
    from models.chat import Conversation, ConversationKind, ConversationParticipant, inquiry_key

    if order is not None:
        fields.update(kind=ConversationKind.ORDER, order_id=order.id)
    else:
        key = inquiry_key(gig_id=gig.id, buyer_id=buyer.id) if gig is not None else None
        fields.update(
            kind=ConversationKind.INQUIRY,
            gig_id=gig.id if gig is not None else None,
            inquiry_key=key,
        )
    conversation = Conversation(last_message_at=utcnow(), **fields)
    async with services.sessions() as session:
        session.add(conversation)
        await session.flush()
        for user in (buyer, seller):
            session.add(ConversationParticipant(conversation_id=conversation.id, user_id=user.id))
        await session.commit()
    return conversation


async def make_message(
    services: Services, *, conversation: Any, sender: User, body: str | None = None
) -> Any:
    """The conversation's next message, as `sendMessage` stores it (without publishing)."""
    from models.chat import Conversation, Message

    async with services.sessions() as session:
        row = await session.get(Conversation, conversation.id, with_for_update=True)
        assert row is not None
        row.message_count += 1
        message = Message(
            conversation_id=row.id,
            sender_id=sender.id,
            seq=row.message_count,
            body=body or f"Message {row.message_count}",
        )
        session.add(message)
        await session.flush()
        row.last_message_id, row.last_message_at = message.id, message.created_at
        await session.commit()
    return message

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

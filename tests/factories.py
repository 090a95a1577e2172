"""Async factories: one per entity, each returning a committed row."""

import itertools
import re
from typing import Any

from sqlalchemy import select

from models.account import OutboundMessage
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

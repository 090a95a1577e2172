"""What every use-case receives: a session, the viewer, the loaders, pub/sub and the settings."""

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.db import SessionFactory
from models.errors import NotAuthenticated
from models.settings import Settings
from models.user import User
from resolvers.clock import Clock
from resolvers.loaders import Loaders
from resolvers.outbound import Sender
from resolvers.security import Passwords

logger = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]


@dataclass(slots=True)
class Services:
    """The long-lived collaborators built once per process by the composition root."""

    settings: Settings
    sessions: SessionFactory
    passwords: Passwords
    sender: Sender
    broadcast: Any = None
    views: Any = None
    # What time it is for the order lifecycle (due dates, timers); tests move it.
    clock: Clock = field(default_factory=Clock)
    # The payment provider (resolvers.payments), and the timers that act on orders.
    payments: Any = None
    scheduler: Any = None
    # Who is here (resolvers.presence): live subscriptions and open WebSockets, by lease.
    presence: Any = None


@dataclass
class Context:
    services: Services
    viewer_id: uuid.UUID | None = None
    auth_error: str | None = None
    # When the access token naming the viewer expires (None: no token, or not known).
    access_expires_at: datetime | None = None
    request_id: str | None = None
    # Filled by strawberry from the WebSocket `connection_init` payload.
    connection_params: dict[str, Any] | None = None
    loaders: Loaders = field(init=False)
    _session: AsyncSession | None = field(default=None, init=False)
    _viewer: User | None = field(default=None, init=False)
    _after_commit: list[AfterCommit] = field(default_factory=list, init=False)
    _on_close: list[AfterCommit] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def session(self) -> AsyncSession:
        """The request's session, opened on first use."""
        if self._session is None:
            self._session = self.services.sessions()
        return self._session

    def authenticate(
        self,
        user_id: uuid.UUID | None,
        error: str | None = None,
        *,
        expires_at: datetime | None = None,
    ) -> None:
        """Set who is asking; a later access to the viewer raises `error` if one is given.

        `expires_at` is when the access token that says so expires: a WebSocket outlives its
        token, and its subscriptions end then (`schema.subscriptions`).
        """
        self.viewer_id, self.auth_error = user_id, error
        self.access_expires_at = expires_at
        self._viewer = None
        self.loaders = Loaders(self)

    def sign_in(self, user: User) -> None:
        """Make a user who just signed in the viewer for the rest of the request."""
        self.authenticate(user.id)
        self._viewer = user

    async def viewer(self) -> User | None:
        """The signed-in user, `None` when anonymous; a bad or expired token raises."""
        if self.auth_error is not None:
            raise NotAuthenticated(self.auth_error)
        if self.viewer_id is None:
            return None
        if self._viewer is None:
            # The entity, not a loader row: account use-cases change the viewer in place.
            user = await self.session.get(User, self.viewer_id)
            if user is None or user.deactivated_at is not None:
                raise NotAuthenticated("This account no longer exists")
            self._viewer = user
        return self._viewer

    async def require_viewer(self) -> User:
        """The signed-in user; raise `NotAuthenticated` when there is none."""
        user = await self.viewer()
        if user is None:
            raise NotAuthenticated("Sign in to do this")
        return user

    def after_commit(self, callback: AfterCommit) -> None:
        """Run `callback` once the current transaction has committed (publish, send mail)."""
        self._after_commit.append(callback)

    async def commit(self) -> None:
        """Commit, then run what waited for the commit; a failing callback is logged, not raised."""
        await self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        await _run_each(callbacks, "after-commit")

    async def rollback(self) -> None:
        """Undo the transaction and forget what was waiting for it."""
        self._after_commit.clear()
        if self._session is not None:
            await self._session.rollback()
            # A rollback expires every loaded entity; the viewer is read again when next asked.
            self._viewer = None

    def on_close(self, callback: AfterCommit) -> None:
        """Run `callback` when the context closes (a WebSocket's: when the socket does)."""
        self._on_close.append(callback)

    async def close(self) -> None:
        self._after_commit.clear()
        callbacks, self._on_close = self._on_close, []
        await _run_each(callbacks, "on-close")
        if self._session is not None:
            await self._session.close()
            self._session = None
        self.loaders.clear()


async def _run_each(callbacks: list[AfterCommit], what: str) -> None:
    """Run every callback; one that fails is logged and does not stop the others."""
    for callback in callbacks:
        try:
            await callback()
        except Exception:
            logger.exception("%s callback failed", what)

"""Typing indicators: never stored, coalesced and capped per sender, stopped after silence."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict, deque
from typing import TYPE_CHECKING

from models.chat import Conversation
from models.errors import DomainError, ErrorCode
from resolvers.chat import _not_found, _participant, typing_channel

if TYPE_CHECKING:
    from resolvers.context import Context

TYPING_TIMEOUT_SECONDS = 5.0
# setTyping: a repeat of the same state within this long is accepted but not published again,
# and at most TYPING_BURST publishes per user and conversation within TYPING_WINDOW_SECONDS.
TYPING_REPEAT_SECONDS = 1.0
TYPING_BURST = 20
TYPING_WINDOW_SECONDS = 10.0


class _TypingLimiter:
    """Per user and conversation, in this process: coalesce repeats, cap bursts."""

    def __init__(self) -> None:
        self._last: dict[tuple[uuid.UUID, uuid.UUID], tuple[bool, float]] = {}
        self._sent: dict[tuple[uuid.UUID, uuid.UUID], deque[float]] = defaultdict(deque)

    def allow(self, key: tuple[uuid.UUID, uuid.UUID], is_typing: bool) -> bool:
        """True to publish, False to skip a repeat; raise when the sender is over the cap."""
        now = time.monotonic()
        if len(self._last) > 10_000:
            self._prune(now)
        last = self._last.get(key)
        if last is not None and last[0] == is_typing and now - last[1] < TYPING_REPEAT_SECONDS:
            return False
        sent = self._sent[key]
        while sent and now - sent[0] > TYPING_WINDOW_SECONDS:
            sent.popleft()
        if len(sent) >= TYPING_BURST:
            raise DomainError(
                "You are sending typing updates too fast; slow down",
                code=ErrorCode.TOO_MANY_ATTEMPTS,
                field="isTyping",
            )
        sent.append(now)
        self._last[key] = (is_typing, now)
        return True

    def _prune(self, now: float) -> None:
        for key in [k for k, (_, at) in self._last.items() if now - at > TYPING_WINDOW_SECONDS]:
            self._last.pop(key, None)
            self._sent.pop(key, None)


typing_limiter = _TypingLimiter()


async def set_typing(ctx: Context, *, conversation_id: uuid.UUID, is_typing: bool) -> Conversation:
    """Tell the other participants you are (or stopped) typing; never stored."""
    viewer = await ctx.require_viewer()
    conversation = await ctx.session.get(Conversation, conversation_id)
    if conversation is None or await _participant(ctx, conversation.id, viewer.id) is None:
        raise _not_found()
    if typing_limiter.allow((viewer.id, conversation.id), is_typing):
        await ctx.services.broadcast.publish(
            typing_channel(conversation.id), {"user": str(viewer.id), "isTyping": is_typing}
        )
    return conversation

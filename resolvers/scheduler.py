"""Timers on orders: complete a delivery the buyer left unanswered, cancel an unpaid order.

Safe with any number of processes: each claims one due order at a time with
`SELECT ... FOR UPDATE SKIP LOCKED` (SQLite serializes writers anyway) and moves it as SYSTEM in
a transaction of its own, so a job runs once and a crash loses at most the order in hand.
"""

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from models.errors import DomainError
from models.order import Order, OrderStatus
from models.order_state import Actor
from resolvers.context import Context, Services
from resolvers.notifications import send_email_digests
from resolvers.orders import cancel_open_payments
from resolvers.reviews import publish_due_reviews
from resolvers.transitions import move

logger = logging.getLogger("gigstream.scheduler")


@dataclass(frozen=True, slots=True)
class Timer:
    name: str
    status: OrderStatus  # orders in this status...
    due: Any  # ...whose this column has passed...
    to: OrderStatus  # ...move here
    reason: str


TIMERS = (
    Timer(
        "auto_complete",
        OrderStatus.DELIVERED,
        Order.auto_complete_at,
        OrderStatus.COMPLETED,
        "The buyer did not answer within the review window",
    ),
    Timer(
        "expire",
        OrderStatus.PENDING_PAYMENT,
        Order.expires_at,
        OrderStatus.CANCELLED,
        "The order was not paid in time",
    ),
)


class Scheduler:
    """Runs every timer each `interval` seconds; `tick` runs them once, now."""

    def __init__(self, services: Services, *, interval: float, batch: int = 200) -> None:
        self.services = services
        self.interval = interval
        self.batch = batch
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="order-scheduler")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.tick()
            except Exception:
                logger.exception("scheduler tick failed")

    async def tick(self) -> dict[str, int]:
        """Move every order that is due now, then reveal the reviews whose window closed and
        send the email digests that are due; how many of each."""
        counts = {timer.name: await self._drain(timer) for timer in TIMERS}
        now = self.services.clock.now()
        # Each commits per item and is safe beside other processes' ticks.
        for name, job in (
            ("publish_reviews", publish_due_reviews),
            ("email_digests", send_email_digests),
        ):
            ctx = Context(self.services)
            try:
                counts[name] = await job(ctx, now=now)
            finally:
                await ctx.close()
        return counts

    async def _drain(self, timer: Timer) -> int:
        moved, failed = 0, set[uuid.UUID]()
        while moved + len(failed) < self.batch:
            ctx = Context(self.services)
            try:
                order_id, ok = await self._one(ctx, timer, failed)
            finally:
                await ctx.close()
            if order_id is None:
                break
            if ok:
                moved += 1
            else:
                failed.add(order_id)
        return moved

    async def _one(
        self, ctx: Context, timer: Timer, failed: set[uuid.UUID]
    ) -> tuple[uuid.UUID | None, bool]:
        """Claim one due order and move it; (its id, whether it moved), (None, _) if none."""
        now = self.services.clock.now()
        statement = (
            select(Order)
            .where(Order.status == timer.status, timer.due <= now)
            .order_by(timer.due)
            .limit(1)
            .execution_options(populate_existing=True)
        )
        if failed:
            statement = statement.where(Order.id.not_in(failed))
        if ctx.session.bind.dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        order = await ctx.session.scalar(statement)
        if order is None:
            await ctx.rollback()
            return None, False
        try:
            await move(ctx, order, timer.to, actor=Actor.SYSTEM, actor_id=None, reason=timer.reason)
            if timer.to is OrderStatus.CANCELLED:
                await cancel_open_payments(ctx, order.id)
            await ctx.commit()
        except DomainError as error:
            await ctx.rollback()
            logger.error("%s of order %s failed: %s", timer.name, order.id, error.message)
            return order.id, False
        return order.id, True

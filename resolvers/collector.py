"""Short full garbage collections for a process that holds thousands of live subscriptions.

CPython's full collection walks every tracked object; a server holding 5,000 subscriptions
tracks about half a million, and each full collection paused every delivery for 0.2-0.5 s.
`gc.freeze()` moves everything alive to a generation that collections never walk, but what is
frozen is never collected either: a frozen subscription that ends later leaves its cycles
behind until something collects the frozen generation.

So the `Collector` thaws now and then: it unfreezes everything, runs one full collection (which
reclaims whatever frozen garbage there is) and freezes the survivors. CPython then collects
only what has reached the oldest generation since, a small set. It thaws when that set has
grown past a quarter of the frozen one (CPython's own rule for a full collection, so growth
costs no more pauses than without freezing) and at least every `max_age` seconds, so the
cycles of subscriptions that ended are reclaimed within that time whatever else happens.
"""

import asyncio
import gc
import logging
import time
from collections.abc import Callable

logger = logging.getLogger("gigstream.collector")


class Collector:
    """Freezes what lives after a full collection; thaws on growth, and on age."""

    def __init__(
        self,
        *,
        interval: float = 1.0,
        growth: float = 0.25,
        max_age: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self.growth = growth
        self.max_age = max_age
        self.thaws = 0
        self._clock = clock
        self._frozen = 0
        self._thawed_at = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.thaw()
        self._task = asyncio.create_task(self._run(), name="gc-collector")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def step(self) -> None:
        """Thaw if the oldest generation outgrew its share, or the last thaw is too old."""
        aged = self._clock() - self._thawed_at >= self.max_age
        if aged or len(gc.get_objects(generation=2)) > self._frozen * self.growth:
            self.thaw()

    def thaw(self) -> None:
        """Collect everything, frozen or not, then freeze what is left."""
        started = time.perf_counter()
        gc.unfreeze()
        collected = gc.collect()
        gc.freeze()
        self._frozen = gc.get_freeze_count()
        self._thawed_at = self._clock()
        self.thaws += 1
        logger.info(
            "full collection: %d unreachable, %d frozen, %.0f ms",
            collected,
            self._frozen,
            (time.perf_counter() - started) * 1000,
        )

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.step()

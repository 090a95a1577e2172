"""Short full garbage collections for a process that holds thousands of live subscriptions.

CPython's full collection walks every tracked object; a server holding 5,000 subscriptions
tracks about half a million, and each full collection paused every delivery for 0.2-0.5 s.
`gc.freeze()` moves everything alive to a generation that collections never walk, but what is
frozen is never collected either: a frozen subscription that ends later leaves its cycles
behind until something collects the frozen generation.

So the `Collector` freezes the survivors of every full collection as it ends. A full
collection walks only what is not frozen, so each object is walked by one full collection, in
a pause as short as the batch, and then no more. CPython runs one when enough objects have
reached the oldest generation since the last (a quarter as many as were there then); the
collector runs one itself in a quiet moment (a second without a young collection) once
`settle_after` objects have outlived a young collection, so a burst of new subscriptions is
frozen while nobody waits, not in one long pause at the first traffic after it.

Some of what is frozen dies later in cycles (a subscription that ends, a request that was in
flight), so the collector also thaws now and then: it unfreezes everything, runs one full
collection (which reclaims whatever frozen garbage there is) and freezes the survivors. That
pause walks the whole heap, so it comes only when the frozen set has doubled since the last
thaw (frozen garbage never outgrows what was alive then) and at least every `max_age`
seconds, so that frozen cycles are reclaimed within that time whatever else happens.
"""

import asyncio
import gc
import logging
import time
from collections.abc import Callable

logger = logging.getLogger("gigstream.collector")


class Collector:
    """Freezes the survivors of each full collection; thaws on doubling and on age."""

    def __init__(
        self,
        *,
        interval: float = 1.0,
        settle_after: int = 20_000,
        growth: float = 1.0,
        max_age: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self.settle_after = settle_after
        self.growth = growth
        self.max_age = max_age
        self.thaws = 0
        self.settles = 0
        self._clock = clock
        self._frozen = 0  # by the last thaw
        self._settled = 0  # frozen since, by settling
        self._thawed_at = 0.0
        self._young_collections = -1
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.thaw()
        self.watch()
        self._task = asyncio.create_task(self._run(), name="gc-collector")

    async def stop(self) -> None:
        self.unwatch()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def watch(self) -> None:
        """Freeze the survivors of every full collection from now on."""
        if self._settle not in gc.callbacks:
            gc.callbacks.append(self._settle)

    def unwatch(self) -> None:
        if self._settle in gc.callbacks:
            gc.callbacks.remove(self._settle)

    def step(self) -> None:
        """Thaw if the frozen set has outgrown the last thaw's, or that thaw is too old; else
        settle, if the process is quiet and a batch has outlived a young collection."""
        young = gc.get_stats()[0]["collections"]
        quiet, self._young_collections = young == self._young_collections, young
        aged = self._clock() - self._thawed_at >= self.max_age
        # Not `gc.get_freeze_count()`: it walks the frozen set (7 ms for 300,000 objects made
        # in a row, more for a server's scattered ones) and this runs every second.
        if aged or self._settled > self._frozen * self.growth:
            self.thaw()
        elif quiet and len(gc.get_objects(1)) + len(gc.get_objects(2)) >= self.settle_after:
            self.settle()

    def settle(self) -> None:
        """Collect what is not frozen, and freeze what is left of it."""
        watching = self._settle in gc.callbacks
        gc.collect()
        if not watching:
            self._settle("stop", {"generation": 2})

    def thaw(self) -> None:
        """Collect everything, frozen or not, then freeze what is left."""
        started = time.perf_counter()
        watching = self._settle in gc.callbacks
        self.unwatch()  # this freezes by itself, and settling would list the whole heap
        gc.unfreeze()
        collected = gc.collect()
        gc.freeze()
        # CPython runs its next full collection once a quarter as many objects as the last one
        # kept have been promoted: after this one (the whole heap) that batch would be large.
        # A full collection of nothing (all is frozen) makes the next batch small.
        gc.collect()
        if watching:
            self.watch()
        self._frozen = gc.get_freeze_count()
        self._settled = 0
        self._thawed_at = self._clock()
        self.thaws += 1
        logger.info(
            "full collection: %d unreachable, %d frozen, %.0f ms",
            collected,
            self._frozen,
            (time.perf_counter() - started) * 1000,
        )

    def _settle(self, phase: str, info: dict[str, int]) -> None:
        # Called by CPython as a collection ends: after a full one, every object not frozen is
        # a survivor in the oldest generation (the younger ones are empty), so freezing now
        # freezes exactly the survivors.
        if phase == "stop" and info["generation"] == 2:
            self._settled += len(gc.get_objects(2))
            gc.freeze()
            self.settles += 1

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.step()

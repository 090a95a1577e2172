"""The collector freezes what survives full collections, and still collects the cyclic garbage
it froze."""

import gc
import weakref
from collections.abc import Iterator

import pytest

from resolvers.collector import Collector


class Node:
    """A cycle: only the cyclic collector can free it."""

    def __init__(self) -> None:
        self.me = self


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def collector(clock: Clock) -> Iterator[Collector]:
    # The app of other tests may be watching in this process: it would settle here too.
    others = [
        callback for callback in gc.callbacks if isinstance(callback_owner(callback), Collector)
    ]
    for callback in others:
        gc.callbacks.remove(callback)
    collector = Collector(settle_after=1000, growth=1.0, max_age=600, clock=clock)
    collector.thaw()
    yield collector
    collector.unwatch()
    collector.thaw()
    gc.callbacks.extend(others)


def callback_owner(callback: object) -> object:
    return getattr(callback, "__self__", None)


def test_a_frozen_cycle_that_dies_is_collected_by_the_next_thaw_on_age(collector, clock):
    cycle = Node()
    alive = weakref.ref(cycle)
    collector.thaw()  # frozen: it was alive
    del cycle
    gc.collect()
    missed_by_full_collections = alive() is not None

    clock.now += 599
    collector.step()
    before_age = alive() is not None
    clock.now += 1
    collector.step()

    assert missed_by_full_collections  # what freezing means
    assert before_age
    assert alive() is None


def test_the_survivors_of_a_full_collection_are_frozen_and_the_dead_collected(collector):
    survivor, dying = Node(), Node()
    dead = weakref.ref(dying)
    del dying
    collector.watch()

    gc.collect()

    assert dead() is None
    assert collector.settles == 1
    assert not any(obj is survivor for obj in gc.get_objects())  # frozen: no longer walked


def test_a_frozen_cycle_that_dies_is_collected_when_the_frozen_set_doubles(collector):
    cycle = Node()
    alive = weakref.ref(cycle)
    collector.thaw()
    del cycle
    collector.watch()

    kept = [Node() for _ in range(gc.get_freeze_count() + 1)]
    gc.collect()  # settled: frozen, past twice what the last thaw froze
    assert alive() is not None
    collector.step()

    assert alive() is None
    assert collector.thaws == 3
    del kept


def test_a_batch_of_newcomers_is_settled_in_a_quiet_moment_without_a_thaw(collector):
    frozen_cycle = Node()
    frozen_alive = weakref.ref(frozen_cycle)
    collector.thaw()
    del frozen_cycle
    batch = [Node() for _ in range(collector.settle_after)]
    gc.collect(1)  # outlived a young collection, not yet a full one

    collector.step()  # maybe busy: young collections ran since the last look
    collector.step()  # quiet: none since

    assert (collector.settles, collector.thaws) == (1, 2)
    assert not any(obj is batch[0] for obj in gc.get_objects())
    assert frozen_alive() is not None  # frozen garbage waits for a thaw
    del batch


def test_a_busy_process_leaves_its_newcomers_to_cpython(collector):
    batch = [Node() for _ in range(collector.settle_after)]
    gc.collect(1)
    collector.step()

    for _ in range(3):
        gc.collect(0)  # a young collection between each look: busy
        collector.step()

    assert collector.settles == 0
    del batch


def test_fewer_newcomers_than_a_batch_wait_for_cpython(collector):
    few = [Node() for _ in range(collector.settle_after // 10)]
    gc.collect(1)

    collector.step()
    collector.step()

    assert collector.settles == 0
    del few


def test_a_stopped_collector_freezes_nothing_more(collector):
    collector.watch()
    collector.unwatch()
    newcomer = Node()

    gc.collect()

    assert collector.settles == 0
    assert any(obj is newcomer for obj in gc.get_objects())


def test_a_quiet_process_is_not_thawed_between_ages(collector, clock):
    for _ in range(100):
        clock.now += 1
        collector.step()

    assert collector.thaws == 1

"""The collector freezes what lives, and still collects the cyclic garbage it froze."""

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
    collector = Collector(growth=0.25, max_age=600, clock=clock)
    collector.thaw()
    yield collector
    collector.thaw()


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


def test_a_frozen_cycle_that_dies_is_collected_by_the_next_thaw_on_growth(collector):
    cycle = Node()
    alive = weakref.ref(cycle)
    collector.thaw()
    del cycle

    kept = [Node() for _ in range(gc.get_freeze_count() // 3)]
    gc.collect()  # into the oldest generation: a third of the frozen set, past a quarter
    collector.step()

    assert alive() is None
    assert collector.thaws == 3
    del kept


def test_a_quiet_process_is_not_thawed_between_ages(collector, clock):
    for _ in range(100):
        clock.now += 1
        collector.step()

    assert collector.thaws == 1

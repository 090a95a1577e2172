"""Keep a task's cancellation when a library swallows it.

redis-py can answer the cancellation of a command in flight with an error of its own, or as if
the command had gone through. Code that logs errors and carries on (a publish after commit, a
loop that must outlive a failed call) then loses the cancellation, and whatever cancelled it
waits for good: the order scheduler ticked on every 10 ms after `stop()` (a CI hang in
tests/orders/test_scheduler.py, one run in ten). The task still counts the request.
"""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def keeping_cancellation() -> Iterator[None]:
    """Raise CancelledError on leaving the block normally if the task running it was asked to
    cancel meanwhile: a cancellation the block swallowed, with or without an error."""
    task = asyncio.current_task()
    before = task.cancelling() if task is not None else 0
    yield
    if task is not None and task.cancelling() > before:
        raise asyncio.CancelledError

"""A cancellation that a library swallows is raised again when the block ends."""

import asyncio

import pytest

from resolvers.cancellation import keeping_cancellation


async def _swallowing(answer: BaseException | None, started: asyncio.Event) -> str:
    """Wait in a block that answers its cancellation as redis-py can: an error, or nothing."""
    with keeping_cancellation():
        try:
            started.set()
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            if answer is not None:
                try:
                    raise answer from None
                except ConnectionError:
                    pass  # logged and carried on, as a loop that must live on does
    return "carried on"


@pytest.mark.parametrize("answer", [ConnectionError("lost"), None], ids=["an error", "none"])
async def test_a_swallowed_cancellation_ends_the_task_cancelled(answer):
    started = asyncio.Event()
    task = asyncio.create_task(_swallowing(answer, started))
    await started.wait()
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_block_that_nobody_cancelled_ends_as_it_would():
    with keeping_cancellation():
        await asyncio.sleep(0)


async def test_an_error_leaving_the_block_is_that_error():
    with pytest.raises(ValueError, match="bad"), keeping_cancellation():
        raise ValueError("bad")

"""Loaders hand over what they hold without a future, and fill a page's keys in one batch."""

import pytest

from resolvers.loaders import Loader


def counting_loader():
    batches = []

    async def load(keys):
        batches.append(list(keys))
        return [key * 10 for key in keys]

    return Loader(load), batches


async def test_fill_loads_the_missing_keys_in_one_batch_once_each():
    loader, batches = counting_loader()

    await loader.fill([1, 2, 2, 3])
    await loader.fill([3, 4])

    assert batches == [[1, 2, 3], [4]]
    assert [loader.now(key) for key in (1, 2, 3, 4)] == [10, 20, 30, 40]


async def test_a_filled_key_is_what_load_returns_too():
    loader, batches = counting_loader()

    await loader.fill([5])

    assert await loader.load(5) == 50
    assert batches == [[5]]


async def test_a_key_already_loading_is_not_loaded_again():
    loader, batches = counting_loader()
    pending = loader.load(7)

    await loader.fill([7, 8])

    assert await pending == 70
    assert sorted(map(sorted, batches)) == [[7], [8]]


async def test_filled_values_are_held_without_a_future():
    loader, _ = counting_loader()

    await loader.fill([1, 2])

    assert loader.held == {1: 10, 2: 20}
    assert loader.cache_map.cache_map == {}


async def test_a_filled_none_is_held_not_loaded_again():
    batches = []

    async def nothing(keys):
        batches.append(list(keys))
        return [None for _ in keys]

    loader = Loader(nothing)
    await loader.fill([1])
    await loader.fill([1])

    assert loader.now(1) is None
    assert await loader.load(1) is None
    assert batches == [[1]]


async def test_a_filled_error_is_raised_by_load():
    async def failing(keys):
        return [LookupError(key) for key in keys]

    loader = Loader(failing)
    await loader.fill([3])

    with pytest.raises(LookupError):
        await loader.load(3)


async def test_a_cleared_key_is_loaded_again():
    loader, batches = counting_loader()
    await loader.fill([1, 2, 3])

    loader.clear(1)
    loader.clear_many([2])
    await loader.fill([1, 2, 3])
    loader.clear_all()
    await loader.fill([3])

    assert batches == [[1, 2, 3], [1, 2], [3]]
    assert loader.holds(3)
    assert not loader.holds(4)

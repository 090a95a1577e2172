"""Loaders hand over what they hold without a future, and fill a page's keys in one batch."""

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

"""A live stream that cannot go on ends with a code a client can act on."""

import pytest

from models.errors import ErrorCode
from resolvers.chat_live import StreamEnded, next_event
from resolvers.pubsub import PubSubUnavailable, SubscriberLagged


class Failing:
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def __anext__(self):
        raise self.error


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (SubscriberLagged("conversation:1", 100), ErrorCode.STREAM_LAGGED),
        (PubSubUnavailable("Redis is not answering"), ErrorCode.PUBSUB_UNAVAILABLE),
    ],
)
async def test_a_stream_that_cannot_go_on_says_why_with_a_code(error, code):
    with pytest.raises(StreamEnded) as ended:
        await next_event(Failing(error))

    assert ended.value.code is code
    assert str(ended.value) == str(error)

"""The WebSocket protocol handlers, as strawberry's, except that a connection over its user's
cap (`WS_MAX_CONNECTIONS_PER_USER`) is closed with 4429 "Too many connections".

Strawberry closes every connection that `on_ws_connect` rejects with 4403 "Forbidden"; a client
told that retries later instead of signing in again. 4429 is graphql-transport-ws's own code for
too many of something (it uses it for a second `connection_init`).
"""

from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from resolvers.context import Context

TOO_MANY_CONNECTIONS = 4429


class TooManyConnections(Exception):
    """Raised by `on_ws_connect`: the user has as many connections open as they may."""

    def __init__(self) -> None:
        super().__init__("Too many connections")


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws; the cap's refusal is a close with 4429, before any ack."""

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)
        except TooManyConnections as refusal:
            await self.websocket.close(code=TOO_MANY_CONNECTIONS, reason=str(refusal))


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """The legacy graphql-ws: its `connection_error` with the reason, then a close with 4429."""

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)
        except TooManyConnections as refusal:
            error = {"type": "connection_error", "payload": {"message": str(refusal)}}
            await self.send_message(error)  # type: ignore[arg-type]
            await self.websocket.close(code=TOO_MANY_CONNECTIONS, reason=str(refusal))

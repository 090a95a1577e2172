"""The WebSocket protocol handlers, as strawberry's, with two differences.

A connection over its user's cap (`WS_MAX_CONNECTIONS_PER_USER`) is closed with 4429 "Too many
connections". Strawberry closes every connection that `on_ws_connect` rejects with 4403
"Forbidden"; a client told that retries later instead of signing in again. 4429 is
graphql-transport-ws's own code for too many of something (it uses it for a second
`connection_init`).

A valid subscription runs on graphql-core directly (`LiveOperations`), not through
`Schema.stream`: strawberry keeps an operation's execution context, its extension instances
and their suspended hooks alive for as long as the stream lasts, some ninety objects per
subscription that every full garbage collection walks, and a server holds thousands of
subscriptions for hours. Parsing and validation still go through the schema's extensions
(once per distinct document); anything that is not a valid subscription (a syntax error, a
query or mutation sent over the socket) goes the way strawberry takes it.
"""

from collections import OrderedDict
from contextlib import aclosing
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSyntaxError
from graphql.execution import ExecutionResult as CoreExecutionResult
from graphql.execution import subscribe
from strawberry.schema import Schema
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from resolvers.context import Context
from schema.errors import mask

TOO_MANY_CONNECTIONS = 4429
PREPARED_DOCUMENTS = 256


class TooManyConnections(Exception):
    """Raised by `on_ws_connect`: the user has as many connections open as they may."""

    def __init__(self) -> None:
        super().__init__("Too many connections")


# What a document is to `LiveOperations`: ready to run, a syntax error, or not its business.
Prepared = DocumentNode | GraphQLSyntaxError | None


class LiveOperations:
    """Subscriptions of one schema, each held as graphql-core's stream and nothing else."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        # Prepared documents by (query, operation name); None: not a valid subscription.
        self._prepared: OrderedDict[tuple[str, str | None], Prepared] = OrderedDict()
        # Extensions that wrap resolvers need strawberry's whole path for every operation.
        self.enabled = not any(ext._implements_resolve() for ext in schema.get_extensions())

    async def document(self, query: Any, operation_name: Any) -> Prepared:
        """The parsed, validated document of a subscription, the error of one that does not
        parse, or None for anything else."""
        if not self.enabled or not isinstance(query, str):
            return None
        if operation_name is not None and not isinstance(operation_name, str):
            return None
        key = (query, operation_name)
        if key in self._prepared:
            self._prepared.move_to_end(key)
            return self._prepared[key]
        document = await self._prepare(query, operation_name)
        self._prepared[key] = document
        if len(self._prepared) > PREPARED_DOCUMENTS:
            self._prepared.popitem(last=False)
        return document

    async def _prepare(self, query: str, operation_name: str | None) -> Prepared:
        # The schema's own parsing and validation, with its extensions' limits, rules and
        # caches, so a document is accepted here exactly when strawberry would accept it.
        schema = self.schema
        context = schema._create_execution_context(
            query=query,
            allowed_operation_types=(OperationType.SUBSCRIPTION,),
            operation_name=operation_name,
        )
        extensions = schema.get_extensions()
        for extension in extensions:
            extension.execution_context = context
        runner = schema.create_extensions_runner(context, extensions)
        try:
            async with runner.operation():
                if await schema._prepare_operation_async(context, runner) is not None:
                    return None
        except GraphQLSyntaxError as error:
            # Raised from ParserCache's hook, past strawberry's own handling of it, which
            # would leave the socket open and the operation without an answer.
            return error
        except Exception:
            return None
        return context.graphql_document

    def errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        """Give errors their codes and ids, log the unexpected ones, mask those."""
        self.schema._process_errors(errors)
        return [mask(error) for error in errors]

    async def run(self, operation: Operation[Context, None], document: DocumentNode) -> None:
        """Stream the subscription's results to the client, then complete it."""
        handler = operation.handler
        schema = self.schema
        stream = await _awaited(
            subscribe(
                schema._schema,
                document,
                root_value=handler.root_value,
                context_value=handler.context,
                variable_values=operation.variables,
                operation_name=operation.operation_name,
                executor_class=schema.execution_context_class,
                operation_extensions=None,
            )
        )
        if isinstance(stream, CoreExecutionResult):  # variables that do not fit, and such
            await operation.send_initial_errors(self.errors(stream.errors or []))
            return
        async with aclosing(stream):
            try:
                async for result in stream:
                    errors = self.errors(result.errors) if result.errors else None
                    await operation.send_next(ExecutionResult(data=result.data, errors=errors))
            except Exception as error:
                failure = error if isinstance(error, GraphQLError) else None
                failure = failure or GraphQLError(str(error), original_error=error)
                await operation.send_next(ExecutionResult(data=None, errors=self.errors([failure])))
        await operation.send_operation_message({"id": operation.id, "type": "complete"})


async def _awaited(value: Any) -> Any:
    return await value if hasattr(value, "__await__") else value


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws; the cap's refusal is a close with 4429, before any ack."""

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)
        except TooManyConnections as refusal:
            await self.websocket.close(code=TOO_MANY_CONNECTIONS, reason=str(refusal))

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        live = live_operations(self.schema)
        document = await live.document(operation.query, operation.operation_name)
        if document is None:
            await super().run_operation(operation)
            return
        if isinstance(document, GraphQLSyntaxError):
            # graphql-transport-ws: a document that does not parse closes the socket.
            self.operations.pop(operation.id, None)
            await self.websocket.close(code=4400, reason=document.message)
            return
        try:
            await live.run(operation, document)
        except Exception as error:
            # As strawberry does: log, complete the operation, forget it.
            await self.handle_task_exception(error)
            if not operation.completed:
                operation.completed = True
                self.operations.pop(operation.id, None)
                await self.send_message({"id": operation.id, "type": "complete"})
            raise


def live_operations(schema: Any) -> LiveOperations:
    """The schema's `LiveOperations`, made on first use."""
    live = getattr(schema, "_gigstream_live", None)
    if live is None:
        live = schema._gigstream_live = LiveOperations(schema)
    return live


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """The legacy graphql-ws: its `connection_error` with the reason, then a close with 4429."""

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)
        except TooManyConnections as refusal:
            error = {"type": "connection_error", "payload": {"message": str(refusal)}}
            await self.send_message(error)  # type: ignore[arg-type]
            await self.websocket.close(code=TOO_MANY_CONNECTIONS, reason=str(refusal))

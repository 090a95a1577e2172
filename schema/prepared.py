"""Prepared documents: an operation text that parsed and validated once runs without the
extension pipeline the next time.

strawberry runs every request through its extensions: each hook of each extension is looked up,
wrapped in a context manager and entered, to parse (from the parser cache), to validate (from
the validation cache) and to mask errors. For the home feed that was a twentieth of the
server's CPU, for a document already known to be valid. `PreparedDocuments` remembers such
documents by their text (the extension below records them as strawberry's own path validates
them), and `run` executes one directly on graphql-core with the planned executor, doing by
hand the two things the pipeline would still do: describe errors (`Schema.process_errors`) and
mask unexpected ones. Anything else (a text not seen valid, an operation name that picks no
operation, an operation type not allowed here) goes through strawberry's path unchanged, which
says what is wrong with it. The schema's extensions all parse, validate or mask: a test lists
them, so that one doing anything else is not skipped here unnoticed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Any

from graphql import DocumentNode, GraphQLError, execute
from graphql.utilities import get_operation_ast
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.errors import mask
from schema.executor import PlannedExecutor

if TYPE_CHECKING:
    import strawberry

_KEPT = 256
# The operations that answer with one result; a subscription streams.
SINGLE_RESULT = frozenset({OperationType.QUERY, OperationType.MUTATION})


class PreparedDocuments:
    """Valid documents by their text, the most recently used kept."""

    def __init__(self, kept: int = _KEPT) -> None:
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()
        self._kept = kept

    def remember(self, query: str, document: DocumentNode) -> None:
        self._documents[query] = document
        self._documents.move_to_end(query)
        if len(self._documents) > self._kept:
            self._documents.popitem(last=False)

    def get(
        self, query: str | None, operation_name: str | None, allowed: Collection[OperationType]
    ) -> DocumentNode | None:
        """The valid document of `query` if the operation it names is of a type `allowed`."""
        document = self._documents.get(query) if query else None
        if document is None:
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or OperationType(operation.operation.value) not in allowed:
            return None
        self._documents.move_to_end(query)
        return document

    def extension(self) -> Callable[[], SchemaExtension]:
        """The extension that records each document strawberry's path finds valid."""
        prepared = self

        class RememberValidDocuments(SchemaExtension):
            def on_validate(self) -> Iterator[None]:
                yield
                context = self.execution_context
                if context.query and context.graphql_document and not context.pre_execution_errors:
                    prepared.remember(context.query, context.graphql_document)

        return RememberValidDocuments


async def run(
    schema: strawberry.Schema,
    document: DocumentNode,
    *,
    variable_values: dict[str, Any] | None,
    context_value: Any,
    root_value: Any,
    operation_name: str | None,
    operation_extensions: dict[str, Any] | None,
) -> ExecutionResult:
    """Execute a prepared document as strawberry's path would, with its errors described
    and masked."""
    try:
        result = execute(
            schema._schema,
            document,
            root_value=root_value,
            context_value=context_value,
            variable_values=variable_values,
            operation_name=operation_name,
            executor_class=PlannedExecutor,
            is_awaitable=optimized_is_awaitable,
            operation_extensions=operation_extensions,
        )
        if optimized_is_awaitable(result):
            result = await result
        data, errors = result.data, result.errors
    except Exception as error:  # strawberry's path answers a bug here the same way
        data, errors = None, [GraphQLError(str(error), original_error=error)]
    if errors:
        schema._process_errors(errors)
        errors = [mask(error) for error in errors]
    return ExecutionResult(data=data, errors=errors)

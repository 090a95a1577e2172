"""The GraphQL schema: every domain's queries and mutations merged into one."""

from collections.abc import Iterable
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionResult, Info
from strawberry.types.execution import ExecutionContext
from strawberry.types.graphql import OperationType

from models.settings import Settings
from resolvers.context import Context
from schema.accounts import AccountMutations
from schema.applications import Application, ApplicationMutations
from schema.catalog import Category
from schema.chat import ChatMutations, ChatQueries, Conversation, Message
from schema.disputes import Dispute, DisputeQueries
from schema.errors import MaskUnexpectedErrors, describe_errors
from schema.executor import PlannedExecutor
from schema.files import File, FileMutations, FileQueries
from schema.gigs import Gig, GigMutations, GigQueries
from schema.node import Node, resolve_node
from schema.notifications import Notification, NotificationMutations, NotificationQueries
from schema.order_mutations import OrderMutations
from schema.orders import Delivery, Order, OrderEvent, OrderQueries
from schema.payments import PaymentIntent, PaymentSimulatorMutations
from schema.prepared import SINGLE_RESULT, PreparedDocuments
from schema.prepared import run as run_prepared
from schema.reviews import Review, ReviewMutations
from schema.subscriptions import Subscription
from schema.users import User, UserQueries


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null if it is not visible.")
    async def node(
        self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument()]
    ) -> Node | None:
        return await resolve_node(info, id)


Query = merge_types(
    "Query",
    (
        NodeQueries,
        UserQueries,
        GigQueries,
        FileQueries,
        OrderQueries,
        DisputeQueries,
        NotificationQueries,
        ChatQueries,
    ),
)
MUTATIONS = (
    AccountMutations,
    GigMutations,
    ApplicationMutations,
    FileMutations,
    OrderMutations,
    ReviewMutations,
    NotificationMutations,
    ChatMutations,
)


def mutation_type(settings: Settings) -> type:
    """Every domain's mutations; `confirmPayment` only while the simulator takes payments."""
    simulated = settings.payment_provider == "simulator"
    return merge_types("Mutation", MUTATIONS + ((PaymentSimulatorMutations,) if simulated else ()))


class GigstreamSchema(strawberry.Schema):
    def __init__(self, *args: Any, extensions: list[Any], **kwargs: Any) -> None:
        self.prepared = PreparedDocuments()
        super().__init__(*args, extensions=[*extensions, self.prepared.extension()], **kwargs)

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        # One result: a subscription asked for this way (a plain POST) is refused as any
        # operation type not allowed is, not run as if it were a query.
        allowed = SINGLE_RESULT.intersection(
            OperationType if allowed_operation_types is None else allowed_operation_types
        )
        document = self.prepared.get(query, operation_name, allowed)
        if document is None:
            return await super().execute(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed,
                operation_extensions,
            )
        return await run_prepared(
            self,
            document,
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            operation_extensions=operation_extensions,
        )

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        describe_errors(errors)


def build_schema(settings: Settings) -> strawberry.Schema:
    """Assemble the schema with its limits and caches."""
    # The limit rules are classes made once: ValidationCache keys on the rules, so classes
    # made afresh per request would make every request miss the cache and validate again.
    limits = [
        QueryDepthLimiter(max_depth=settings.max_query_depth),
        MaxAliasesLimiter(max_alias_count=30),
    ]
    rules = [rule for limit in limits for rule in limit.validation_rules]
    return GigstreamSchema(
        query=Query,
        mutation=mutation_type(settings),
        subscription=Subscription,
        types=[
            User,
            Gig,
            Category,
            Application,
            File,
            Order,
            OrderEvent,
            Delivery,
            Dispute,
            PaymentIntent,
            Review,
            Notification,
            Conversation,
            Message,
        ],
        config=StrawberryConfig(disable_field_suggestions=settings.is_production),
        execution_context_class=PlannedExecutor,
        extensions=[
            MaskUnexpectedErrors,
            lambda: AddValidationRules(rules),
            lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
            # Both caches live at module level, shared by every request.
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )

"""The GraphQL endpoint: builds each request's context and speaks GraphQL over HTTP."""

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult

from resolvers.context import Context, Services
from resolvers.presence import admit_connection
from resolvers.security import InvalidAccessToken, bearer_token, read_access_token
from schema.asgi import current_request_id
from schema.prepared import SINGLE_RESULT
from schema.prepared import run as run_prepared
from schema.ws import LegacyWSHandler, TooManyConnections, TransportWSHandler

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
_CONTEXT_KEY = "gigstream.context"


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, schema: Any, services: Services) -> None:
        settings = services.settings
        protocols = [GRAPHQL_TRANSPORT_WS_PROTOCOL]
        if settings.graphql_ws_legacy:
            protocols.append(GRAPHQL_WS_PROTOCOL)
        super().__init__(
            schema,
            graphql_ide=None if settings.is_production else "graphiql",
            subscription_protocols=protocols,
            connection_init_wait_timeout=timedelta(
                seconds=settings.ws_connection_init_timeout_seconds
            ),
            keep_alive=True,
            keep_alive_interval=15,
            allowed_origins=settings.cors_origins,
            max_subscriptions_per_connection=settings.ws_max_subscriptions_per_connection,
        )
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            if scope["type"] != "http":
                await super().__call__(scope, receive, send)
                return
            # strawberry's own handling of HTTP, on a request that keeps the body once read.
            request = Request(scope, receive)
            try:
                response = await self._prepared_response(request) or await self.run(request)
            except HTTPException as error:
                response = PlainTextResponse(error.reason, status_code=error.status_code)
            await response(scope, receive, send)
        finally:
            ctx = scope.get(_CONTEXT_KEY)
            if ctx is not None:
                await ctx.close()

    async def _prepared_response(self, request: Request) -> Response | None:
        """The answer to a plain JSON POST of a prepared document (schema/prepared.py), or None
        for strawberry's path to give.

        Such a request is most of the traffic, and strawberry's view spends on it what none
        of its features need: a sub-response, the content type parsed as a MIME header, the
        body and its fields checked through adapters. Here they are checked directly, and
        anything out of the ordinary (another method or content type, a streaming `Accept`, a
        batch, a field of the wrong type, a document not prepared) goes to strawberry, which
        answers it as before.
        """
        headers = request.headers
        accept = headers.get("accept", "")
        if (
            request.method != "POST"
            or headers.get("content-type", "").partition(";")[0].strip().lower()
            != "application/json"
            or "multipart/mixed" in accept
            or "text/event-stream" in accept
        ):
            return None
        try:
            data = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return None
        if type(data) is not dict:
            return None
        query, variables = data.get("query"), data.get("variables")
        name, extensions = data.get("operationName"), data.get("extensions")
        if (
            type(query) is not str
            or not (variables is None or type(variables) is dict)
            or not (name is None or type(name) is str)
            or not (extensions is None or type(extensions) is dict)
        ):
            return None
        document = self.schema.prepared.get(query, name, SINGLE_RESULT)
        if document is None:
            return None
        result = await run_prepared(
            self.schema,
            document,
            variable_values=variables,
            context_value=await self.get_context(request, None),
            root_value=None,
            operation_name=name,
            operation_extensions=extensions,
        )
        processed = await self.process_result(request, result)
        response = Response(_encode(processed), media_type="application/json")
        if GRAPHQL_RESPONSE_JSON in accept:
            _as_graphql_response(response, processed)
        return response

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        ctx = Context(self.services, request_id=current_request_id.get())
        request.scope[_CONTEXT_KEY] = ctx
        if isinstance(request, Request):
            _authenticate(ctx, request.headers.get("authorization"))
        return ctx

    async def on_ws_connect(self, context: Context) -> None:
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        if header is not None and not isinstance(header, str):
            raise ConnectionRejectionError()
        _authenticate(context, header)
        if context.auth_error is not None:
            raise ConnectionRejectionError({"message": context.auth_error})
        if not await admit_connection(context):
            raise TooManyConnections()

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        accept = request.headers.get("accept", "")
        sub_response.graphql_response_json = GRAPHQL_RESPONSE_JSON in accept
        return sub_response

    def decode_json(self, data: str | bytes) -> object:
        # orjson's decode error is a json.JSONDecodeError: strawberry's 400 still applies.
        return orjson.loads(data)

    def encode_json(self, data: object) -> str:
        """The response as text: a WebSocket frame must be text."""
        return _encode(data).decode()

    async def parse_http_body(self, request: Any) -> Any:
        try:
            return await super().parse_http_body(request)
        except (AttributeError, TypeError):
            raise HTTPException(400, "The request body must be a JSON object") from None

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as error:
            if isinstance(error.__cause__, InvalidOperationTypeError):
                # GraphQL over HTTP: an operation the request cannot carry is 405 with a reason
                # (a mutation over GET; a subscription over a POST that does not stream).
                raise HTTPException(405, error.reason) from error
            raise

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        data: GraphQLHTTPResponse = process_result(result)
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            # A request error (syntax, validation, variables): no execution, so no `data` entry.
            data.pop("data", None)
        return data

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if getattr(sub_response, "graphql_response_json", False):
            _as_graphql_response(response, response_data)
        return response


def _as_graphql_response(response: Response, data: object) -> None:
    """GraphQL over HTTP's own media type, and 400 for a request that did not execute."""
    response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
    if isinstance(data, Mapping) and "data" not in data:
        response.status_code = 400


def _encode(data: object) -> bytes:
    """orjson, and json for what orjson refuses (an integer beyond 64 bits in a JSON scalar)."""
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        return json.dumps(data, separators=(",", ":")).encode()


def _authenticate(ctx: Context, header: str | None) -> None:
    try:
        token = bearer_token(header)
        claims = read_access_token(ctx.settings, token) if token else None
    except InvalidAccessToken as error:
        ctx.authenticate(None, str(error))
    else:
        if claims is None:
            ctx.authenticate(None)
        else:
            ctx.authenticate(claims.user_id, expires_at=claims.expires_at)

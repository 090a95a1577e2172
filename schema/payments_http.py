"""The HTTP side of payments: the providers' webhook endpoint."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from resolvers.context import Services
from resolvers.payments.simulator import WEBHOOK_PATH
from resolvers.payments.webhooks import receive_webhook


def payment_routes(services: Services) -> list[Route]:
    """`POST /webhooks/payments/<provider>`, bound to the services of the app that mounts it."""

    async def webhook(request: Request) -> Response:
        # The signature covers the bytes as sent: read them raw, parse only once verified.
        body = await request.body()
        reply = await receive_webhook(
            services,
            provider=request.path_params["provider"],
            body=body,
            headers=request.headers,
        )
        return JSONResponse(reply.body, status_code=reply.status)

    return [Route(f"{WEBHOOK_PATH}/{{provider}}", webhook, methods=["POST"])]

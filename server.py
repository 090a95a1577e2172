"""Composition root: settings -> engine -> pub/sub -> Starlette app; and the command line."""

import argparse
import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route, WebSocketRoute

from models.db import create_engine, fill_pool, session_factory
from models.settings import Settings, SettingsError, load_settings
from resolvers.catalog import ViewCounter
from resolvers.collector import Collector
from resolvers.context import Services
from resolvers.health import readiness
from resolvers.outbound import create_sender
from resolvers.payments import create_provider
from resolvers.presence import Presence
from resolvers.pubsub import PubSub
from resolvers.scheduler import Scheduler
from resolvers.security import Passwords
from resolvers.storage import UPLOAD_PATH
from schema import build_schema
from schema.asgi import BodySizeLimitMiddleware, RequestIdFilter, RequestIdMiddleware
from schema.files_http import file_routes
from schema.payments_http import payment_routes
from schema.view import GraphQLView

logger = logging.getLogger("gigstream")


def configure_logging(settings: Settings) -> None:
    """One JSON object per line on stderr, each with the request id that caused it."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{request_id}",
            style="{",
            rename_fields={"levelname": "level", "asctime": "time", "name": "logger"},
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        )
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the ASGI application; nothing connects until its lifespan starts."""
    settings = settings or load_settings()
    configure_logging(settings)
    engine = create_engine(settings)
    sessions = session_factory(engine)
    services = Services(
        settings=settings,
        sessions=sessions,
        passwords=Passwords(settings),
        sender=create_sender(settings),
        broadcast=PubSub(settings),
        views=ViewCounter(sessions, interval=settings.view_flush_seconds),
        payments=create_provider(settings),
        presence=Presence(settings),
    )
    services.scheduler = Scheduler(services, interval=settings.scheduler_interval_seconds)
    graphql = GraphQLView(build_schema(settings), services)
    collector = Collector()

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await fill_pool(engine)
        await services.broadcast.connect()
        await services.presence.start()
        services.views.start()
        services.scheduler.start()
        # What start-up built (schema, mappers, compiled statements) lives as long as the
        # process, and so do live subscriptions: frozen, full collections stop walking them
        # (resolvers.collector says how frozen garbage is still collected).
        collector.start()
        gc.set_threshold(settings.gc_young_threshold, *gc.get_threshold()[1:])
        logger.info(
            "serving",
            extra={
                "environment": settings.environment,
                "pubsub": services.broadcast.url.split("@")[-1],
            },
        )
        try:
            yield
        finally:
            await collector.stop()
            await services.scheduler.stop()
            await services.views.stop()
            await services.presence.stop()
            await services.broadcast.disconnect()
            await engine.dispose()

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> JSONResponse:
        report = await readiness(services)
        ready = all(state == "ok" for state in report.values())
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "checks": report},
            status_code=200 if ready else 503,
        )

    async def home(_request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *file_routes(services),
            *payment_routes(services),
        ],
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(
                BodySizeLimitMiddleware,
                max_bytes=settings.max_body_bytes,
                exempt_prefixes=(f"{UPLOAD_PATH}/",),
            ),
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "PUT"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID"],
                max_age=600,
            ),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    return app


def export_schema(settings: Settings) -> str:
    """The SDL of the served schema, as committed in `schema.graphql`."""
    return str(build_schema(settings)).rstrip() + "\n"


def migrate(settings: Settings) -> None:
    """Bring the database schema up to the newest migration."""
    from migrations import upgrade

    upgrade(settings.database_url)


def seed(settings: Settings, *, scale: int) -> None:
    """Fill the database with a demo marketplace and print the demo logins."""
    import asyncio

    from resolvers.seed import seed_marketplace

    migrate(settings)
    asyncio.run(seed_marketplace(settings, scale=scale, out=sys.stdout))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python server.py", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    serve_cmd = commands.add_parser(
        "serve", help="migrate, then serve HTTP and WebSocket (default)"
    )
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--workers", type=int, default=1)
    serve_cmd.add_argument("--reload", action="store_true", help="restart on code changes")
    commands.add_parser("migrate", help="apply every pending migration")
    commands.add_parser("schema", help="print the GraphQL schema (SDL) that is served")
    seed_cmd = commands.add_parser("seed", help="create a demo marketplace")
    seed_cmd.add_argument("--scale", type=int, default=1, help="multiply the amount of demo data")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"gigstream: cannot start: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)

    if args.command == "migrate":
        migrate(settings)
        return 0
    if args.command == "schema":
        print(export_schema(settings), end="")
        return 0
    if args.command == "seed":
        seed(settings, scale=args.scale)
        return 0

    import uvicorn

    migrate(settings)
    uvicorn.run(
        "server:create_app",
        factory=True,
        host=getattr(args, "host", "127.0.0.1"),
        port=getattr(args, "port", 8000),
        workers=getattr(args, "workers", 1),
        reload=getattr(args, "reload", False),
        log_config=None,
        # Each access line is formatted before the logger looks at its level: skip them
        # altogether where the level drops them (LOG_LEVEL above INFO).
        access_log=logging.getLogger("uvicorn.access").isEnabledFor(logging.INFO),
        ws_max_size=settings.max_body_bytes,
        proxy_headers=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

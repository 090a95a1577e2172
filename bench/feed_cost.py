"""The home feed's cost per request inside one process: no HTTP client, no load generator.

    python bench/feed_cost.py [--requests 2000] [--warmup 300] [--gigs 1000] [--reuse]

Seeds the database of bench/feed.py (with `--reuse`, takes it as a previous run left it),
builds the app on it (PostgreSQL, no Redis), calls the ASGI app directly with the feed, one
request after another, and prints the CPU time per request. Time on a shared machine moves
by a tenth between runs; the instructions callgrind counts do not, so a change of a few
percent shows in two runs under it, one without requests:

    cg="valgrind --tool=callgrind --callgrind-out-file=/dev/null"
    $cg python bench/feed_cost.py --reuse --warmup 20 --requests 0
    $cg python bench/feed_cost.py --reuse --warmup 20 --requests 150

The difference of the two totals it prints ("Collected"), over 150, is one request's
instructions. The wall time includes waiting for PostgreSQL; the CPU time does not.
"""

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import asyncpg
import orjson
import uvloop
from sqlalchemy.engine import make_url

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.feed import DATABASE, FEED, SECRET, plain, recreate_database, seed  # noqa: E402
from migrations import upgrade  # noqa: E402
from models.settings import Settings  # noqa: E402
from resolvers.security import issue_access_token  # noqa: E402


async def database(server_url: str, *, gigs: int, reuse: bool) -> tuple[str, str]:
    """The bench database's URL and the viewer's id, seeding it unless reused."""
    url = make_url(server_url).set(database=DATABASE).render_as_string(hide_password=False)
    if reuse:
        conn = await asyncpg.connect(plain(url))
        try:
            viewer = await conn.fetchval(
                "SELECT id FROM \"user\" WHERE email = 'seller0@bench.local'"
            )
        finally:
            await conn.close()
        return url, str(viewer)
    url = await recreate_database(server_url)
    await asyncio.to_thread(upgrade, url)
    return url, str(await seed(url, gigs))


def asgi_request(body: bytes, token: str) -> tuple[dict, object]:
    """The feed's POST as an ASGI scope and a receive callable."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client never disconnects
        return {}

    return scope, receive


async def run(args: argparse.Namespace) -> None:
    server_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    url, viewer = await database(server_url, gigs=args.gigs, reuse=args.reuse)
    os.environ.update(
        DATABASE_URL=url,
        JWT_SECRET=SECRET,
        ENVIRONMENT="production",
        PAYMENT_PROVIDER="simulator",
        LOG_LEVEL="WARNING",
        REDIS_URL="",
    )
    from server import create_app

    settings = Settings(jwt_secret=SECRET, access_token_ttl_seconds=3600)
    token = issue_access_token(settings, user_id=viewer).token
    body = orjson.dumps({"query": FEED})
    app = create_app()
    statuses: list[int] = []

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def feed() -> None:
        scope, receive = asgi_request(body, token)
        await app(scope, receive, send)

    async with app.router.lifespan_context(app):
        for _ in range(args.warmup):
            await feed()
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.requests):
            await feed()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if set(statuses) != {200}:
        raise SystemExit(f"the feed answered {sorted(set(statuses))}, not only 200")
    if args.requests:
        print(
            f"feed in-process: {args.requests} requests, "
            f"{cpu / args.requests * 1e6:.0f} us CPU and {wall / args.requests * 1e6:.0f} us "
            "wall each"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--gigs", type=int, default=1000)
    parser.add_argument("--reuse", action="store_true", help="take the seeded database as is")
    uvloop.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

"""Time the home feed: Gigstream against a hand-written Starlette + asyncpg handler.

    python bench/feed.py [--gigs 1000] [--seconds 10] [--connections 16] [--workers 1 2]
                         [--rounds 3]

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres@127.0.0.1:5432) and `wrk`
(apt-get install wrk). It seeds a database of its own, checks that both servers return the
same JSON, then loads each with wrk, the two taking turns for a few rounds, and prints the
median round's requests/s and latency. The issue's figures on this machine put PostGraphile
at 540/1170 = 46% of the hand-written handler: that ratio, measured in one run, is the target.
"""

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from migrations import upgrade  # noqa: E402
from models.settings import Settings  # noqa: E402
from resolvers.security import issue_access_token  # noqa: E402

FEED = (
    "query Feed { gigs(first: 20) { edges { node { title seller { name rating skills { name } }"
    " packages { price { amount } } isFavorite } } } }"
)
TARGET_RATIO = 540 / 1170
SECRET = "bench-secret-" + "x" * 40
DATABASE = "gigstream_bench"


def plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def recreate_database(server_url: str, name: str = DATABASE) -> str:
    """Drop and create the bench's own database `name` next to `server_url`'s; its URL."""
    conn = await asyncpg.connect(plain(server_url))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def seed(url: str, gigs: int) -> uuid.UUID:
    """Sellers with skills, ACTIVE gigs with three packages, a viewer with some favorites."""
    rng = random.Random(7)
    conn = await asyncpg.connect(plain(url))
    now = time.time()

    def ts(seconds_ago: float):
        from datetime import UTC, datetime

        return datetime.fromtimestamp(now - seconds_ago, UTC)

    try:
        category = uuid.uuid4()
        await conn.execute(
            "INSERT INTO category (id, created_at, updated_at, slug, name, position) "
            "VALUES ($1, $2, $2, 'design', 'Design', 0)",
            category,
            ts(0),
        )
        skills = [(uuid.uuid4(), f"Skill {n}", f"skill-{n}") for n in range(30)]
        await conn.executemany(
            "INSERT INTO skill (id, created_at, updated_at, name, slug)"
            " VALUES ($1, $4, $4, $2, $3)",
            [(*s, ts(0)) for s in skills],
        )
        users = []
        for n in range(max(gigs // 10, 2) + 1):
            users.append(
                (
                    uuid.uuid4(),
                    f"seller{n}@bench.local",
                    "x",
                    f"Seller {n}",
                    "FREELANCER",
                    rng.randint(0, 200),
                    rng.randint(0, 45),
                    ts(n),
                )
            )
        await conn.executemany(
            'INSERT INTO "user" (id, email, password_hash, name, role, rating_sum, rating_count,'
            " completed_orders, on_time_orders, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, greatest($6::int, $7::int), $7, 0, 0, $8, $8)",
            users,
        )
        viewer, sellers = users[0][0], [u[0] for u in users[1:]]
        await conn.executemany(
            "INSERT INTO user_skill (id, created_at, updated_at, user_id, skill_id, level) "
            "VALUES ($1, $2, $2, $3, $4, 'EXPERT')",
            [
                (uuid.uuid4(), ts(0), seller, skill[0])
                for seller in sellers
                for skill in rng.sample(skills, 3)
            ],
        )
        gig_rows, packages = [], []
        for n in range(gigs):
            gig = uuid.uuid4()
            prices = sorted(rng.randint(5, 500) * 100 for _ in range(3))
            gig_rows.append(
                (
                    gig,
                    sellers[n % len(sellers)],
                    f"bench-gig-{n}",
                    f"I will do task number {n} very well",
                    category,
                    prices[0],
                    prices[2],
                    ts(n * 60),
                )
            )
            packages += [
                (uuid.uuid4(), gig, tier, price, ts(0))
                for tier, price in zip(("BASIC", "STANDARD", "PREMIUM"), prices, strict=True)
            ]
        await conn.executemany(
            "INSERT INTO gig (id, owner_id, kind, status, slug, title, description, category_id,"
            " tags, min_price, max_price, currency, rating_sum, rating_count, order_count,"
            " view_count, published_at, listed_at, created_at, updated_at) VALUES ($1, $2,"
            " 'SERVICE', 'ACTIVE', $3, $4, 'A long enough description.', $5, '[]', $6, $7,"
            " 'USD', 0, 0, 0, 0, $8, $8, $8, $8)",
            gig_rows,
        )
        await conn.executemany(
            "INSERT INTO gig_package (id, gig_id, tier, title, description, price, currency,"
            " delivery_days, revisions, created_at, updated_at) VALUES ($1, $2, $3, $3, '', $4,"
            " 'USD', 3, 1, $5, $5)",
            packages,
        )
        await conn.executemany(
            "INSERT INTO favorite (id, user_id, gig_id, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $4)",
            [(uuid.uuid4(), viewer, g[0], ts(0)) for g in gig_rows[:40:3]],
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return viewer


def start(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    errors = tempfile.TemporaryFile()  # noqa: SIM115 -- read back only if the server dies
    process = subprocess.Popen(
        command, cwd=PROJECT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=errors
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.post(
                f"http://127.0.0.1:{port}/graphql", json={"query": "{__typename}"}, timeout=1
            )
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    errors.seek(0)
    raise RuntimeError(f"{command} did not start: {errors.read().decode()[-1500:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def load(port: int, token: str, seconds: int, connections: int) -> dict[str, float]:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    body = json.dumps({"query": FEED}).replace("\\", "\\\\").replace('"', '\\"')
    script.write(
        f'wrk.method = "POST"\nwrk.body = "{body}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )
    script.close()
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            f"http://127.0.0.1:{port}/graphql",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    if "Non-2xx" in output:
        raise RuntimeError(output)

    def latency(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gigs", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3, help="turns each server takes")
    args = parser.parse_args()

    server_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    url = asyncio.run(recreate_database(server_url))
    upgrade(url)
    viewer = asyncio.run(seed(url, args.gigs))
    token = issue_access_token(
        Settings(jwt_secret=SECRET, access_token_ttl_seconds=3600), user_id=viewer
    ).token
    env = {
        "DATABASE_URL": url,
        "JWT_SECRET": SECRET,
        "ENVIRONMENT": "production",
        "PAYMENT_PROVIDER": "simulator",
        "LOG_LEVEL": "WARNING",
        "BASELINE_DSN": plain(url),
        "REDIS_URL": "",
    }

    print(
        f"feed: 20 of {args.gigs} gigs, seller + skills + packages + isFavorite, signed in; "
        f"wrk -c{args.connections} for {args.seconds}s; {os.cpu_count()} cores"
    )
    print(f"{'server':<28}{'workers':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}")
    for workers in args.workers:
        servers = (
            (
                "hand-written (asyncpg)",
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bench.baseline_feed:app",
                    "--port",
                    "8101",
                    "--workers",
                    str(workers),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                8101,
            ),
            (
                "gigstream",
                [sys.executable, "server.py", "serve", "--port", "8102", "--workers", str(workers)],
                8102,
            ),
        )
        rounds: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in servers}
        responses = []
        # The two servers take turns, round after round: a machine that gets busier or
        # quieter during the run weighs on both alike, and the median round is reported.
        for _ in range(args.rounds):
            for name, command, port in servers:
                process = start(command, env, port)
                try:
                    responses.append(
                        httpx.post(
                            f"http://127.0.0.1:{port}/graphql",
                            json={"query": FEED},
                            headers={"Authorization": f"Bearer {token}"},
                        ).json()
                    )
                    load(port, token, 2, args.connections)  # warm up
                    rounds[name].append(load(port, token, args.seconds, args.connections))
                finally:
                    stop(process)
        if any(response != responses[0] for response in responses):
            raise SystemExit("the two servers disagree on the feed: the comparison is void")
        results = {name: median_round(runs) for name, runs in rounds.items()}
        base = results["hand-written (asyncpg)"]["rps"]
        for name, _, _ in servers:
            r = results[name]
            each = ", ".join(f"{run['rps']:.0f}" for run in rounds[name])
            print(
                f"{name:<28}{workers:>8}{r['rps']:>10.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
                f"{r['rps'] / base:>8.2f}   rounds: {each}"
            )
        ratio = results["gigstream"]["rps"] / base
        print(
            f"  target: >= {TARGET_RATIO:.2f} of hand-written (PostGraphile's 540/1170): "
            f"{'met' if ratio >= TARGET_RATIO else 'NOT met'} ({ratio:.2f})"
        )


def median_round(runs: list[dict[str, float]]) -> dict[str, float]:
    """The round with the median throughput (its latencies with it)."""
    return sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]


if __name__ == "__main__":
    main()

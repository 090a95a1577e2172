"""The feed written by hand: Starlette + asyncpg, no GraphQL. The yardstick in bench/feed.py.

It answers the feed query of bench/feed.py (and only that) with the same JSON the GraphQL
server returns, doing the same work: verify the bearer token, five queries, build the JSON.
"""

import json
import os
import uuid
from base64 import b64encode
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import asyncpg
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DSN = os.environ["BASELINE_DSN"]
SECRET = os.environ["JWT_SECRET"]
pool: asyncpg.Pool | None = None


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    global pool
    pool = await asyncpg.create_pool(DSN, min_size=4, max_size=10)
    yield
    await pool.close()


def gid(type_name: str, key: uuid.UUID) -> str:
    return b64encode(f"{type_name}:{key}".encode()).decode()


def amount(minor: int) -> str:
    return str((Decimal(minor) / 100).quantize(Decimal("0.01")))


async def feed(request: Request) -> Response:
    await request.body()
    token = request.headers["authorization"].split(" ", 1)[1]
    claims = jwt.decode(
        token, SECRET, algorithms=["HS256"], audience="gigstream-api", issuer="gigstream"
    )
    viewer = uuid.UUID(claims["sub"])
    assert pool is not None
    async with pool.acquire() as conn:
        gigs = await conn.fetch(
            "SELECT id, title, owner_id FROM gig WHERE status = 'ACTIVE' "
            "ORDER BY listed_at DESC, id DESC LIMIT 21"
        )
        gigs = gigs[:20]
        gig_ids = [g["id"] for g in gigs]
        owner_ids = list({g["owner_id"] for g in gigs})
        users = {
            u["id"]: u
            for u in await conn.fetch(
                'SELECT id, name, rating_sum, rating_count FROM "user" WHERE id = ANY($1)',
                owner_ids,
            )
        }
        skills = defaultdict(list)
        for s in await conn.fetch(
            "SELECT us.user_id, s.name FROM skill s JOIN user_skill us ON us.skill_id = s.id "
            "WHERE us.user_id = ANY($1) ORDER BY s.name",
            owner_ids,
        ):
            skills[s["user_id"]].append({"name": s["name"]})
        packages = defaultdict(list)
        for p in await conn.fetch(
            "SELECT gig_id, price FROM gig_package WHERE gig_id = ANY($1) ORDER BY price, tier",
            gig_ids,
        ):
            packages[p["gig_id"]].append({"price": {"amount": amount(p["price"])}})
        favorites = {
            r["gig_id"]
            for r in await conn.fetch(
                "SELECT gig_id FROM favorite WHERE user_id = $1 AND gig_id = ANY($2)",
                viewer,
                gig_ids,
            )
        }
    edges = []
    for g in gigs:
        user = users[g["owner_id"]]
        rating = (
            round(user["rating_sum"] / user["rating_count"], 2) if user["rating_count"] else None
        )
        edges.append(
            {
                "node": {
                    "title": g["title"],
                    "seller": {
                        "name": user["name"],
                        "rating": rating,
                        "skills": skills[g["owner_id"]],
                    },
                    "packages": packages[g["id"]],
                    "isFavorite": g["id"] in favorites,
                }
            }
        )
    body = json.dumps({"data": {"gigs": {"edges": edges}}})
    return Response(body, media_type="application/json")


app = Starlette(routes=[Route("/graphql", feed, methods=["POST"])], lifespan=lifespan)

"""Readiness: can this process reach its database and its pub/sub backend?"""

import asyncio
import logging

from sqlalchemy import text

from models.db import open_session
from resolvers.context import Services

logger = logging.getLogger("gigstream.health")


async def readiness(services: Services) -> dict[str, str]:
    """Check every dependency; map each to "ok" or the reason it failed."""
    checks = {"database": _database(services), "pubsub": services.broadcast.ping()}
    results = await asyncio.gather(*checks.values(), return_exceptions=True)
    report = {}
    for name, result in zip(checks, results, strict=True):
        if isinstance(result, BaseException):
            logger.warning("readiness check %s failed: %r", name, result)
            report[name] = f"down: {type(result).__name__}"
        else:
            report[name] = "ok"
    return report


async def _database(services: Services) -> None:
    async with open_session(services.sessions) as session:
        await asyncio.wait_for(session.execute(text("SELECT 1")), timeout=2)

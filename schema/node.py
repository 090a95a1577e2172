"""The `Node` interface and the `node(id:)` entry point."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.context import Context
from schema.relay import decode_id

Fetch = Callable[[Context, uuid.UUID], Awaitable[Any]]
_FETCHERS: dict[str, Fetch] = {}
_TYPE_NAMES: dict[type, str] = {}


@strawberry.interface(description="An object with a globally unique, opaque id.")
class Node:
    id: strawberry.ID

    @staticmethod
    def resolve_type(obj: Any, _info: Any, _type: Any) -> str:
        # `node` hands out entities; their class names the type (rows are never returned here).
        return _TYPE_NAMES[type(obj)]


def register_node(type_: type, model: type, fetch: Fetch) -> None:
    """Let `node(id:)` find `model` entities as `type_`; `fetch` returns only visible ones."""
    name = type_.__strawberry_definition__.name
    _FETCHERS[name] = fetch
    _TYPE_NAMES[model] = name


async def resolve_node(info: Info[Context, None], global_id: str) -> Node | None:
    """Fetch what a global id names, if the viewer may see it; `None` for anything else."""
    decoded = decode_id(global_id)
    if decoded is None or decoded[0] not in _FETCHERS:
        return None
    return await _FETCHERS[decoded[0]](info.context, decoded[1])

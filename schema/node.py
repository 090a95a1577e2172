"""The `Node` interface and the `node(id:)` entry point."""

import strawberry
from strawberry.types import Info

from resolvers import users
from resolvers.context import Context
from schema.relay import decode_id


@strawberry.interface(description="An object with a globally unique, opaque id.")
class Node:
    id: strawberry.ID


async def resolve_node(info: Info[Context, None], global_id: str) -> Node | None:
    """Fetch what a global id names, if the viewer may see it; `None` for anything else."""
    decoded = decode_id(global_id)
    if decoded is None:
        return None
    type_name, key = decoded
    fetch = NODE_FETCHERS.get(type_name)
    return None if fetch is None else await fetch(info.context, key)


NODE_FETCHERS = {
    "User": lambda ctx, key: users.visible_user(ctx, user_id=key),
}

"""Global ids in inputs: decoded once, a wrong one is the same error as a missing object."""

import uuid

from models.errors import NotFound
from schema.relay import decode_id


def id_of(global_id: str, type_name: str, *, field: str) -> uuid.UUID:
    """The key in a global id of `type_name`; `NOT_FOUND` for a malformed or foreign one."""
    decoded = decode_id(global_id, expected=type_name)
    if decoded is None:
        raise NotFound(f"No such {type_name.lower()}", field=field)
    return decoded[1]

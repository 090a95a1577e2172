"""Opaque Relay global ids: base64 of `TypeName:uuid`."""

import base64
import binascii
import uuid

import strawberry


def encode_id(type_name: str, key: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{key}".encode()).decode())


def decode_id(global_id: str, *, expected: str | None = None) -> tuple[str, uuid.UUID] | None:
    """Return `(type name, key)`, or `None` for a malformed id or one of another type."""
    try:
        type_name, _, key = base64.b64decode(global_id, validate=True).decode().partition(":")
        parsed = (type_name, uuid.UUID(key))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if expected is not None and type_name != expected:
        return None
    return parsed

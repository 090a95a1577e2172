"""Uploaded files: declared by the client on upload, verified by us before anything uses them."""

import enum
import uuid

from sqlalchemy import BigInteger, Index
from sqlmodel import Field

from models.base import Entity
from models.types import StrEnum


class FilePurpose(enum.StrEnum):
    AVATAR = "AVATAR"
    GIG_IMAGE = "GIG_IMAGE"
    DELIVERY = "DELIVERY"
    DISPUTE_EVIDENCE = "DISPUTE_EVIDENCE"
    MESSAGE_ATTACHMENT = "MESSAGE_ATTACHMENT"


class FileStatus(enum.StrEnum):
    PENDING = "PENDING"
    READY = "READY"
    REJECTED = "REJECTED"


class StoredFile(Entity, table=True):
    """A blob in object storage; the `declared_*` values are the client's claims, the rest ours."""

    __tablename__ = "stored_file"
    # Abandoned uploads are swept by age.
    __table_args__ = (Index("ix_stored_file_status_created_at", "status", "created_at"),)

    # RESTRICT: a cascade would drop the row and orphan the blob in storage.
    owner_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="RESTRICT")
    purpose: FilePurpose = Field(sa_type=StrEnum(FilePurpose))
    status: FileStatus = Field(default=FileStatus.PENDING, sa_type=StrEnum(FileStatus))
    filename: str = Field(max_length=255)
    declared_content_type: str = Field(max_length=255)
    content_type: str | None = Field(default=None, max_length=255)
    declared_size: int = Field(sa_type=BigInteger, ge=0)
    size: int | None = Field(default=None, sa_type=BigInteger, ge=0)
    storage_key: str = Field(max_length=255, unique=True)
    sha256: str | None = Field(default=None, max_length=64)
    width: int | None = Field(default=None, ge=0)
    height: int | None = Field(default=None, ge=0)
    thumbnail_key: str | None = Field(default=None, max_length=255)
    rejection_reason: str | None = Field(default=None, max_length=200)

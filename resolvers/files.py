"""Files: declare an upload, receive and check its bytes, decide who may read them."""

import asyncio
import logging
import secrets
import tempfile
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from models.errors import DomainError, ErrorCode, NotFound, ValidationFailed
from models.file import FilePurpose, FileStatus, StoredFile
from models.types import utcnow
from models.user import User
from models.validation import clean_text
from resolvers import imaging
from resolvers.context import Context
from resolvers.storage import BlobMissing, storage_for

logger = logging.getLogger(__name__)

MB = 1024 * 1024
IMAGES = frozenset(imaging.IMAGE_FORMATS)
PDF = frozenset({"application/pdf"})
ZIP = frozenset({"application/zip"})
TEXT = imaging.TEXT_TYPES
# Office Open XML and OpenDocument only: the legacy binary formats are where macros hide.
OFFICE = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
VIDEO = frozenset({"video/mp4"})


@dataclass(frozen=True, slots=True)
class PurposeRule:
    max_size: int
    content_types: frozenset[str]
    # Public files are shown to anyone once READY, at a stable URL.
    public: bool = False


RULES: dict[FilePurpose, PurposeRule] = {
    FilePurpose.AVATAR: PurposeRule(5 * MB, IMAGES, public=True),
    FilePurpose.GIG_IMAGE: PurposeRule(10 * MB, IMAGES, public=True),
    FilePurpose.DELIVERY: PurposeRule(100 * MB, IMAGES | PDF | ZIP | TEXT | OFFICE | VIDEO),
    FilePurpose.DISPUTE_EVIDENCE: PurposeRule(20 * MB, IMAGES | PDF | TEXT),
    FilePurpose.MESSAGE_ATTACHMENT: PurposeRule(25 * MB, IMAGES | PDF | ZIP | TEXT),
}

# What browsers and operating systems send for the types above, under other names.
CONTENT_TYPE_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-zip-compressed": "application/zip",
    "text/x-markdown": "text/markdown",
}
PUBLIC_PATH = "/files/public"
INCOMING = "incoming/"
FILENAME_MAX = 255
# Uploads up to this size stay in memory while they are checked; larger ones spill to disk.
SPOOL_IN_MEMORY = 8 * MB

ShareRule = Callable[[Context, StoredFile, User], Awaitable[bool]]
SHARE_RULES: dict[FilePurpose, list[ShareRule]] = {purpose: [] for purpose in FilePurpose}


@dataclass(frozen=True, slots=True)
class Upload:
    """Where and how the client sends the bytes of a file it declared."""

    file: StoredFile
    url: str
    method: str
    headers: dict[str, str]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Blob:
    """Stored bytes to serve, and how."""

    key: str
    content_type: str
    filename: str
    inline: bool


class FileRejected(DomainError):
    """The bytes failed a check: the file is now REJECTED, and stays so."""

    def __init__(self, file: StoredFile, error: DomainError) -> None:
        super().__init__(error.message, code=error.code, field="fileId")
        self.file = file


async def create_upload(
    ctx: Context, *, filename: str, content_type: str, size: int, purpose: FilePurpose
) -> Upload:
    """Declare a file of the viewer's and get a short-lived URL to PUT its bytes to."""
    viewer = await ctx.require_viewer()
    rule = RULES[purpose]
    name = clean_filename(filename)
    declared = normalize_content_type(content_type)
    if declared not in rule.content_types:
        raise ValidationFailed(
            f"{purpose} files cannot be of type {declared or 'unknown'}; allowed: "
            + ", ".join(sorted(rule.content_types)),
            code=ErrorCode.UNSUPPORTED_CONTENT_TYPE,
            field="contentType",
        )
    if size <= 0:
        raise ValidationFailed("The file is empty", code=ErrorCode.FILE_EMPTY, field="size")
    if size > rule.max_size:
        raise ValidationFailed(
            f"{purpose} files are at most {rule.max_size // MB} MB",
            code=ErrorCode.FILE_TOO_LARGE,
            field="size",
        )
    file_id = uuid.uuid4()
    file = StoredFile(
        id=file_id,
        owner_id=viewer.id,
        purpose=purpose,
        filename=name,
        declared_content_type=declared,
        declared_size=size,
        storage_key=upload_key(file_id),
    )
    ctx.session.add(file)
    ttl = ctx.settings.upload_url_ttl_seconds
    url = await storage_for(ctx.settings).upload_url(
        file.storage_key, content_type=declared, size=size, expires=ttl
    )
    await ctx.commit()
    return Upload(
        file=file,
        url=url,
        method="PUT",
        headers={"Content-Type": declared},
        expires_at=(utcnow() + timedelta(seconds=ttl)).replace(microsecond=0),
    )


async def receive_upload(ctx: Context, *, key: str, chunks: AsyncIterable[bytes]) -> StoredFile:
    """Check bytes PUT to our own upload route, keep them, and mark the file READY."""
    file_id = file_id_of_upload_key(key)
    file = await ctx.session.get(StoredFile, file_id) if file_id else None
    if file is None:
        raise NotFound("The file no longer exists", code=ErrorCode.FILE_NOT_FOUND)
    if file.status is not FileStatus.PENDING:
        raise _not_pending(file)
    return await _ingest(ctx, file, chunks)


async def complete_upload(ctx: Context, *, file_id: uuid.UUID) -> StoredFile:
    """Check the bytes the viewer PUT to object storage, and mark the file READY or REJECTED."""
    viewer = await ctx.require_viewer()
    file = await ctx.session.get(StoredFile, file_id)
    if file is None or file.owner_id != viewer.id:
        raise _file_not_found("fileId")
    if file.status is FileStatus.READY:
        return file
    if file.status is FileStatus.REJECTED:
        raise FileRejected(
            file, DomainError(file.rejection_reason or "Rejected", code=ErrorCode.FILE_REJECTED)
        )
    storage = storage_for(ctx.settings)
    if storage.receives_uploads:
        raise _not_uploaded()
    return await _ingest(ctx, file, storage.stream(file.storage_key))


async def _ingest(ctx: Context, file: StoredFile, chunks: AsyncIterable[bytes]) -> StoredFile:
    # End the transaction before the bytes flow: on SQLite an open one holds the write lock.
    await ctx.commit()
    storage = storage_for(ctx.settings)
    incoming_key = file.storage_key
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        try:
            received = await imaging.receive(chunks, spool, declared_size=file.declared_size)
        except BlobMissing:
            raise _not_uploaded() from None
        except DomainError:
            # A wrong size is the client's to retry within the link's lifetime: no trace kept.
            await storage.delete(incoming_key)
            raise
        try:
            checked = await asyncio.to_thread(
                imaging.check, file.declared_content_type, spool, received
            )
        except DomainError as error:
            rejected = await _settle(
                ctx, file, status=FileStatus.REJECTED, rejection_reason=error.message
            )
            if not rejected:
                raise _not_pending(file) from None
            await storage.delete(incoming_key)
            logger.info("file rejected", extra={"file_id": str(file.id), "code": str(error.code)})
            raise FileRejected(file, error) from None
        # Each attempt writes under a key of its own: a racing twin cannot overwrite our bytes.
        key = f"files/{file.id}/{secrets.token_hex(8)}"
        thumbnail_key = f"{key}.thumbnail.webp" if checked.thumbnail else None
        await storage.write(key, checked.data or spool, content_type=checked.content_type)
        if checked.thumbnail and thumbnail_key:
            await storage.write(thumbnail_key, checked.thumbnail, content_type="image/webp")
    settled = await _settle(
        ctx,
        file,
        status=FileStatus.READY,
        storage_key=key,
        thumbnail_key=thumbnail_key,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        width=checked.width,
        height=checked.height,
    )
    if not settled:
        for written in (key, thumbnail_key):
            if written is not None:
                await storage.delete(written)
        raise _not_pending(file)
    await storage.delete(incoming_key)
    return file


async def _settle(ctx: Context, file: StoredFile, **values: Any) -> bool:
    """Move a PENDING file on; `False` when another request already did."""
    if "rejection_reason" in values:
        values["rejection_reason"] = values["rejection_reason"][:200]
    result = await ctx.session.execute(
        update(StoredFile)
        .where(StoredFile.id == file.id, StoredFile.status == FileStatus.PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    await ctx.commit()
    await ctx.session.refresh(file)
    return result.rowcount == 1


# -- Reading ---------------------------------------------------------------------------------


async def visible_file(ctx: Context, *, file_id: uuid.UUID) -> StoredFile | None:
    """Return a file the viewer may see, `None` otherwise (as if it did not exist)."""
    file = await ctx.session.get(StoredFile, file_id)
    return file if file is not None and await may_read(ctx, file) else None


async def may_read(ctx: Context, file: StoredFile) -> bool:
    """Public files once READY are anyone's; every other file only theirs it was shared with."""
    if file.status is FileStatus.READY and RULES[file.purpose].public:
        return True
    return await shared_with(ctx, file)


async def shared_with(ctx: Context, file: StoredFile) -> bool:
    """Whether the viewer may read a file that is not public: its owner, admins, and whoever a
    rule in `SHARE_RULES` lets in.

    The extension point for later domains: deliveries register a DELIVERY rule (the order's
    buyer), chat a MESSAGE_ATTACHMENT rule (the conversation's participants), disputes a
    DISPUTE_EVIDENCE rule (both parties) with `@share_rule(purpose)`. Rules only ever see
    READY files.
    """
    viewer = await ctx.viewer()
    if viewer is None:
        return False
    if viewer.id == file.owner_id or viewer.is_admin:
        return True
    if file.status is not FileStatus.READY:
        return False
    for rule in SHARE_RULES[file.purpose]:
        if await rule(ctx, file, viewer):
            return True
    return False


def share_rule(purpose: FilePurpose) -> Callable[[ShareRule], ShareRule]:
    """Register a rule that shares files of one purpose with more viewers than their owner."""

    def register(rule: ShareRule) -> ShareRule:
        SHARE_RULES[purpose].append(rule)
        return rule

    return register


async def file_url(ctx: Context, file: StoredFile, *, thumbnail: bool = False) -> str | None:
    """A URL to a READY file's bytes, stable for public files and signed and short-lived for the
    rest; `None` when there are no such bytes or the viewer may not read them."""
    key = file.thumbnail_key if thumbnail else file.storage_key
    if file.status is not FileStatus.READY or key is None or not await may_read(ctx, file):
        return None
    if RULES[file.purpose].public:
        return f"{ctx.settings.public_url}{PUBLIC_PATH}/{file.id}" + (
            "/thumbnail" if thumbnail else ""
        )
    blob = _blob(file, thumbnail=thumbnail)
    return await storage_for(ctx.settings).download_url(
        blob.key,
        expires=ctx.settings.download_url_ttl_seconds,
        filename=blob.filename,
        content_type=blob.content_type,
        inline=blob.inline,
    )


async def public_blob(ctx: Context, *, file_id: uuid.UUID, thumbnail: bool) -> Blob | None:
    """What the stable URL of a public file serves; `None` for anything not public and READY."""
    file = await ctx.session.get(StoredFile, file_id)
    if file is None or file.status is not FileStatus.READY or not RULES[file.purpose].public:
        return None
    if thumbnail and file.thumbnail_key is None:
        return None
    return _blob(file, thumbnail=thumbnail)


def _blob(file: StoredFile, *, thumbnail: bool) -> Blob:
    content_type = file.content_type or file.declared_content_type
    if thumbnail and file.thumbnail_key:
        stem = file.filename.rsplit(".", 1)[0]
        return Blob(file.thumbnail_key, imaging.THUMBNAIL_TYPE, f"{stem}-thumbnail.webp", True)
    # Only images open in the browser; anything else is a download, never a page of ours.
    return Blob(file.storage_key, content_type, file.filename, content_type in IMAGES)


# -- For other domains -----------------------------------------------------------------------


async def claim_ready_files(
    ctx: Context, *, file_ids: list[uuid.UUID], purpose: FilePurpose, field: str
) -> list[StoredFile]:
    """Load the viewer's own READY files of one purpose, in the order given, to attach them.

    Someone else's file fails exactly like a missing one. Errors name `field.<index>`.
    """
    viewer = await ctx.require_viewer()
    wanted = list(dict.fromkeys(file_ids))
    rows = await ctx.session.scalars(select(StoredFile).where(StoredFile.id.in_(wanted)))
    by_id = {file.id: file for file in rows}
    for file_id in wanted:
        _check_claim(by_id.get(file_id), viewer, purpose, f"{field}.{file_ids.index(file_id)}")
    return [by_id[file_id] for file_id in wanted]


def _check_claim(file: StoredFile | None, viewer: User, purpose: FilePurpose, field: str) -> None:
    if file is None or file.owner_id != viewer.id:
        raise _file_not_found(field)
    if file.purpose is not purpose:
        raise DomainError(
            f"This file was uploaded as {file.purpose}, not {purpose}",
            code=ErrorCode.FILE_WRONG_PURPOSE,
            field=field,
        )
    if file.status is not FileStatus.READY:
        raise DomainError(
            "This file is not ready: upload it and wait for the checks to pass"
            if file.status is FileStatus.PENDING
            else f"This file was rejected: {file.rejection_reason}",
            code=ErrorCode.FILE_NOT_READY,
            field=field,
        )


# -- Input rules -----------------------------------------------------------------------------


def upload_key(file_id: uuid.UUID) -> str:
    """Where a PENDING file's bytes are PUT; it is never served, and emptied once checked."""
    return f"{INCOMING}{file_id}"


def file_id_of_upload_key(key: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(key.removeprefix(INCOMING)) if key.startswith(INCOMING) else None
    except ValueError:
        return None


def clean_filename(filename: str) -> str:
    """The last path segment of a client's filename, without control characters."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(ch for ch in base if ch.isprintable())
    cleaned = clean_text(printable, field="filename", max_length=FILENAME_MAX, required=True)
    assert cleaned is not None
    return cleaned


def normalize_content_type(content_type: str) -> str:
    """`Image/JPG; charset=x` -> `image/jpeg`: the media type alone, by its usual name."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return CONTENT_TYPE_ALIASES.get(media_type, media_type)


def _file_not_found(field: str) -> NotFound:
    return NotFound("No such file", code=ErrorCode.FILE_NOT_FOUND, field=field)


def _not_uploaded() -> DomainError:
    return DomainError(
        "The file's bytes have not arrived yet", code=ErrorCode.FILE_NOT_UPLOADED, field="fileId"
    )


def _not_pending(file: StoredFile) -> DomainError:
    return DomainError(
        f"The file is already {file.status}; create a new upload",
        code=ErrorCode.FILE_NOT_PENDING,
    )

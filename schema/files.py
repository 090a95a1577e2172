"""The `File` type, `createUpload`, `completeUpload` and `file(id:)`."""

import uuid
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from models import file as m
from models.errors import DomainError
from resolvers import files
from resolvers.context import Context
from schema.errors import UserError, attempt
from schema.node import Node, register_node
from schema.relay import decode_id, encode_id

FilePurpose = strawberry.enum(m.FilePurpose, name="FilePurpose")
FileStatus = strawberry.enum(
    m.FileStatus,
    name="FileStatus",
    description="PENDING until the bytes arrive and pass the checks; only READY files attach.",
)
# Decodes to no file: a malformed id then fails exactly like an id of a missing file.
NO_FILE = uuid.UUID(int=0)


@strawberry.type(name="File", description="An uploaded file: an avatar, a gig image, a delivery.")
class File(Node):
    filename: str
    purpose: FilePurpose
    status: FileStatus
    width: int | None = strawberry.field(description="Pixels, for images.")
    height: int | None = strawberry.field(description="Pixels, for images.")
    created_at: datetime

    @classmethod
    def is_type_of(cls, obj: object, _info: object) -> bool:
        return isinstance(obj, m.StoredFile)

    @strawberry.field
    @staticmethod
    def id(root: m.StoredFile) -> strawberry.ID:
        return encode_id("File", root.id)

    @strawberry.field(description="Detected from the bytes once READY; as declared before.")
    @staticmethod
    def content_type(root: m.StoredFile) -> str:
        return root.content_type or root.declared_content_type

    @strawberry.field(description="Bytes stored once READY (images are re-encoded); as declared.")
    @staticmethod
    def size(root: m.StoredFile) -> int:
        return root.size if root.size is not None else root.declared_size

    @strawberry.field(description="Why the checks refused the bytes, when REJECTED.")
    @staticmethod
    def rejection_reason(root: m.StoredFile) -> str | None:
        return root.rejection_reason

    @strawberry.field(
        description="The bytes: a stable URL for public files (avatars, gig images), a signed "
        "URL that expires in minutes for the rest; null until READY or when not yours to read."
    )
    @staticmethod
    async def url(root: m.StoredFile, info: Info[Context, None]) -> str | None:
        return await files.file_url(info.context, root)

    @strawberry.field(description="A small WebP of an image (320 px a side at most).")
    @staticmethod
    async def thumbnail_url(root: m.StoredFile, info: Info[Context, None]) -> str | None:
        return await files.file_url(info.context, root, thumbnail=True)


@strawberry.type(description="An HTTP header the upload request must carry.")
class HttpHeader:
    name: str
    value: str


@strawberry.type(description="Where and how to send the bytes: one request, before it expires.")
class UploadTarget:
    url: str
    method: str
    headers: list[HttpHeader]
    expires_at: datetime


@strawberry.input
class CreateUploadInput:
    filename: str
    content_type: str = strawberry.field(description="The media type, e.g. image/png.")
    size: int = strawberry.field(description="Exactly how many bytes will be sent.")
    purpose: FilePurpose


@strawberry.input
class CompleteUploadInput:
    file_id: strawberry.ID


@strawberry.type
class CreateUploadPayload:
    file: File | None = None
    upload: UploadTarget | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: files.Upload | None, errors: list[UserError]) -> "CreateUploadPayload":
        if result is None:
            return cls(errors=errors)
        target = UploadTarget(
            url=result.url,
            method=result.method,
            headers=[HttpHeader(name=k, value=v) for k, v in result.headers.items()],
            expires_at=result.expires_at,
        )
        return cls(file=result.file, upload=target)


@strawberry.type
class CompleteUploadPayload:
    file: File | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def file_key(global_id: str) -> uuid.UUID:
    """The key of a `File` id; a malformed one or one of another type names no file."""
    decoded = decode_id(global_id, expected="File")
    return NO_FILE if decoded is None else decoded[1]


def file_keys(global_ids: list[strawberry.ID]) -> list[uuid.UUID]:
    """Keys for `files.claim_ready_files`, one per id, in order."""
    return [file_key(global_id) for global_id in global_ids]


@strawberry.type
class FileMutations:
    @strawberry.mutation(
        description="Declare a file and get a short-lived URL to PUT its bytes to. Images are "
        "re-encoded; every file's type is checked against its bytes."
    )
    async def create_upload(
        self, info: Info[Context, None], input: CreateUploadInput
    ) -> CreateUploadPayload:
        ctx = info.context
        return CreateUploadPayload.of(
            *await attempt(
                ctx,
                files.create_upload(
                    ctx,
                    filename=input.filename,
                    content_type=input.content_type,
                    size=input.size,
                    purpose=input.purpose,
                ),
            )
        )

    @strawberry.mutation(
        description="After PUTting the bytes to object storage, have them checked: the file "
        "becomes READY or REJECTED. With local storage the upload itself does this."
    )
    async def complete_upload(
        self, info: Info[Context, None], input: CompleteUploadInput
    ) -> CompleteUploadPayload:
        ctx = info.context
        try:
            file = await files.complete_upload(ctx, file_id=file_key(input.file_id))
        except files.FileRejected as rejected:
            # Committed: the payload shows the REJECTED file along with why.
            return CompleteUploadPayload(
                file=rejected.file, errors=[UserError.from_domain(rejected)]
            )
        except DomainError as error:
            await ctx.rollback()
            return CompleteUploadPayload(errors=[UserError.from_domain(error)])
        return CompleteUploadPayload(file=file)


@strawberry.type
class FileQueries:
    @strawberry.field(description="A file, if the viewer may see it.")
    async def file(
        self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument()]
    ) -> File | None:
        return await files.visible_file(info.context, file_id=file_key(id))


register_node(File, m.StoredFile, lambda ctx, key: files.visible_file(ctx, file_id=key))

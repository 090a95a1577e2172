"""The HTTP side of files: local storage's upload and download links, and public files' URLs."""

import asyncio
import time
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from models.errors import DomainError, ErrorCode
from resolvers import files
from resolvers.context import Context, Services
from resolvers.storage import (
    DOWNLOAD_PATH,
    UPLOAD_PATH,
    LinkError,
    LocalStorage,
    storage_for,
)
from schema.asgi import current_request_id
from schema.relay import encode_id

# How each refusal of an upload reads over HTTP.
UPLOAD_STATUS = {
    ErrorCode.FILE_NOT_FOUND: 404,
    ErrorCode.FILE_NOT_PENDING: 409,
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.FILE_EMPTY: 400,
    ErrorCode.FILE_SIZE_MISMATCH: 400,
    ErrorCode.FILE_TYPE_MISMATCH: 415,
    ErrorCode.UNSUPPORTED_CONTENT_TYPE: 415,
    ErrorCode.FILE_UNREADABLE: 422,
    ErrorCode.IMAGE_TOO_LARGE: 422,
}
# What we serve is someone's upload: never sniffed into HTML, never run as a page of ours.
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}
PUBLIC_MAX_AGE = 3600

Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


def file_routes(services: Services) -> list[Route]:
    """The routes, bound to the services of the app that mounts them."""

    async def upload(request: Request) -> Response:
        storage = storage_for(services.settings)
        if not isinstance(storage, LocalStorage):
            return _error(404, "NOT_FOUND", "Uploads go straight to object storage")
        try:
            link = storage.verify(request.path_params["token"], action="put")
        except LinkError as error:
            return _error(403, error.code, error.reason)
        ctx = Context(services, request_id=current_request_id.get())
        try:
            file = await files.receive_upload(ctx, key=link.key, chunks=request.stream())
        except DomainError as error:
            await ctx.rollback()
            return _error(UPLOAD_STATUS.get(error.code, 400), error.code, error.message)
        finally:
            await ctx.close()
        return JSONResponse(
            {"id": encode_id("File", file.id), "status": str(file.status), "size": file.size}
        )

    async def download(request: Request) -> Response:
        storage = storage_for(services.settings)
        if not isinstance(storage, LocalStorage):
            return _error(404, "NOT_FOUND", "Files are served by object storage")
        try:
            link = storage.verify(request.path_params["token"], action="get")
        except LinkError as error:
            return _error(403, error.code, error.reason)
        return await _serve_local(
            storage,
            files.Blob(link.key, link.content_type, link.filename, link.inline),
            cache=f"private, max-age={link.seconds_left(time.time())}",
        )

    def public(*, thumbnail: bool) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            try:
                file_id = uuid.UUID(request.path_params["file_id"])
            except ValueError:
                return _error(404, "NOT_FOUND", "No such file")
            ctx = Context(services, request_id=current_request_id.get())
            try:
                blob = await files.public_blob(ctx, file_id=file_id, thumbnail=thumbnail)
            finally:
                await ctx.close()
            if blob is None:
                return _error(404, "NOT_FOUND", "No such file")
            storage = storage_for(services.settings)
            if isinstance(storage, LocalStorage):
                return await _serve_local(storage, blob, cache=f"public, max-age={PUBLIC_MAX_AGE}")
            ttl = services.settings.download_url_ttl_seconds
            url = await storage.download_url(
                blob.key,
                expires=ttl,
                filename=blob.filename,
                content_type=blob.content_type,
                inline=blob.inline,
            )
            # The redirect must not outlive the signed URL it points at.
            return RedirectResponse(
                url, status_code=307, headers={"Cache-Control": f"private, max-age={ttl // 2}"}
            )

        return endpoint

    return [
        Route(f"{UPLOAD_PATH}/{{token}}", upload, methods=["PUT"]),
        Route(f"{files.PUBLIC_PATH}/{{file_id}}", public(thumbnail=False), methods=["GET"]),
        Route(
            f"{files.PUBLIC_PATH}/{{file_id}}/thumbnail", public(thumbnail=True), methods=["GET"]
        ),
        Route(f"{DOWNLOAD_PATH}/{{token}}", download, methods=["GET"]),
    ]


async def _serve_local(storage: LocalStorage, blob: files.Blob, *, cache: str) -> Response:
    path = storage.path(blob.key)
    if not await asyncio.to_thread(path.is_file):
        return _error(404, "NOT_FOUND", "The file is gone")
    return FileResponse(
        path,
        media_type=blob.content_type,
        filename=blob.filename,
        content_disposition_type="inline" if blob.inline else "attachment",
        headers={**SAFE_HEADERS, "Cache-Control": cache},
    )


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "code": str(code)}]}, status_code=status)

"""Where file bytes live: a local directory served by our own routes, or an S3-compatible bucket."""

import asyncio
import base64
import binascii
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, Protocol
from urllib.parse import quote

from models.settings import Settings

UPLOAD_PATH = "/files/upload"
DOWNLOAD_PATH = "/files"
CHUNK_SIZE = 64 * 1024
_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9/._-]*$")

Action = Literal["put", "get"]
Data = bytes | BinaryIO


class BlobMissing(Exception):
    """No object is stored under the key."""


class Storage(Protocol):
    # True: the bytes arrive through our own upload route, which checks them as they come.
    # False: the client PUTs to the store itself and then calls `completeUpload`.
    receives_uploads: bool

    async def upload_url(self, key: str, *, content_type: str, size: int, expires: int) -> str:
        """A URL that accepts one PUT of `size` bytes to `key` for `expires` seconds."""
        ...

    async def download_url(
        self, key: str, *, expires: int, filename: str, content_type: str, inline: bool
    ) -> str:
        """A URL that serves `key` for `expires` seconds."""
        ...

    def stream(self, key: str) -> AsyncIterator[bytes]:
        """The stored bytes in chunks; raises `BlobMissing` when there are none."""
        ...

    async def write(self, key: str, data: Data, *, content_type: str) -> None: ...

    async def delete(self, key: str) -> None:
        """Remove `key`; a missing key is not an error."""
        ...


async def read(storage: Storage, key: str) -> bytes:
    """All the bytes stored under `key`."""
    return b"".join([chunk async for chunk in storage.stream(key)])


# -- Local directory -------------------------------------------------------------------------


class LinkError(Exception):
    """A local storage link cannot be honoured; `reason` says why, for the client."""

    def __init__(self, reason: str, *, code: str = "INVALID_TOKEN") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True, slots=True)
class Link:
    """What a signed local link allows: one action on one key until `expires_at`."""

    key: str
    action: Action
    expires_at: int
    content_type: str
    filename: str = ""
    inline: bool = False

    def seconds_left(self, now: float) -> int:
        return max(0, int(self.expires_at - now))


class LocalStorage:
    """Files in a directory; links point at our own routes and carry an HMAC-signed token."""

    receives_uploads = True

    def __init__(
        self,
        root_dir: Path,
        public_url: str,
        secret: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = Path(root_dir).resolve()
        self.public_url = public_url.rstrip("/")
        # A key of its own, so a file link can never pass for any other signed value of ours.
        self._key = hmac.new(secret.encode(), b"gigstream/file-links/v1", hashlib.sha256).digest()
        self._clock = clock

    async def upload_url(self, key: str, *, content_type: str, size: int, expires: int) -> str:
        token = self.sign(Link(key, "put", self._expiry(expires), content_type))
        return f"{self.public_url}{UPLOAD_PATH}/{token}"

    async def download_url(
        self, key: str, *, expires: int, filename: str, content_type: str, inline: bool
    ) -> str:
        link = Link(key, "get", self._expiry(expires), content_type, filename, inline)
        return f"{self.public_url}{DOWNLOAD_PATH}/{self.sign(link)}"

    def sign(self, link: Link) -> str:
        claims = {
            "k": link.key,
            "a": link.action,
            "e": link.expires_at,
            "t": link.content_type,
            "n": link.filename,
            "i": link.inline,
        }
        payload = _b64encode(json.dumps(claims, separators=(",", ":")).encode())
        return f"{payload}.{self._signature(payload)}"

    def verify(self, token: str, *, action: Action) -> Link:
        """The link a token stands for; `LinkError` when forged, of another kind, or expired."""
        payload, _, signature = token.partition(".")
        if not hmac.compare_digest(self._signature(payload), signature):
            raise LinkError("The link is not valid")
        try:
            claims = json.loads(_b64decode(payload))
            link = Link(
                key=claims["k"],
                action=claims["a"],
                expires_at=int(claims["e"]),
                content_type=claims["t"],
                filename=claims["n"],
                inline=bool(claims["i"]),
            )
        except (ValueError, KeyError, TypeError):
            raise LinkError("The link is not valid") from None
        if link.action != action:
            raise LinkError(
                "This link is for uploading" if link.action == "put" else "This link is for reading"
            )
        if self._clock() > link.expires_at:
            raise LinkError("The link has expired", code="TOKEN_EXPIRED")
        return link

    def path(self, key: str) -> Path:
        """Where `key` is kept; refuses anything that could step outside the root."""
        if not _KEY.fullmatch(key) or ".." in key.split("/"):
            raise ValueError(f"unsafe storage key {key!r}")
        return self.root / key

    async def stream(self, key: str) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(self.path(key).open, "rb")
        except FileNotFoundError:
            raise BlobMissing(key) from None
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_SIZE):
                yield chunk
        finally:
            handle.close()

    async def write(self, key: str, data: Data, *, content_type: str) -> None:
        await asyncio.to_thread(self._write, self.path(key), data)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)

    def _write(self, path: Path, data: Data) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed into place, so a reader never sees half a file.
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        try:
            with partial.open("wb") as out:
                if isinstance(data, bytes):
                    out.write(data)
                else:
                    data.seek(0)
                    shutil.copyfileobj(data, out, CHUNK_SIZE)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    def _expiry(self, seconds: int) -> int:
        return int(self._clock()) + seconds

    def _signature(self, payload: str) -> str:
        return _b64encode(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None


# -- S3-compatible bucket --------------------------------------------------------------------


class S3Storage:
    """Objects in a bucket; links are presigned URLs, so bytes never pass through our app."""

    receives_uploads = False

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        # Imported here: the local default should not pay for loading boto.
        import aioboto3
        from botocore.config import Config

        self.bucket = bucket
        self._endpoint_url = endpoint_url
        access_key, secret_key = credentials or (None, None)
        # Without credentials boto's own chain applies: AWS_ACCESS_KEY_ID and friends, roles.
        self._session = aioboto3.Session(
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region or "us-east-1",
        )
        # Path-style addressing for a custom endpoint: MinIO and friends rarely do virtual hosts.
        self._config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if endpoint_url else "auto"},
        )

    def _client(self):  # aioboto3's client types are generated at run time
        return self._session.client("s3", endpoint_url=self._endpoint_url, config=self._config)

    async def upload_url(self, key: str, *, content_type: str, size: int, expires: int) -> str:
        # Content type and length are signed: S3 refuses a PUT that differs from the declaration.
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "ContentType": content_type,
            "ContentLength": size,
        }
        async with self._client() as s3:
            return await s3.generate_presigned_url("put_object", Params=params, ExpiresIn=expires)

    async def download_url(
        self, key: str, *, expires: int, filename: str, content_type: str, inline: bool
    ) -> str:
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition(filename, inline=inline),
        }
        async with self._client() as s3:
            return await s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires)

    async def stream(self, key: str) -> AsyncIterator[bytes]:
        from botocore.exceptions import ClientError

        async with self._client() as s3:
            try:
                response = await s3.get_object(Bucket=self.bucket, Key=key)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                    raise BlobMissing(key) from None
                raise
            body = response["Body"]
            try:
                while chunk := await body.read(CHUNK_SIZE):
                    yield chunk
            finally:
                body.close()

    async def write(self, key: str, data: Data, *, content_type: str) -> None:
        fileobj = io.BytesIO(data) if isinstance(data, bytes) else data
        fileobj.seek(0)
        async with self._client() as s3:
            await s3.upload_fileobj(
                fileobj, self.bucket, key, ExtraArgs={"ContentType": content_type}
            )

    async def delete(self, key: str) -> None:
        async with self._client() as s3:
            await s3.delete_object(Bucket=self.bucket, Key=key)


def content_disposition(filename: str, *, inline: bool) -> str:
    """A Content-Disposition value that survives any filename (RFC 6266 with RFC 5987)."""
    kind = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "")
    return f"{kind}; filename=\"{ascii_name or 'file'}\"; filename*=UTF-8''{quote(filename)}"


# -- Choosing one ----------------------------------------------------------------------------

_storages: dict[int, tuple[Settings, Storage]] = {}


def storage_for(settings: Settings) -> Storage:
    """The storage the settings name, built once per settings object."""
    cached = _storages.get(id(settings))
    if cached is not None and cached[0] is settings:
        return cached[1]
    storage: Storage
    if settings.storage_backend == "s3":
        assert settings.s3_bucket is not None  # the settings refuse s3 without a bucket
        storage = S3Storage(
            settings.s3_bucket, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region
        )
    else:
        storage = LocalStorage(settings.upload_dir, settings.public_url, settings.secret)
    # The settings object is kept in the entry, so its id cannot be reused while cached.
    _storages[id(settings)] = (settings, storage)
    return storage

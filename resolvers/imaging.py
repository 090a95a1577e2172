"""What uploaded bytes really are: counted, hashed, typed by magic number, images re-encoded."""

import codecs
import hashlib
import io
import re
from collections.abc import AsyncIterable
from contextlib import aclosing
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

from models.errors import DomainError, ErrorCode

IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
TEXT = "text/plain"
# Text has subtypes that no byte tells apart: any of them stands when the bytes are text.
TEXT_TYPES = frozenset({TEXT, "text/csv", "text/markdown"})
# filetype looks at no more than this many leading bytes.
SNIFF_BYTES = 8192
MAX_PIXELS = 40_000_000
MAX_SIDE = 10_000
THUMBNAIL_SIDE = 320
THUMBNAIL_TYPE = "image/webp"
QUALITY = 85
# A safety net for any Pillow use in the process: larger images warn, twice as large raise.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# An animated PNG is a PNG to every client; it is stored as its first frame.
_DETECTED_ALIASES = {"image/apng": "image/png"}
_PIXEL_INFO = frozenset({"transparency"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


class TextProbe:
    """Decides, chunk by chunk, whether bytes are UTF-8 text without control characters."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.is_text = True

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        if not self.is_text:
            return
        try:
            decoded = self._decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            self.is_text = False
            return
        if _CONTROL.search(decoded):
            self.is_text = False


def detect(head: bytes, *, is_text: bool) -> str | None:
    """The content type the leading bytes show; `None` when they show nothing we know."""
    kind = filetype.guess(head[:SNIFF_BYTES])
    if kind is not None:
        return _DETECTED_ALIASES.get(kind.mime, kind.mime)
    # Text has no magic number: it is text when every byte of it decoded as such.
    return TEXT if is_text and head else None


@dataclass(frozen=True, slots=True)
class Received:
    size: int
    sha256: str
    head: bytes
    is_text: bool


@dataclass(frozen=True, slots=True)
class Checked:
    content_type: str
    size: int
    sha256: str
    data: bytes | None = None  # re-encoded bytes; None: keep the bytes received
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None


async def receive(chunks: AsyncIterable[bytes], spool: BinaryIO, *, declared_size: int) -> Received:
    """Spool at most `declared_size` bytes; whatever a header claimed, a byte more is refused."""
    size, digest, head, text = 0, hashlib.sha256(), bytearray(), TextProbe()
    async with aclosing(aiter(chunks)) as stream:
        async for chunk in stream:
            size += len(chunk)
            if size > declared_size:
                raise DomainError(
                    f"The upload is larger than the declared {declared_size} bytes",
                    code=ErrorCode.FILE_TOO_LARGE,
                    field="size",
                )
            spool.write(chunk)
            digest.update(chunk)
            text.feed(chunk)
            if len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
    text.feed(b"", final=True)
    if size == 0:
        raise DomainError("The upload is empty", code=ErrorCode.FILE_EMPTY, field="size")
    if size < declared_size:
        raise DomainError(
            f"The upload has {size} bytes, not the declared {declared_size}",
            code=ErrorCode.FILE_SIZE_MISMATCH,
            field="size",
        )
    return Received(size, digest.hexdigest(), bytes(head), text.is_text)


def check(declared: str, spool: BinaryIO, received: Received) -> Checked:
    """Compare what the bytes are with what was declared; re-encode an image."""
    detected = detect(received.head, is_text=received.is_text)
    if detected is None:
        raise DomainError(
            f"The bytes are of no type we accept (declared {declared})",
            code=ErrorCode.UNSUPPORTED_CONTENT_TYPE,
            field="contentType",
        )
    matches = detected == declared or (detected == TEXT and declared in TEXT_TYPES)
    if not matches:
        raise DomainError(
            f"Declared {declared}, but the bytes are {detected}",
            code=ErrorCode.FILE_TYPE_MISMATCH,
            field="contentType",
        )
    if declared not in IMAGE_FORMATS:
        return Checked(declared, received.size, received.sha256)
    spool.seek(0)
    picture = reencode(spool.read(), declared)
    return Checked(
        content_type=declared,
        size=len(picture.data),
        sha256=hashlib.sha256(picture.data).hexdigest(),
        data=picture.data,
        thumbnail=picture.thumbnail,
        width=picture.width,
        height=picture.height,
    )


@dataclass(frozen=True, slots=True)
class Picture:
    data: bytes
    width: int
    height: int
    thumbnail: bytes


def reencode(data: bytes, content_type: str) -> Picture:
    """Decode an image and encode it again in its own format, without metadata, plus a thumbnail.

    Re-encoding drops EXIF (GPS, camera serials) and anything smuggled after the pixels; the
    size is checked from the header, before a single pixel is decoded.
    """
    image_format = IMAGE_FORMATS[content_type]
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise _too_large(width, height)
            image.load()
            upright = ImageOps.exif_transpose(image)
            icc_profile = image.info.get("icc_profile")
            # Encoders fall back on `info` (a JPEG comment, EXIF): keep only what pixels need.
            upright.info = {k: v for k, v in image.info.items() if k in _PIXEL_INFO}
    except Image.DecompressionBombError:
        raise _too_large(None, None) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise DomainError(
            "The file is not a readable image", code=ErrorCode.FILE_UNREADABLE, field="file"
        ) from None
    return Picture(
        data=_encode(upright, image_format, icc_profile),
        width=upright.width,
        height=upright.height,
        thumbnail=_thumbnail(upright),
    )


def _encode(image: Image.Image, image_format: str, icc_profile: bytes | None) -> bytes:
    out = io.BytesIO()
    # Only the colour profile survives: it changes how the picture looks, and says nothing
    # about who took it.
    options: dict[str, object] = {"icc_profile": icc_profile} if icc_profile else {}
    if image_format == "JPEG":
        image = image if image.mode in {"RGB", "L", "CMYK"} else image.convert("RGB")
        image.save(out, "JPEG", quality=QUALITY, optimize=True, **options)
    elif image_format == "WEBP":
        image.convert(_web_mode(image)).save(out, "WEBP", quality=QUALITY, **options)
    else:
        image.save(out, "PNG", **options)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    small = image.convert(_web_mode(image))
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    out = io.BytesIO()
    small.save(out, "WEBP", quality=80)
    return out.getvalue()


def _web_mode(image: Image.Image) -> str:
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    return "RGBA" if has_alpha else "RGB"


def _too_large(width: int | None, height: int | None) -> DomainError:
    size = f" ({width}x{height})" if width is not None else ""
    return DomainError(
        f"The image is too large{size}: at most {MAX_SIDE} pixels a side and "
        f"{MAX_PIXELS // 1_000_000} megapixels",
        code=ErrorCode.IMAGE_TOO_LARGE,
        field="file",
    )

"""Files to upload, made in memory: images by Pillow, the rest by hand."""

import io
import zipfile

from PIL import Image


def image(fmt: str = "PNG", size: tuple[int, int] = (640, 480), **save: object) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt in {"PNG", "WEBP"} else "RGB"
    Image.new(mode, size, (200, 30, 60, 255)[: len(mode)]).save(out, fmt, **save)
    return out.getvalue()


def png(size: tuple[int, int] = (640, 480)) -> bytes:
    return image("PNG", size)


def jpeg_with_exif() -> bytes:
    """A JPEG that says where it was taken and with which camera, rotated by its EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "Snoopy Camera Co."  # Make
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    exif[0x8825] = {1: "N", 2: (38.0, 42.0, 0.0)}  # GPS latitude
    return image("JPEG", (400, 200), exif=exif, comment=b"secret comment")


def bomb_png() -> bytes:
    """Tiny on disk, 90 megapixels once decoded."""
    out = io.BytesIO()
    Image.new("1", (10_000, 9_000)).save(out, "PNG")
    return out.getvalue()


def pdf() -> bytes:
    """The smallest well-formed one-page PDF, with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes/readme.txt", "hello")
    return out.getvalue()


def text() -> bytes:
    return "Delivery notes: café, naïve, 日本語.\n".encode()


def random_bytes(size: int = 4096) -> bytes:
    """Bytes of no known type (a fixed pattern that no magic number starts)."""
    return bytes((i * 7 + 3) % 251 for i in range(size))

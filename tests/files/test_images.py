"""Images are decoded and encoded again: no metadata survives, a thumbnail is made."""

import io

from PIL import Image

from models.file import FileStatus, StoredFile
from resolvers import imaging
from schema.relay import decode_id
from tests.factories import make_user
from tests.files import samples


async def _stored(db, file_id: str) -> StoredFile:
    return await db.get(StoredFile, decode_id(file_id)[1])


async def test_an_uploaded_jpeg_loses_its_exif_and_comment(local, services, db, upload_dir):
    user = await make_user(services)

    ready = await local.upload(user, samples.jpeg_with_exif(), content_type="image/jpeg")

    stored = (upload_dir / (await _stored(db, ready["id"])).storage_key).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "comment" not in image.info
    assert b"Snoopy" not in stored


async def test_an_uploaded_jpeg_is_turned_upright_by_its_exif_orientation(local, services):
    user = await make_user(services)

    ready = await local.upload(user, samples.jpeg_with_exif(), content_type="image/jpeg")

    assert (ready["width"], ready["height"]) == (200, 400)


async def test_an_uploaded_webp_stays_webp(local, services, db, upload_dir):
    user = await make_user(services)

    ready = await local.upload(user, samples.image("WEBP"), content_type="image/webp")

    stored = (upload_dir / (await _stored(db, ready["id"])).storage_key).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "WEBP"
    assert ready["contentType"] == "image/webp"


async def test_an_uploaded_image_gets_a_webp_thumbnail_of_at_most_320_pixels(
    local, services, db, upload_dir
):
    user = await make_user(services)

    ready = await local.upload(user, samples.png((1200, 600)), purpose="GIG_IMAGE")

    stored = await _stored(db, ready["id"])
    with Image.open(upload_dir / stored.thumbnail_key) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("WEBP", (320, 160))


async def test_an_uploaded_image_records_size_and_hash_of_the_stored_bytes(
    local, services, db, upload_dir
):
    import hashlib

    user = await make_user(services)

    ready = await local.upload(user, samples.png())

    stored = await _stored(db, ready["id"])
    kept = (upload_dir / stored.storage_key).read_bytes()
    assert (stored.size, stored.sha256) == (len(kept), hashlib.sha256(kept).hexdigest())
    assert ready["size"] == len(kept)


async def test_a_decompression_bomb_is_rejected_before_it_is_decoded(local, services, db):
    user = await make_user(services)
    data = samples.bomb_png()
    created = await local.create_upload(user, size=len(data))

    response = await local.put(created["upload"], data)

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "IMAGE_TOO_LARGE"
    assert (await _stored(db, created["file"]["id"])).status is FileStatus.REJECTED


async def test_an_image_wider_than_the_maximum_side_is_rejected(local, services):
    user = await make_user(services)
    data = samples.png((imaging.MAX_SIDE + 1, 2))
    created = await local.create_upload(user, size=len(data))

    response = await local.put(created["upload"], data)

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"].startswith("The image is too large (10001x2)")


async def test_an_animated_png_is_accepted_as_a_png(local, services):
    user = await make_user(services)
    frames = [Image.new("RGB", (32, 32), color) for color in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])

    ready = await local.upload(user, out.getvalue())

    assert (ready["status"], ready["contentType"]) == ("READY", "image/png")

"""`completeUpload`: S3 uploads are checked after the client PUT them; local ones already were."""

import io

from PIL import Image

from models.file import FileStatus, StoredFile
from resolvers.storage import read, storage_for
from schema.relay import decode_id
from tests.factories import make_user
from tests.files import samples
from tests.files.conftest import COMPLETE_UPLOAD


async def _stored(db, file_id: str) -> StoredFile:
    return await db.get(StoredFile, decode_id(file_id)[1])


async def test_s3_upload_becomes_ready_once_completed(s3, services, db):
    user = await make_user(services)
    data = samples.png((1000, 500))
    created = await s3.create_upload(user, size=len(data), purpose="GIG_IMAGE")
    assert (await s3.put(created["upload"], data)).status_code == 200

    completed = await s3.complete(user, created["file"]["id"])

    assert completed["errors"] == []
    assert completed["file"] | {"url": None, "thumbnailUrl": None, "size": None} == {
        "id": created["file"]["id"],
        "status": "READY",
        "contentType": "image/png",
        "size": None,
        "width": 1000,
        "height": 500,
        "rejectionReason": None,
        "url": None,
        "thumbnailUrl": None,
    }
    stored = await _stored(db, created["file"]["id"])
    thumbnail = await read(storage_for(s3.settings), stored.thumbnail_key)
    with Image.open(io.BytesIO(thumbnail)) as image:
        assert image.size == (320, 160)


async def test_s3_download_url_serves_the_checked_bytes(s3, services, db):
    user = await make_user(services)
    ready = await s3.upload(
        user, samples.pdf(), purpose="DISPUTE_EVIDENCE", content_type="application/pdf"
    )

    response = await s3.get(ready["url"])

    assert ready["url"].startswith(s3.settings.s3_endpoint_url)
    assert "X-Amz-Expires=300" in ready["url"]
    assert (response.status_code, response.content) == (200, samples.pdf())


async def test_s3_upload_of_another_type_than_declared_is_rejected_on_completion(s3, services, db):
    user = await make_user(services)
    data = samples.pdf()
    created = await s3.create_upload(user, size=len(data), content_type="image/png")
    await s3.put(created["upload"], data)

    completed = await s3.complete(user, created["file"]["id"])

    assert completed["errors"] == [
        {
            "field": ["input", "fileId"],
            "code": "FILE_TYPE_MISMATCH",
            "message": "Declared image/png, but the bytes are application/pdf",
        }
    ]
    assert completed["file"]["status"] == "REJECTED"
    stored = await _stored(db, created["file"]["id"])
    assert stored.status is FileStatus.REJECTED
    incoming = [c async for c in _stream_or_nothing(storage_for(s3.settings), stored.storage_key)]
    assert incoming == []


async def test_completing_a_rejected_file_again_says_it_was_rejected(s3, services):
    user = await make_user(services)
    data = samples.pdf()
    created = await s3.create_upload(user, size=len(data), content_type="image/png")
    await s3.put(created["upload"], data)
    await s3.complete(user, created["file"]["id"])

    again = await s3.complete(user, created["file"]["id"])

    assert [error["code"] for error in again["errors"]] == ["FILE_REJECTED"]


async def test_s3_upload_larger_than_declared_is_refused_and_can_be_retried(s3, services, db):
    user = await make_user(services)
    data = samples.png()
    created = await s3.create_upload(user, size=len(data))
    storage = storage_for(s3.settings)
    key = (await _stored(db, created["file"]["id"])).storage_key
    # Real S3 refuses this PUT (the length is signed); a store that does not is still caught.
    await storage.write(key, data + b"extra", content_type="image/png")

    refused = await s3.complete(user, created["file"]["id"])
    await s3.put(created["upload"], data)
    retried = await s3.complete(user, created["file"]["id"])

    assert [error["code"] for error in refused["errors"]] == ["FILE_TOO_LARGE"]
    assert retried["file"]["status"] == "READY"


async def test_completing_before_the_bytes_arrived_leaves_the_file_pending(files, services, db):
    user = await make_user(services)
    created = await files.create_upload(user, size=100)

    completed = await files.complete(user, created["file"]["id"])

    [error] = completed["errors"]
    assert (error["field"], error["code"]) == (["input", "fileId"], "FILE_NOT_UPLOADED")
    assert (await _stored(db, created["file"]["id"])).status is FileStatus.PENDING


async def test_completing_a_ready_file_returns_it_unchanged(files, services, db):
    user = await make_user(services)
    ready = await files.upload(user, samples.png())
    before = await _stored(db, ready["id"])

    completed = await files.complete(user, ready["id"])

    assert (completed["errors"], completed["file"]["status"]) == ([], "READY")
    assert (await _stored(db, ready["id"])).storage_key == before.storage_key


async def test_completing_someone_elses_file_fails_as_if_it_did_not_exist(files, services):
    owner = await make_user(services)
    other = await make_user(services)
    created = await files.create_upload(owner, size=100)

    completed = await files.complete(other, created["file"]["id"])

    assert [error["code"] for error in completed["errors"]] == ["FILE_NOT_FOUND"]


async def test_completing_a_malformed_id_fails_as_if_it_did_not_exist(local, services):
    user = await make_user(services)

    completed = await local.complete(user, "not-an-id")

    assert [error["code"] for error in completed["errors"]] == ["FILE_NOT_FOUND"]


async def test_complete_upload_needs_a_signed_in_user(local):
    result = await local.gql(COMPLETE_UPLOAD, {"id": "x"})

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_s3_incoming_object_is_removed_once_checked(s3, services, db):
    user = await make_user(services)
    data = samples.pdf()
    created = await s3.create_upload(
        user, size=len(data), purpose="DELIVERY", content_type="application/pdf"
    )
    incoming = (await _stored(db, created["file"]["id"])).storage_key
    await s3.put(created["upload"], data)

    await s3.complete(user, created["file"]["id"])

    objects = [chunk async for chunk in _stream_or_nothing(storage_for(s3.settings), incoming)]
    assert objects == []


async def test_a_put_after_completion_does_not_change_what_is_served(s3, services):
    user = await make_user(services)
    data = samples.pdf()
    created = await s3.create_upload(
        user, size=len(data), purpose="DELIVERY", content_type="application/pdf"
    )
    await s3.put(created["upload"], data)
    await s3.complete(user, created["file"]["id"])

    # The presigned PUT stays valid for minutes: it only ever reaches the unserved incoming key.
    await s3.put(created["upload"], b"<script>" + b" " * (len(data) - 8))

    served = await s3.get((await s3.file(created["file"]["id"], user=user))["url"])
    assert served.content == data


async def _stream_or_nothing(storage, key):
    from resolvers.storage import BlobMissing

    try:
        async for chunk in storage.stream(key):
            yield chunk
    except BlobMissing:
        return

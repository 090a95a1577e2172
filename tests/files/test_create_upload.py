import pytest
from sqlalchemy import func, select

from models.file import StoredFile
from tests.factories import make_user
from tests.files.conftest import CREATE_UPLOAD

MB = 1024 * 1024


def _input(**overrides):
    return {
        "input": {
            "filename": "me.png",
            "contentType": "image/png",
            "size": 1000,
            "purpose": "AVATAR",
            **overrides,
        }
    }


async def test_create_upload_declares_a_pending_file_and_returns_where_to_put_it(local, services):
    user = await make_user(services)

    payload = (await local.gql(CREATE_UPLOAD, _input(), user=user))["data"]["createUpload"]

    assert payload["errors"] == []
    assert payload["file"] | {"id": None} == {
        "id": None,
        "status": "PENDING",
        "filename": "me.png",
        "contentType": "image/png",
        "size": 1000,
        "purpose": "AVATAR",
    }
    upload = payload["upload"]
    assert upload["method"] == "PUT"
    assert upload["url"].startswith(f"{local.settings.public_url}/files/upload/")
    assert upload["headers"] == [{"name": "Content-Type", "value": "image/png"}]


async def test_create_upload_on_s3_presigns_a_put_of_the_declared_type_and_length(s3, services):
    user = await make_user(services)

    payload = (await s3.gql(CREATE_UPLOAD, _input(), user=user))["data"]["createUpload"]

    url = payload["upload"]["url"]
    assert url.startswith(f"{s3.settings.s3_endpoint_url}/gigstream-test-files/incoming/")
    assert "X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost" in url
    assert "X-Amz-Expires=900" in url


async def test_create_upload_keeps_only_the_last_segment_of_a_path_as_filename(local, services):
    user = await make_user(services)

    payload = (
        await local.gql(CREATE_UPLOAD, _input(filename="C:\\Users\\eve\\..\\me.png"), user=user)
    )["data"]["createUpload"]

    assert payload["file"]["filename"] == "me.png"


async def test_create_upload_accepts_common_aliases_of_a_content_type(local, services):
    user = await make_user(services)

    payload = (await local.gql(CREATE_UPLOAD, _input(contentType="Image/JPG; q=1"), user=user))[
        "data"
    ]["createUpload"]

    assert payload["file"]["contentType"] == "image/jpeg"


@pytest.mark.parametrize(
    ("purpose", "cap"),
    [
        ("AVATAR", 5 * MB),
        ("GIG_IMAGE", 10 * MB),
        ("DELIVERY", 100 * MB),
        ("DISPUTE_EVIDENCE", 20 * MB),
        ("MESSAGE_ATTACHMENT", 25 * MB),
    ],
)
async def test_create_upload_refuses_a_size_over_the_purpose_cap(local, services, db, purpose, cap):
    user = await make_user(services)

    at_cap = await local.gql(CREATE_UPLOAD, _input(purpose=purpose, size=cap), user=user)
    over = await local.gql(CREATE_UPLOAD, _input(purpose=purpose, size=cap + 1), user=user)

    assert at_cap["data"]["createUpload"]["errors"] == []
    [error] = over["data"]["createUpload"]["errors"]
    assert (error["field"], error["code"]) == (["input", "size"], "FILE_TOO_LARGE")
    assert await db.scalar(select(func.count()).select_from(StoredFile)) == 1


@pytest.mark.parametrize("size", [0, -1])
async def test_create_upload_refuses_an_empty_file(local, services, db, size):
    user = await make_user(services)

    result = await local.gql(CREATE_UPLOAD, _input(size=size), user=user)

    [error] = result["data"]["createUpload"]["errors"]
    assert (error["field"], error["code"]) == (["input", "size"], "FILE_EMPTY")
    assert await db.scalar(select(func.count()).select_from(StoredFile)) == 0


@pytest.mark.parametrize(
    ("purpose", "content_type"),
    [
        ("AVATAR", "image/svg+xml"),
        ("AVATAR", "application/pdf"),
        ("GIG_IMAGE", "image/gif"),
        ("DELIVERY", "application/x-msdownload"),
        ("DELIVERY", "application/msword"),
        ("DISPUTE_EVIDENCE", "application/zip"),
        ("MESSAGE_ATTACHMENT", "text/html"),
        ("MESSAGE_ATTACHMENT", ""),
    ],
)
async def test_create_upload_refuses_a_content_type_the_purpose_does_not_take(
    local, services, db, purpose, content_type
):
    user = await make_user(services)

    result = await local.gql(
        CREATE_UPLOAD, _input(purpose=purpose, contentType=content_type), user=user
    )

    [error] = result["data"]["createUpload"]["errors"]
    assert (error["field"], error["code"]) == (["input", "contentType"], "UNSUPPORTED_CONTENT_TYPE")
    assert await db.scalar(select(func.count()).select_from(StoredFile)) == 0


@pytest.mark.parametrize(("filename", "code"), [("   ", "REQUIRED"), ("a/", "REQUIRED")])
async def test_create_upload_refuses_a_blank_filename(local, services, filename, code):
    user = await make_user(services)

    result = await local.gql(CREATE_UPLOAD, _input(filename=filename), user=user)

    [error] = result["data"]["createUpload"]["errors"]
    assert (error["field"], error["code"]) == (["input", "filename"], code)


async def test_create_upload_refuses_a_filename_over_255_characters(local, services):
    user = await make_user(services)

    result = await local.gql(CREATE_UPLOAD, _input(filename="x" * 252 + ".png"), user=user)

    [error] = result["data"]["createUpload"]["errors"]
    assert (error["field"], error["code"]) == (["input", "filename"], "TOO_LONG")


async def test_create_upload_needs_a_signed_in_user(local):
    result = await local.gql(CREATE_UPLOAD, _input())

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

"""The storages on their own: local paths and links, and an S3 bucket (moto)."""

import pytest

from models.settings import Settings, SettingsError, load_settings
from resolvers.storage import (
    BlobMissing,
    LinkError,
    LocalStorage,
    S3Storage,
    content_disposition,
    read,
    storage_for,
)
from tests.files.conftest import BUCKET


@pytest.fixture
def local_storage(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path, "http://files.test", "s" * 40)


@pytest.mark.parametrize("key", ["../etc/passwd", "/etc/passwd", "files/../../x", "a/./../b", ""])
def test_local_storage_refuses_keys_that_leave_its_directory(local_storage, key):
    with pytest.raises(ValueError, match="unsafe storage key"):
        local_storage.path(key)


async def test_local_storage_reads_back_what_it_wrote(local_storage):
    await local_storage.write("files/a/b", b"hello", content_type="text/plain")

    assert await read(local_storage, "files/a/b") == b"hello"


async def test_local_storage_delete_forgets_a_key_and_ignores_a_missing_one(local_storage):
    await local_storage.write("files/a", b"x", content_type="text/plain")

    await local_storage.delete("files/a")
    await local_storage.delete("files/a")

    with pytest.raises(BlobMissing):
        await read(local_storage, "files/a")


async def test_a_local_link_signed_with_another_secret_is_refused(local_storage, tmp_path):
    other = LocalStorage(tmp_path, "http://files.test", "t" * 40)
    url = await other.upload_url("incoming/x", content_type="image/png", size=1, expires=60)

    with pytest.raises(LinkError, match="The link is not valid"):
        local_storage.verify(url.rsplit("/", 1)[-1], action="put")


async def test_a_local_link_is_bound_to_its_key_and_action(local_storage):
    url = await local_storage.download_url(
        "files/x", expires=60, filename="a.pdf", content_type="application/pdf", inline=False
    )

    link = local_storage.verify(url.rsplit("/", 1)[-1], action="get")

    assert (link.key, link.action, link.filename) == ("files/x", "get", "a.pdf")


def test_content_disposition_keeps_a_unicode_filename_and_escapes_quotes():
    value = content_disposition('résumé "final".pdf', inline=False)

    assert value == (
        'attachment; filename="rsum final.pdf"; '
        "filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf"
    )


async def test_s3_storage_reads_back_what_it_wrote_and_deletes_it(moto_endpoint):
    storage = S3Storage(BUCKET, endpoint_url=moto_endpoint, region="us-east-1")

    await storage.write("files/s3-roundtrip", b"payload", content_type="text/plain")
    assert await read(storage, "files/s3-roundtrip") == b"payload"
    await storage.delete("files/s3-roundtrip")

    with pytest.raises(BlobMissing):
        await read(storage, "files/s3-roundtrip")


def test_storage_for_builds_the_configured_backend_once(settings, tmp_path):
    local = settings.model_copy(update={"upload_dir": tmp_path})
    s3 = settings.model_copy(update={"storage_backend": "s3", "s3_bucket": BUCKET})

    assert isinstance(storage_for(local), LocalStorage)
    assert storage_for(local) is storage_for(local)
    assert isinstance(storage_for(s3), S3Storage)


def test_s3_backend_without_a_bucket_refuses_to_start(monkeypatch):
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.delenv("S3_BUCKET", raising=False)

    with pytest.raises(SettingsError, match="STORAGE_BACKEND=s3 needs S3_BUCKET"):
        load_settings(jwt_secret="s" * 40)


def test_file_settings_default_to_local_storage_under_var(monkeypatch):
    for name in ("STORAGE_BACKEND", "UPLOAD_DIR", "UPLOAD_URL_TTL_SECONDS"):
        monkeypatch.delenv(name, raising=False)

    defaults = Settings(jwt_secret="s" * 40)

    assert (defaults.storage_backend, defaults.upload_dir.parts[-2:]) == (
        "local",
        ("var", "uploads"),
    )
    assert (defaults.upload_url_ttl_seconds, defaults.download_url_ttl_seconds) == (900, 300)

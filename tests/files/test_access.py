"""Who may read a file, and the URLs that serve it."""

import pytest

from models.file import FilePurpose, StoredFile
from models.user import UserRole
from resolvers import files as files_module
from resolvers.storage import LocalStorage
from schema.relay import decode_id
from tests.factories import make_user
from tests.files import samples


async def _delivery(files, owner):
    return await files.upload(
        owner, samples.pdf(), purpose="DELIVERY", content_type="application/pdf", filename="w.pdf"
    )


async def test_a_ready_avatar_has_a_stable_public_url_anyone_can_open(files, services):
    owner = await make_user(services)
    data = samples.png()
    ready = await files.upload(owner, data)

    as_anonymous = await files.file(ready["id"])
    response = await files.get(as_anonymous["url"])

    assert as_anonymous["url"] == (await files.file(ready["id"]))["url"]
    assert "/files/public/" in as_anonymous["url"]
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"


async def test_a_ready_gig_image_thumbnail_is_public(files, services):
    owner = await make_user(services)
    ready = await files.upload(owner, samples.png((800, 800)), purpose="GIG_IMAGE")

    response = await files.get((await files.file(ready["id"]))["thumbnailUrl"])

    assert response.status_code == 200
    assert response.content[:4] == b"RIFF"


async def test_the_owner_downloads_a_private_file_through_a_signed_url(files, services):
    owner = await make_user(services)
    ready = await _delivery(files, owner)

    response = await files.get(ready["url"])

    assert response.status_code == 200
    assert response.content == samples.pdf()
    assert "attachment" in response.headers["content-disposition"]
    assert 'filename="w.pdf"' in response.headers["content-disposition"]


async def test_a_private_file_is_invisible_to_other_users_and_anonymous(files, services):
    owner = await make_user(services)
    stranger = await make_user(services)
    ready = await _delivery(files, owner)

    assert await files.file(ready["id"], user=stranger) is None
    assert await files.file(ready["id"]) is None


async def test_admins_may_read_a_private_file(files, services):
    owner = await make_user(services)
    admin = await make_user(services, role=UserRole.ADMIN)
    ready = await _delivery(files, owner)

    seen = await files.file(ready["id"], user=admin)

    assert (await files.get(seen["url"])).content == samples.pdf()


async def test_a_pending_avatar_is_only_visible_to_its_owner_and_has_no_url(local, services):
    owner = await make_user(services)
    created = await local.create_upload(owner, size=100)

    as_owner = await local.file(created["file"]["id"], user=owner)

    assert (as_owner["status"], as_owner["url"], as_owner["thumbnailUrl"]) == (
        "PENDING",
        None,
        None,
    )
    assert await local.file(created["file"]["id"]) is None


async def test_a_rejected_file_tells_its_owner_why(local, services):
    owner = await make_user(services)
    data = samples.pdf()
    created = await local.create_upload(owner, size=len(data))
    await local.put(created["upload"], data)

    as_owner = await local.file(created["file"]["id"], user=owner)

    assert as_owner["status"] == "REJECTED"
    assert as_owner["rejectionReason"] == "Declared image/png, but the bytes are application/pdf"
    assert as_owner["url"] is None


async def test_the_file_query_finds_what_node_finds(local, services):
    owner = await make_user(services)
    ready = await _delivery(local, owner)

    result = await local.gql(
        "query($id: ID!) { file(id: $id) { id status } }", {"id": ready["id"]}, user=owner
    )

    assert result["data"]["file"] == {"id": ready["id"], "status": "READY"}


@pytest.mark.parametrize(
    "bad_id", ["", "nope", "VXNlcjowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA="]
)
async def test_the_file_query_returns_null_for_ids_that_name_no_file(local, bad_id):
    result = await local.gql("query($id: ID!) { file(id: $id) { id } }", {"id": bad_id})

    assert result["data"]["file"] is None


async def test_a_private_file_is_not_served_at_a_public_url(local, services):
    owner = await make_user(services)
    ready = await _delivery(local, owner)

    response = await local.http.get(f"/files/public/{decode_id(ready['id'])[1]}")

    assert response.status_code == 404


async def test_a_download_link_after_expiry_is_refused_with_403(local, services, db):
    owner = await make_user(services)
    ready = await _delivery(local, owner)
    stored = await db.get(StoredFile, decode_id(ready["id"])[1])
    past = LocalStorage(
        local.settings.upload_dir,
        local.settings.public_url,
        local.settings.secret,
        clock=lambda: 1_000_000_000,
    )
    expired = await past.download_url(
        stored.storage_key,
        expires=60,
        filename="w.pdf",
        content_type="application/pdf",
        inline=False,
    )

    response = await local.get(expired)

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "TOKEN_EXPIRED"


async def test_an_upload_link_does_not_download(local, services):
    owner = await make_user(services)
    created = await local.create_upload(owner, size=100)
    token = created["upload"]["url"].rsplit("/", 1)[-1]

    response = await local.http.get(f"/files/{token}")

    assert response.status_code == 403
    assert response.json()["errors"][0]["message"] == "This link is for uploading"


async def test_served_files_cannot_be_sniffed_or_run_as_pages(local, services):
    owner = await make_user(services)
    ready = await local.upload(
        owner,
        b"<html><script>alert(1)</script></html>\n",
        purpose="DELIVERY",
        content_type="text/plain",
        filename="x.html",
    )

    response = await local.get(ready["url"])

    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["content-disposition"].startswith("attachment")


async def test_a_share_rule_lets_more_viewers_read_files_of_its_purpose(
    local, services, monkeypatch
):
    owner = await make_user(services)
    friend = await make_user(services)
    stranger = await make_user(services)
    monkeypatch.setitem(files_module.SHARE_RULES, FilePurpose.MESSAGE_ATTACHMENT, [])

    @files_module.share_rule(FilePurpose.MESSAGE_ATTACHMENT)
    async def friends_only(ctx, file, viewer):
        return viewer.id == friend.id

    ready = await local.upload(
        owner, samples.pdf(), purpose="MESSAGE_ATTACHMENT", content_type="application/pdf"
    )

    seen = await local.file(ready["id"], user=friend)
    assert (await local.get(seen["url"])).content == samples.pdf()
    assert await local.file(ready["id"], user=stranger) is None

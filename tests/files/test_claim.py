"""`claim_ready_files`: how other domains attach files (deliveries, messages, gigs, profiles)."""

import uuid

import pytest

from models.errors import DomainError, ErrorCode
from models.file import FilePurpose, FileStatus, StoredFile
from resolvers.context import Context
from resolvers.files import claim_ready_files
from tests.factories import make_user


async def _file(services, owner, *, purpose=FilePurpose.DELIVERY, status=FileStatus.READY):
    file_id = uuid.uuid4()
    file = StoredFile(
        id=file_id,
        owner_id=owner.id,
        purpose=purpose,
        status=status,
        filename="work.pdf",
        declared_content_type="application/pdf",
        declared_size=10,
        storage_key=f"files/{file_id}/x",
    )
    async with services.sessions() as session:
        session.add(file)
        await session.commit()
    return file


async def _claim(services, viewer, file_ids, purpose=FilePurpose.DELIVERY):
    ctx = Context(services)
    ctx.authenticate(viewer.id)
    try:
        return await claim_ready_files(ctx, file_ids=file_ids, purpose=purpose, field="fileIds")
    finally:
        await ctx.close()


async def test_claim_returns_the_viewers_ready_files_in_the_order_given(services):
    owner = await make_user(services)
    first, second = await _file(services, owner), await _file(services, owner)

    claimed = await _claim(services, owner, [second.id, first.id, second.id])

    assert [file.id for file in claimed] == [second.id, first.id]


async def test_claim_refuses_someone_elses_file_as_if_it_did_not_exist(services):
    owner = await make_user(services)
    thief = await make_user(services)
    theirs = await _file(services, owner)

    with pytest.raises(DomainError) as stolen:
        await _claim(services, thief, [theirs.id])
    with pytest.raises(DomainError) as missing:
        await _claim(services, thief, [uuid.uuid4()])

    assert (stolen.value.code, stolen.value.message) == (missing.value.code, missing.value.message)
    assert stolen.value.code is ErrorCode.FILE_NOT_FOUND


async def test_claim_refuses_a_pending_file(services):
    owner = await make_user(services)
    pending = await _file(services, owner, status=FileStatus.PENDING)

    with pytest.raises(DomainError) as refused:
        await _claim(services, owner, [pending.id])

    assert refused.value.code is ErrorCode.FILE_NOT_READY


async def test_claim_refuses_a_rejected_file(services):
    owner = await make_user(services)
    rejected = await _file(services, owner, status=FileStatus.REJECTED)

    with pytest.raises(DomainError) as refused:
        await _claim(services, owner, [rejected.id])

    assert refused.value.code is ErrorCode.FILE_NOT_READY


async def test_claim_refuses_a_file_uploaded_for_another_purpose(services):
    owner = await make_user(services)
    avatar = await _file(services, owner, purpose=FilePurpose.AVATAR)

    with pytest.raises(DomainError) as refused:
        await _claim(services, owner, [avatar.id], FilePurpose.DELIVERY)

    assert refused.value.code is ErrorCode.FILE_WRONG_PURPOSE


async def test_claim_errors_name_the_position_of_the_file_at_fault(services):
    owner = await make_user(services)
    good = await _file(services, owner)

    with pytest.raises(DomainError) as refused:
        await _claim(services, owner, [good.id, good.id, uuid.uuid4()])

    assert refused.value.field == "fileIds.2"

"""Gig images: uploaded GIG_IMAGE files, shown in the order their owner set."""

import pytest
from sqlalchemy import func, select

from models.catalog import Gig, GigImage
from models.file import FilePurpose, FileStatus
from models.user import UserRole
from schema.relay import encode_id
from tests.catalog.test_gigs import CREATE, service_input
from tests.factories import make_category, make_file, make_user, token_for

UPDATE = """
mutation($input: UpdateGigInput!) {
  updateGig(input: $input) { gig { images { id } } errors { field code } }
}"""


@pytest.fixture
async def seller(services):
    await make_category(services, slug="logo-design")
    return await make_user(services, role=UserRole.FREELANCER)


def ids(files):
    return [encode_id("File", file.id) for file in files]


async def test_a_gig_shows_its_images_in_the_order_given(gql, services, seller):
    files = [await make_file(services, owner=seller) for _ in range(3)]
    order = [files[2], files[0], files[1]]

    result = await gql(
        CREATE, {"input": service_input(imageIds=ids(order))}, token=token_for(services, seller)
    )
    gig_id = result["data"]["createGig"]["gig"]["id"]
    shown = await gql(
        "query($id: ID!) { gig(id: $id) { images { id url } } }",
        {"id": gig_id},
        token=token_for(services, seller),
    )

    assert [image["id"] for image in shown["data"]["gig"]["images"]] == ids(order)
    assert all(image["url"] for image in shown["data"]["gig"]["images"])


async def test_updating_images_replaces_them_and_null_removes_them(gql, services, seller):
    token = token_for(services, seller)
    first, second = [await make_file(services, owner=seller) for _ in range(2)]
    created = await gql(CREATE, {"input": service_input(imageIds=ids([first]))}, token=token)
    gig_id = created["data"]["createGig"]["gig"]["id"]

    replaced = await gql(
        UPDATE, {"input": {"gigId": gig_id, "imageIds": ids([second])}}, token=token
    )
    removed = await gql(UPDATE, {"input": {"gigId": gig_id, "imageIds": None}}, token=token)

    assert replaced["data"]["updateGig"]["gig"]["images"] == [{"id": ids([second])[0]}]
    assert removed["data"]["updateGig"]["gig"]["images"] == []


@pytest.mark.parametrize(
    ("make", "code"),
    [
        ("pending", "FILE_NOT_READY"),
        ("avatar", "FILE_WRONG_PURPOSE"),
        ("someone-elses", "FILE_NOT_FOUND"),
        ("malformed", "FILE_NOT_FOUND"),
    ],
)
async def test_images_that_are_not_ready_gig_images_of_yours_are_refused(
    gql, services, db, seller, make, code
):
    other = await make_user(services, role=UserRole.FREELANCER)
    good = await make_file(services, owner=seller)
    bad = {
        "pending": lambda: make_file(services, owner=seller, status=FileStatus.PENDING),
        "avatar": lambda: make_file(services, owner=seller, purpose=FilePurpose.AVATAR),
        "someone-elses": lambda: make_file(services, owner=other),
    }
    bad_id = "nope" if make == "malformed" else ids([await bad[make]()])[0]

    result = await gql(
        CREATE,
        {"input": service_input(imageIds=[ids([good])[0], bad_id])},
        token=token_for(services, seller),
    )

    errors = result["data"]["createGig"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "imageIds", "1"], code)]
    assert await db.scalar(select(func.count()).select_from(Gig)) == 0
    assert await db.scalar(select(func.count()).select_from(GigImage)) == 0


async def test_more_than_ten_images_are_refused(gql, services, seller):
    files = [await make_file(services, owner=seller) for _ in range(11)]

    result = await gql(
        CREATE, {"input": service_input(imageIds=ids(files))}, token=token_for(services, seller)
    )

    assert [(e["field"], e["code"]) for e in result["data"]["createGig"]["errors"]] == [
        (["input", "imageIds"], "OUT_OF_RANGE")
    ]

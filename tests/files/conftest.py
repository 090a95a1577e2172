"""The app on local storage and on S3 (an in-process moto server), and a client for both."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from models.settings import Settings
from models.user import User
from resolvers.context import Services
from server import create_app
from tests.e2e.harness import free_port
from tests.factories import token_for

BUCKET = "gigstream-test-files"

CREATE_UPLOAD = """
mutation($input: CreateUploadInput!) {
  createUpload(input: $input) {
    file { id status filename contentType size purpose }
    upload { url method headers { name value } expiresAt }
    errors { field code message }
  }
}"""
COMPLETE_UPLOAD = """
mutation($id: ID!) {
  completeUpload(input: {fileId: $id}) {
    file { id status contentType size width height rejectionReason url thumbnailUrl }
    errors { field code message }
  }
}"""
FILE = """
query($id: ID!) {
  node(id: $id) {
    id
    ... on File {
      filename status contentType size purpose width height rejectionReason url thumbnailUrl
    }
  }
}"""


@asynccontextmanager
async def _serving(settings: Settings) -> AsyncIterator[Starlette]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """An S3-compatible server on a free loopback port, with the test bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    env = pytest.MonkeyPatch()
    # boto reads its credentials from the standard variables, as it does in production.
    env.setenv("AWS_ACCESS_KEY_ID", "testing")
    env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()
    env.undo()


@pytest.fixture(scope="session")
def upload_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(scope="session")
async def local_app(settings: Settings, upload_dir: Path) -> AsyncIterator[Starlette]:
    async with _serving(settings.model_copy(update={"upload_dir": upload_dir})) as app:
        yield app


@pytest.fixture(scope="session")
async def s3_app(settings: Settings, moto_endpoint: str) -> AsyncIterator[Starlette]:
    s3_settings = settings.model_copy(
        update={
            "storage_backend": "s3",
            "s3_bucket": BUCKET,
            "s3_endpoint_url": moto_endpoint,
            "s3_region": "us-east-1",
        }
    )
    async with _serving(s3_settings) as app:
        yield app


class FilesApi:
    """Speaks to one app as a client does: GraphQL, then the upload and download URLs."""

    def __init__(self, app: Starlette, http: httpx.AsyncClient) -> None:
        self.app = app
        self.http = http
        self.services: Services = app.state.services
        self.settings = self.services.settings
        self.backend = self.settings.storage_backend

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, user: User | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token_for(self.services, user)}"} if user else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def create_upload(
        self,
        user: User | None,
        *,
        size: int,
        purpose: str = "AVATAR",
        content_type: str = "image/png",
        filename: str = "picture.png",
    ) -> dict[str, Any]:
        variables = {
            "input": {
                "filename": filename,
                "contentType": content_type,
                "size": size,
                "purpose": purpose,
            }
        }
        result = await self.gql(CREATE_UPLOAD, variables, user=user)
        assert "errors" not in result, result
        return result["data"]["createUpload"]

    async def put(
        self, upload: dict[str, Any], data: bytes, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """PUT bytes to an upload URL as the client was told to."""
        told = {header["name"]: header["value"] for header in upload["headers"]}
        return await self.request(
            "PUT", upload["url"], content=data, headers=told | (headers or {})
        )

    async def complete(self, user: User, file_id: str) -> dict[str, Any]:
        result = await self.gql(COMPLETE_UPLOAD, {"id": file_id}, user=user)
        assert "errors" not in result, result
        return result["data"]["completeUpload"]

    async def upload(
        self,
        user: User,
        data: bytes,
        *,
        purpose: str = "AVATAR",
        content_type: str = "image/png",
        filename: str = "picture.png",
    ) -> dict[str, Any]:
        """Create, PUT and (on S3) complete an upload; return the file as its owner sees it."""
        created = await self.create_upload(
            user, size=len(data), purpose=purpose, content_type=content_type, filename=filename
        )
        assert created["errors"] == [], created["errors"]
        response = await self.put(created["upload"], data)
        assert response.status_code == 200, response.text
        file_id = created["file"]["id"]
        if self.backend == "s3":
            completed = await self.complete(user, file_id)
            assert completed["errors"] == [], completed["errors"]
        return await self.file(file_id, user=user)

    async def file(self, file_id: str, *, user: User | None = None) -> dict[str, Any]:
        return (await self.gql(FILE, {"id": file_id}, user=user))["data"]["node"]

    async def get(self, url: str) -> httpx.Response:
        """GET a URL we handed out, following a redirect to object storage."""
        response = await self.request("GET", url)
        if response.status_code in {302, 303, 307}:
            return await self.request("GET", response.headers["location"])
        return response

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        if url.startswith(self.settings.public_url):
            parts = urlsplit(url)
            return await self.http.request(method, parts.path, **kwargs)
        async with httpx.AsyncClient() as outside:
            return await outside.request(method, url, **kwargs)


@asynccontextmanager
async def _client(app: Starlette) -> AsyncIterator[FilesApi]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield FilesApi(app, http)


@pytest.fixture
async def local(local_app: Starlette, services: Services) -> AsyncIterator[FilesApi]:
    """Local storage; `services` empties the tables after the test."""
    async with _client(local_app) as api:
        yield api


@pytest.fixture
async def s3(s3_app: Starlette, services: Services) -> AsyncIterator[FilesApi]:
    async with _client(s3_app) as api:
        yield api


@pytest.fixture(params=["local", "s3"])
def files(request: pytest.FixtureRequest) -> FilesApi:
    """Each storage in turn."""
    return request.getfixturevalue(request.param)

"""A document once valid runs prepared (schema/prepared.py), and answers as the first time."""

from typing import Any

import httpx
import pytest
import strawberry

from schema import build_schema
from schema.prepared import SINGLE_RESULT
from schema.view import GraphQLView
from tests.factories import make_user, token_for

VIEWER = "{ viewer { id name } }"
TWO_OPERATIONS = "query Mine { viewer { id } } query Typename { __typename }"
UPDATE = """
mutation($input: UpdateProfileInput!) {
  updateProfile(input: $input) { user { name } errors { field code message } }
}
"""
USER = "query($id: ID!) { user(id: $id) { id } }"
NOBODY = "VXNlcjowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA="


def _without_error_ids(body: dict[str, Any]) -> dict[str, Any]:
    for error in body.get("errors", ()):
        error.get("extensions", {}).pop("errorId", None)
    return body


async def _twice(client: httpx.AsyncClient, **request: Any) -> list[tuple[int, str, Any]]:
    answers = []
    for _ in range(2):
        response = await client.post("/graphql", **request)
        kind = response.headers["content-type"]
        body = _without_error_ids(response.json()) if "json" in kind else response.text
        answers.append((response.status_code, kind, body))
    return answers


@pytest.fixture
def prepared_only(monkeypatch):
    """From now on a request that strawberry's view or pipeline handles fails the test."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        pytest.fail("strawberry's view or pipeline ran a document that was prepared")

    def arm() -> None:
        monkeypatch.setattr(strawberry.Schema, "execute", refuse)
        monkeypatch.setattr(GraphQLView, "run", refuse)

    return arm


async def test_a_valid_document_runs_prepared_the_second_time(client, services, prepared_only):
    token = token_for(services, await make_user(services, name="Ada"))
    headers = {"authorization": f"Bearer {token}"}
    first = await client.post("/graphql", json={"query": VIEWER}, headers=headers)
    prepared_only()

    again = await client.post("/graphql", json={"query": VIEWER}, headers=headers)

    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    assert again.json()["data"]["viewer"]["name"] == "Ada"


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param({"json": {"query": VIEWER}}, id="a query, anonymous"),
        pytest.param(
            {"json": {"query": TWO_OPERATIONS, "operationName": "Typename"}},
            id="the operation named",
        ),
        pytest.param(
            {"json": {"query": TWO_OPERATIONS, "operationName": "Nope"}},
            id="an operation name that picks none",
        ),
        pytest.param({"json": {"query": TWO_OPERATIONS}}, id="two operations and no name"),
        pytest.param(
            {"json": {"query": UPDATE, "variables": {"input": {"name": "x"}}}},
            id="a field that needs a viewer",
        ),
        pytest.param(
            {"json": {"query": USER, "variables": {"id": {"x": 1}}}},
            id="a variable of the wrong type",
        ),
        pytest.param(
            {
                "json": {"query": USER, "variables": {"id": {"x": 1}}},
                "headers": {"accept": "application/graphql-response+json"},
            },
            id="a request error as graphql-response+json",
        ),
        pytest.param({"json": {"query": "{ nope }"}}, id="an invalid document"),
    ],
)
async def test_the_second_answer_is_the_first(client, request_):
    first, again = await _twice(client, **request_)

    assert again == first


async def test_a_payload_error_is_the_same_prepared(client, services):
    token = token_for(services, await make_user(services))
    too_long = {"input": {"name": "x" * 500}}

    first, again = await _twice(
        client,
        json={"query": UPDATE, "variables": too_long},
        headers={"authorization": f"Bearer {token}"},
    )

    assert again == first
    [error] = again[2]["data"]["updateProfile"]["errors"]
    assert error["field"] == ["input", "name"]


async def test_an_unexpected_error_is_masked_and_logged_prepared(
    client, monkeypatch, caplog, prepared_only
):
    from resolvers import users

    request = {"json": {"query": USER, "variables": {"id": NOBODY}}}
    assert (await client.post("/graphql", **request)).json() == {"data": {"user": None}}
    prepared_only()

    async def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(users, "visible_user", broken)
    response = await client.post("/graphql", **request)

    [error] = response.json()["errors"]
    assert error["message"] == "Internal server error"
    assert "secret" not in response.text
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert any(
        getattr(record, "error_id", None) == error["extensions"]["errorId"]
        for record in caplog.records
    )


async def test_a_prepared_mutation_is_still_refused_over_get(client):
    logout = 'mutation { logout(input: {refreshToken: "x"}) { ok } }'
    await client.post("/graphql", json={"query": logout})

    response = await client.get("/graphql", params={"query": logout})

    assert response.status_code == 405


async def test_only_a_valid_document_is_prepared(settings):
    schema = build_schema(settings)

    await schema.execute("{ nope }")
    await schema.execute("{ __typename }")

    assert schema.prepared.get("{ nope }", None, SINGLE_RESULT) is None
    assert schema.prepared.get("{ __typename }", None, SINGLE_RESULT) is not None


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param({"method": "GET", "params": {"query": VIEWER}}, id="a GET"),
        pytest.param(
            {"content": VIEWER, "headers": {"content-type": "application/graphql"}},
            id="another content type",
        ),
        pytest.param(
            {"json": {"query": VIEWER}, "headers": {"accept": "multipart/mixed"}},
            id="a streaming accept",
        ),
        pytest.param({"json": [{"query": VIEWER}]}, id="a batch"),
        pytest.param({"json": {"query": VIEWER, "variables": [1]}}, id="variables not an object"),
        pytest.param({"json": {"query": VIEWER, "extensions": "x"}}, id="extensions not an object"),
    ],
)
async def test_anything_but_a_plain_json_post_is_strawberrys_to_answer(
    client, monkeypatch, request_
):
    request_ = {"method": "POST", "url": "/graphql", **request_}
    before = await client.request(**request_)
    await client.post("/graphql", json={"query": VIEWER})  # now prepared
    views = []
    run = GraphQLView.run

    async def counting(self: GraphQLView, *args: Any, **kwargs: Any) -> Any:
        views.append(args)
        return await run(self, *args, **kwargs)

    monkeypatch.setattr(GraphQLView, "run", counting)
    after = await client.request(**request_)

    assert len(views) == 1
    assert (after.status_code, after.headers["content-type"], after.text) == (
        before.status_code,
        before.headers["content-type"],
        before.text,
    )


def test_every_extension_of_the_schema_is_one_a_prepared_document_may_skip(settings):
    # A prepared document skips the extensions: each of these parses, validates (both done
    # once, before the document was prepared) or masks errors (which `prepared.run` does). An
    # extension that does anything else must be accounted for in schema/prepared.py first.
    schema = build_schema(settings)

    assert {type(extension).__name__ for extension in schema.get_extensions()} == {
        "MaskUnexpectedErrors",
        "AddValidationRules",
        "MaxTokensLimiter",
        "ParserCache",
        "ValidationCache",
        "RememberValidDocuments",
    }


async def test_a_subscription_over_a_plain_post_is_refused_with_a_reason(client, caplog):
    subscription = {"json": {"query": "subscription { notificationAdded { id } }"}}

    first, again = await _twice(client, **subscription)

    assert again == first
    assert first[0] == 405
    assert "subscriptions are not allowed" in first[2]
    assert not [record for record in caplog.records if record.levelname == "ERROR"]

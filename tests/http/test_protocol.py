"""GraphQL over HTTP: every malformed request gets a 4xx with a reason, never a 500."""

import json

import pytest

from models.settings import Settings

VIEWER = "{ viewer { id } }"


@pytest.mark.parametrize(
    ("content", "status", "reason"),
    [
        (b"{not json", 400, "Unable to parse request body as JSON"),
        (b'"a string"', 400, "must be a JSON object"),
        (b"42", 400, "must be a JSON object"),
        (b"{}", 400, "No GraphQL query found in the request"),
        (b'{"query": 42}', 400, "must be a string"),
        (b'{"query": "{ viewer { id } }", "variables": [1]}', 400, "must be an object"),
    ],
)
async def test_malformed_bodies_are_400_with_a_reason(client, content, status, reason):
    response = await client.post(
        "/graphql", content=content, headers={"content-type": "application/json"}
    )

    assert response.status_code == status
    assert reason in response.text


async def test_an_unsupported_content_type_is_refused(client):
    response = await client.post(
        "/graphql", content=b"query", headers={"content-type": "text/plain"}
    )

    assert response.status_code == 400


async def test_a_body_over_the_limit_is_413(client, settings: Settings):
    padding = "x" * (settings.max_body_bytes + 1)

    response = await client.post("/graphql", json={"query": VIEWER, "variables": {"p": padding}})

    assert response.status_code == 413
    assert "larger than" in response.json()["errors"][0]["message"]


async def test_a_streamed_body_over_the_limit_is_413(client, settings: Settings):
    async def chunks():
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536

    response = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413


async def test_a_mutation_over_get_is_405(client):
    response = await client.get(
        "/graphql", params={"query": 'mutation { logout(input: {refreshToken: "x"}) { ok } }'}
    )

    assert response.status_code == 405


async def test_a_query_over_get_works(client):
    response = await client.get("/graphql", params={"query": VIEWER})

    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": None}}


async def test_an_unknown_operation_name_is_refused(client):
    response = await client.post(
        "/graphql", json={"query": "query A { viewer { id } }", "operationName": "B"}
    )

    assert response.status_code == 400
    assert "B" in response.text


async def test_wrong_variable_types_are_a_request_error(client):
    response = await client.post(
        "/graphql",
        json={"query": "query($id: ID!) { user(id: $id) { id } }", "variables": {"id": {"x": 1}}},
    )

    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    assert "$id" in body["errors"][0]["message"]


async def test_graphql_response_json_gets_400_for_a_request_error(client):
    response = await client.post(
        "/graphql",
        json={"query": "{ nope }"},
        headers={"accept": "application/graphql-response+json"},
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert "data" not in response.json()


async def test_graphql_response_json_gets_200_for_a_valid_request(client):
    response = await client.post(
        "/graphql",
        json={"query": VIEWER},
        headers={"accept": "application/graphql-response+json, application/json"},
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphql-response+json")


async def test_a_syntax_error_is_reported_with_its_location(client):
    response = await client.post("/graphql", json={"query": "{ viewer { id "})

    error = response.json()["errors"][0]
    assert "Syntax Error" in error["message"]
    assert error["locations"]


async def test_a_query_with_too_many_tokens_is_refused(client, settings: Settings):
    query = "{" + " __typename" * (settings.max_query_tokens + 1) + " }"

    response = await client.post("/graphql", json={"query": query})

    [error] = response.json()["errors"]
    assert "token" in error["message"].lower()
    assert "data" not in response.json()


async def test_unexpected_errors_are_masked_and_carry_an_error_id(
    client, services, monkeypatch, caplog
):
    from resolvers import users

    async def broken(*_args, **_kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(users, "visible_user", broken)

    response = await client.post(
        "/graphql",
        json={
            "query": 'query { user(id: "VXNlcjowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA=") '
            "{ id } }"
        },
    )

    [error] = response.json()["errors"]
    assert error["message"] == "Internal server error"
    assert "secret" not in response.text
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    error_id = error["extensions"]["errorId"]
    assert any(getattr(r, "error_id", None) == error_id for r in caplog.records)


async def test_responses_carry_a_request_id(client):
    given = await client.get("/healthz", headers={"x-request-id": "abc-123"})
    made = await client.get("/healthz")
    unsafe = await client.get("/healthz", headers={"x-request-id": "bad id\n"})

    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32
    assert unsafe.headers["x-request-id"] != "bad id\n"


async def test_healthz_answers(client):
    response = await client.get("/healthz")

    assert response.json() == {"status": "ok"}


async def test_readyz_reports_each_dependency(client):
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "pubsub": "ok"}}


async def test_readyz_is_503_and_names_the_failing_part(client, services, monkeypatch):
    async def down():
        raise ConnectionError("no route")

    monkeypatch.setattr(services.broadcast, "ping", down)

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "pubsub": "down: ConnectionError"}


async def test_graphiql_is_served_to_a_browser_in_development(client):
    response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_text_beyond_ascii_and_integers_beyond_64_bits_are_encoded(app, client):
    view = next(route.endpoint for route in app.routes if getattr(route, "path", "") == "/graphql")

    assert json.loads(view.encode_json({"n": 2**70, "name": "Zoë"})) == {"n": 2**70, "name": "Zoë"}
    response = await client.post("/graphql", json={"query": '{ gig(slug: "zoë-ünïcode") { id } }'})
    assert response.status_code == 200
    assert response.json() == {"data": {"gig": None}}

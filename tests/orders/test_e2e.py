"""The real server: an order placed, paid through a webhook sent over HTTP, delivered, approved."""

import json

import httpx
import pytest

from models.user import UserRole
from schema.relay import encode_id
from tests.conftest import TEST_SECRET
from tests.e2e.harness import free_port, running_server
from tests.factories import make_category, make_gig, make_user, token_for
from tests.orders.api import APPROVE, CONFIRM, DELIVER, FUND, ORDER_QUERY, PLACE, WALLET
from tests.orders.ledger_invariants import assert_ledger_invariants


@pytest.fixture(scope="module")
def server(settings):
    port = free_port()
    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "JWT_SECRET": TEST_SECRET,
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        "LOG_LEVEL": "WARNING",
        # The simulator posts its webhooks here: to this very server, over HTTP.
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    with running_server(env, port=port) as base_url:
        yield base_url


@pytest.fixture
async def http(server, services):  # `services` empties the database after each test
    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        yield client


class Client:
    def __init__(self, http, services):
        self.http, self.services = http, services

    async def __call__(self, user, query, name, **variables):
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token_for(self.services, user)}"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"][name]


async def test_an_order_is_paid_by_a_real_webhook_then_delivered_and_approved(http, services, db):
    category = await make_category(services)
    buyer = await make_user(services, role=UserRole.CLIENT)
    seller = await make_user(services, role=UserRole.FREELANCER)
    gig = await make_gig(services, owner=seller, category=category, prices=(8000,))
    gql = Client(http, services)

    placed = await gql(
        buyer, PLACE, "placeOrder", input={"gigId": encode_id("Gig", gig.id), "package": "BASIC"}
    )
    order_id = placed["order"]["id"]
    funded = await gql(buyer, FUND, "fundOrder", id=order_id)
    confirmed = await gql(
        buyer, CONFIRM, "confirmPayment", id=funded["paymentIntent"]["id"], outcome="SUCCEEDED"
    )
    assert confirmed["errors"] == []
    assert confirmed["order"]["status"] == "IN_PROGRESS"
    assert confirmed["order"]["payment"]["status"] == "SUCCEEDED"
    await assert_ledger_invariants(db)

    delivered = await gql(
        seller, DELIVER, "deliverOrder", input={"orderId": order_id, "message": "Done"}
    )
    assert delivered["order"]["status"] == "DELIVERED"
    approved = await gql(buyer, APPROVE, "approveOrder", id=order_id)
    assert approved["order"]["status"] == "COMPLETED"
    await assert_ledger_invariants(db)

    order = await gql(seller, ORDER_QUERY, "order", id=order_id)
    assert [e["status"] for e in order["events"]] == [
        "PENDING_PAYMENT",
        "IN_PROGRESS",
        "DELIVERED",
        "COMPLETED",
    ]
    viewer = await gql(seller, WALLET, "viewer")
    assert viewer["wallet"]["balance"] == {"amount": "72.00"}


async def test_the_real_server_refuses_an_unsigned_webhook(http):
    body = json.dumps({"id": "evt_forged", "type": "payment_intent.succeeded"})

    response = await http.post("/webhooks/payments/simulator", content=body)

    assert response.status_code == 400
    assert response.json() == {"error": "The signature header is missing"}

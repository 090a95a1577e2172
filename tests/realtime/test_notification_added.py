"""notificationAdded over a real WebSocket: the viewer's own notifications, as stored."""

from models.catalog import GigKind
from models.user import UserRole
from resolvers.notifications import channel
from schema.relay import encode_id
from tests.factories import make_category, make_gig, make_user, token_for
from tests.realtime.test_subscriptions import (  # noqa: F401 -- fixtures
    answer,
    connect,
    nexts,
    subscribed,
    ws_url,
)

NOTIFICATION_ADDED = "subscription { notificationAdded { id type text targetId read } }"
NOTIFICATIONS = "{ notifications(first: 5) { edges { node { id } } } }"
APPLY = """mutation($input: ApplyToGigInput!) {
  applyToGig(input: $input) { application { id } errors { code } } }"""


async def _apply(gql, services, freelancer, gig) -> str:
    result = await gql(
        APPLY,
        {
            "input": {
                "gigId": encode_id("Gig", gig.id),
                "coverLetter": "I have built three booking sites like this one; here is how.",
                "price": "300.00",
                "deliveryDays": 5,
            }
        },
        token=token_for(services, freelancer),
    )
    assert result["data"]["applyToGig"]["errors"] == []
    return result["data"]["applyToGig"]["application"]["id"]


async def test_the_viewers_new_notifications_arrive_live_and_no_one_elses(
    ws_url,  # noqa: F811
    services,
    gql,
):
    category = await make_category(services)
    client = await make_user(services, role=UserRole.CLIENT, name="Cleo")
    other = await make_user(services, role=UserRole.CLIENT, name="Otto")
    freelancer = await make_user(services, role=UserRole.FREELANCER, name="Fay")
    request = await make_gig(
        services, owner=client, category=category, kind=GigKind.REQUEST, title="Build my site"
    )
    others = await make_gig(
        services, owner=other, category=category, kind=GigKind.REQUEST, title="Fix my app"
    )
    connection, ws = await connect(ws_url, token_for(services, client))
    async with connection:
        await ws.subscribe("1", NOTIFICATION_ADDED)
        await subscribed(services, channel(client.id))
        await _apply(gql, services, freelancer, others)  # Otto's news, not Cleo's
        application_id = await _apply(gql, services, freelancer, request)
        [payload] = await nexts(ws, "1", 1)

    stored = await gql(NOTIFICATIONS, token=token_for(services, client))
    [edge] = stored["data"]["notifications"]["edges"]
    assert payload["data"]["notificationAdded"] == {
        "id": edge["node"]["id"],
        "type": "APPLICATION_RECEIVED",
        "text": "Fay applied to “Build my site”",
        "targetId": application_id,
        "read": False,
    }


async def test_notification_added_needs_a_signed_in_viewer(ws_url):  # noqa: F811
    connection, ws = await connect(ws_url, None)
    async with connection:
        await ws.subscribe("1", NOTIFICATION_ADDED)
        refused = await answer(ws, "1")

    errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]

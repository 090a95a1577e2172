"""The order mutations and queries as a client sends them, one helper each."""

from typing import Any

from resolvers.context import Services
from schema.relay import encode_id
from tests.factories import token_for

ERRORS = "errors { field code message }"
ORDER = """
  id status title requirements deliveryDays revisionsIncluded revisionsUsed
  price { amount currency } buyerFee { amount } total { amount } fee { amount }
  sellerNet { amount } dueAt isLate fundedAt deliveredAt completedAt cancelledAt
  autoCompleteAt expiresAt availableActions viewerRole conversationId
  gig { id title } package { tier } buyer { id } seller { id }
  events { status previousStatus actor { id } reason at }
  deliveries { number message files { id } }
  dispute { id status outcome sellerShare { amount } }
  payment { id status failureReason amount { amount } }
"""
PLACE = f"""
mutation($input: PlaceOrderInput!) {{
  placeOrder(input: $input) {{ order {{ {ORDER} }} {ERRORS} }}
}}"""
ACCEPT = f"""
mutation($input: AcceptApplicationInput!) {{
  acceptApplication(input: $input) {{ order {{ {ORDER} }} {ERRORS} }}
}}"""
FUND = f"""
mutation($id: ID!) {{
  fundOrder(input: {{orderId: $id}}) {{
    order {{ {ORDER} }} paymentIntent {{ id status clientSecret amount {{ amount }} }} {ERRORS}
  }}
}}"""
CONFIRM = f"""
mutation($id: ID!, $outcome: PaymentOutcome!) {{
  confirmPayment(input: {{paymentIntentId: $id, outcome: $outcome}}) {{
    order {{ {ORDER} }} paymentIntent {{ id status failureReason }} {ERRORS}
  }}
}}"""
DELIVER = f"""
mutation($input: DeliverOrderInput!) {{
  deliverOrder(input: $input) {{ order {{ {ORDER} }} {ERRORS} }}
}}"""
REVISE = f"""
mutation($id: ID!, $reason: String!) {{
  requestRevision(input: {{orderId: $id, reason: $reason}}) {{ order {{ {ORDER} }} {ERRORS} }}
}}"""
APPROVE = f"""
mutation($id: ID!) {{ approveOrder(input: {{orderId: $id}}) {{ order {{ {ORDER} }} {ERRORS} }} }}
"""
CANCEL = f"""
mutation($id: ID!, $reason: String) {{
  cancelOrder(input: {{orderId: $id, reason: $reason}}) {{ order {{ {ORDER} }} {ERRORS} }}
}}"""
DISPUTE = """
  id status outcome reason evidence sellerShare { amount } openedBy { id } resolvedBy { id }
  files { id } order { id status }
"""
OPEN_DISPUTE = f"""
mutation($input: OpenDisputeInput!) {{
  openDispute(input: $input) {{ dispute {{ {DISPUTE} }} order {{ {ORDER} }} {ERRORS} }}
}}"""
RESOLVE = f"""
mutation($input: ResolveDisputeInput!) {{
  resolveDispute(input: $input) {{ dispute {{ {DISPUTE} }} order {{ {ORDER} }} {ERRORS} }}
}}"""
ORDER_QUERY = f"query($id: ID!) {{ order(id: $id) {{ {ORDER} }} }}"
WALLET = """
query { viewer { wallet { balance { amount } pending { amount }
  transactions { edges { node { kind amount { amount } orderId } } } } } }
"""


def gid(type_name: str, row: Any) -> str:
    return encode_id(type_name, row.id)


class Api:
    """Each call signs in as `user` and returns the operation's payload (or data)."""

    def __init__(self, gql: Any, services: Services) -> None:
        self.gql, self.services = gql, services

    async def call(self, user: Any, document: str, **variables: Any) -> dict[str, Any]:
        token = None if user is None else token_for(self.services, user)
        return await self.gql(document, variables, token=token)

    async def payload(self, user: Any, document: str, name: str, **variables: Any) -> Any:
        result = await self.call(user, document, **variables)
        assert "errors" not in result, result["errors"]
        return result["data"][name]

    async def place(self, buyer: Any, gig: Any, package: str = "BASIC", **extra: Any) -> Any:
        data = {"gigId": gid("Gig", gig), "package": package, **extra}
        return await self.payload(buyer, PLACE, "placeOrder", input=data)

    async def accept(self, client: Any, application: Any, **extra: Any) -> Any:
        data = {"applicationId": gid("Application", application), **extra}
        return await self.payload(client, ACCEPT, "acceptApplication", input=data)

    async def fund(self, buyer: Any, order_id: str) -> Any:
        return await self.payload(buyer, FUND, "fundOrder", id=order_id)

    async def confirm(self, buyer: Any, intent_id: str, outcome: str = "SUCCEEDED") -> Any:
        return await self.payload(buyer, CONFIRM, "confirmPayment", id=intent_id, outcome=outcome)

    async def pay(self, buyer: Any, order_id: str) -> Any:
        """Fund the order and have the simulator confirm the payment: the order IN_PROGRESS."""
        funded = await self.fund(buyer, order_id)
        assert funded["errors"] == [], funded["errors"]
        confirmed = await self.confirm(buyer, funded["paymentIntent"]["id"])
        assert confirmed["errors"] == [], confirmed["errors"]
        return confirmed

    async def deliver(
        self, seller: Any, order_id: str, message: str = "Here it is.", files: tuple = ()
    ) -> Any:
        data = {"orderId": order_id, "message": message, "fileIds": list(files)}
        return await self.payload(seller, DELIVER, "deliverOrder", input=data)

    async def revise(self, buyer: Any, order_id: str, reason: str = "Bigger, please.") -> Any:
        return await self.payload(buyer, REVISE, "requestRevision", id=order_id, reason=reason)

    async def approve(self, buyer: Any, order_id: str) -> Any:
        return await self.payload(buyer, APPROVE, "approveOrder", id=order_id)

    async def cancel(self, user: Any, order_id: str, reason: str | None = None) -> Any:
        return await self.payload(user, CANCEL, "cancelOrder", id=order_id, reason=reason)

    async def open_dispute(self, user: Any, order_id: str, **extra: Any) -> Any:
        data = {"orderId": order_id, "reason": "Not what we agreed.", **extra}
        return await self.payload(user, OPEN_DISPUTE, "openDispute", input=data)

    async def resolve(self, admin: Any, dispute_id: str, outcome: str, **extra: Any) -> Any:
        data = {"disputeId": dispute_id, "outcome": outcome, **extra}
        return await self.payload(admin, RESOLVE, "resolveDispute", input=data)

    async def order(self, user: Any, order_id: str) -> Any:
        return (await self.call(user, ORDER_QUERY, id=order_id))["data"]["order"]

    async def wallet(self, user: Any) -> Any:
        return (await self.call(user, WALLET))["data"]["viewer"]["wallet"]

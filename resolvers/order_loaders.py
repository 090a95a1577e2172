"""Per-request DataLoaders of everything an order shows, each one query per batch of keys."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
from sqlalchemy.sql import Select
from strawberry.dataloader import DataLoader

from models.catalog import GigPackage
from models.chat import Conversation
from models.file import StoredFile
from models.order import Delivery, DeliveryFile, Dispute, DisputeFile, Order, OrderEvent
from models.payment import Payment
from models.review import Review

if TYPE_CHECKING:
    from resolvers.context import Context


def _keyed(statement: Select[Any], key: Any) -> Select[Any]:
    return statement.where(key.in_(bindparam("keys", expanding=True)))


ORDERS = _keyed(select(*Order.__table__.c), Order.id)
EVENTS = _keyed(
    select(*OrderEvent.__table__.c).order_by(OrderEvent.at, OrderEvent.created_at),
    OrderEvent.order_id,
)
DELIVERIES = _keyed(select(*Delivery.__table__.c).order_by(Delivery.number), Delivery.order_id)
DISPUTES = _keyed(select(*Dispute.__table__.c), Dispute.order_id)
PACKAGES = _keyed(select(*GigPackage.__table__.c), GigPackage.id)
CONVERSATIONS = _keyed(select(Conversation.order_id, Conversation.id), Conversation.order_id)
# Newest last: the order's current payment is the last one per order.
PAYMENTS = _keyed(
    select(*Payment.__table__.c).order_by(Payment.created_at, Payment.id), Payment.order_id
)
# Every review of the order, whoever may see it: `resolvers.reviews` filters for the viewer.
REVIEWS = _keyed(select(*Review.__table__.c).order_by(Review.created_at), Review.order_id)
# Entities, not rows: the `File` type works on stored files.
DELIVERY_FILES = _keyed(
    select(StoredFile, DeliveryFile.delivery_id.label("parent"))
    .join(DeliveryFile, DeliveryFile.file_id == StoredFile.id)
    .order_by(DeliveryFile.created_at, DeliveryFile.id),
    DeliveryFile.delivery_id,
)
DISPUTE_FILES = _keyed(
    select(StoredFile, DisputeFile.dispute_id.label("parent"))
    .join(DisputeFile, DisputeFile.file_id == StoredFile.id)
    .order_by(DisputeFile.created_at, DisputeFile.id),
    DisputeFile.dispute_id,
)


class OrderLoaders:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self.order_by_id = self._one(ORDERS, "id")
        self.events_by_order_id = self._many(EVENTS, "order_id")
        self.deliveries_by_order_id = self._many(DELIVERIES, "order_id")
        self.dispute_by_order_id = self._one(DISPUTES, "order_id")
        self.reviews_by_order_id = self._many(REVIEWS, "order_id")
        self.package_by_id = self._one(PACKAGES, "id")
        self.conversation_id_by_order_id = DataLoader(self._conversation_ids)
        self.payment_by_order_id = DataLoader(self._payments)
        self.files_by_delivery_id = DataLoader(lambda keys: self._files(DELIVERY_FILES, keys))
        self.files_by_dispute_id = DataLoader(lambda keys: self._files(DISPUTE_FILES, keys))

    def clear(self) -> None:
        """Forget what every loader holds: they close over this object (`Loaders.clear`)."""
        for loader in vars(self).values():
            if isinstance(loader, DataLoader):
                loader.clear_all()

    def _one(self, statement: Select[Any], name: str) -> DataLoader[Any, Any]:
        async def load(keys: Sequence[uuid.UUID]) -> list[Any]:
            rows = await self._ctx.session.rows(statement, {"keys": keys})
            by_key = {getattr(row, name): row for row in rows}
            return [by_key.get(k) for k in keys]

        return DataLoader(load)

    def _many(self, statement: Select[Any], name: str) -> DataLoader[Any, Any]:
        async def load(keys: Sequence[uuid.UUID]) -> list[list[Any]]:
            grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
            for row in await self._ctx.session.rows(statement, {"keys": keys}):
                grouped[getattr(row, name)].append(row)
            return [grouped.get(k, []) for k in keys]

        return DataLoader(load)

    async def _conversation_ids(self, keys: Sequence[uuid.UUID]) -> list[uuid.UUID | None]:
        rows = await self._ctx.session.rows(CONVERSATIONS, {"keys": keys})
        by_order = dict(rows)
        return [by_order.get(k) for k in keys]

    async def _payments(self, keys: Sequence[uuid.UUID]) -> list[Any]:
        rows = await self._ctx.session.rows(PAYMENTS, {"keys": keys})
        latest = {row.order_id: row for row in rows}
        return [latest.get(k) for k in keys]

    async def _files(self, statement: Select[Any], keys: Sequence[uuid.UUID]) -> list[list[Any]]:
        grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
        result = await self._ctx.session.execute(statement, {"keys": keys})
        for file, parent in result:
            grouped[parent].append(file)
        return [grouped.get(k, []) for k in keys]

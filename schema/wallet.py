"""`User.wallet`: a balance, what escrow holds for the user's sales, and every movement."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from resolvers import wallet
from resolvers.context import Context
from schema.catalog import RowBacked
from schema.money import Money, money
from schema.pagination import Connection
from schema.relay import encode_id


@strawberry.type(name="WalletEntry", description="One movement of money in or out of a wallet.")
class WalletEntry(RowBacked):
    kind: str = strawberry.field(description="RELEASE, SPLIT... the ledger transaction's kind.")
    memo: str

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("WalletEntry", root.id)

    @strawberry.field(description="Positive into the wallet, negative out of it.")
    @staticmethod
    def amount(root: Any) -> Money:
        return money(root.amount, root.currency)  # type: ignore[return-value]

    @strawberry.field
    @staticmethod
    def order_id(root: Any) -> strawberry.ID | None:
        return None if root.order_id is None else encode_id("Order", root.order_id)

    @strawberry.field
    @staticmethod
    def at(root: Any) -> datetime:
        return root.created_at


@strawberry.type(name="WalletEntryConnection")
class WalletEntryConnection(Connection[WalletEntry]):
    pass


@strawberry.type(name="Wallet", description="A user's money on the platform.")
class Wallet:
    _wallet: strawberry.Private[wallet.Wallet]

    @strawberry.field(description="Earned and available: released escrow less fees.")
    def balance(self) -> Money:
        return money(self._wallet.balance, self._wallet.currency)  # type: ignore[return-value]

    @strawberry.field(description="What escrow holds for the user's sales still in progress.")
    def pending(self) -> Money:
        return money(self._wallet.pending, self._wallet.currency)  # type: ignore[return-value]

    @strawberry.field(description="Every movement of the balance, newest first.")
    async def transactions(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> WalletEntryConnection:
        page = await wallet.entries(
            info.context, user_id=self._wallet.user_id, first=first, after=after
        )
        return WalletEntryConnection(_page=page, _after=after)


async def user_wallet(ctx: Context, user: Any) -> Wallet | None:
    """`User.wallet`: declared on the user type, resolved here."""
    found = await wallet.wallet(ctx, user=user)
    return None if found is None else Wallet(_wallet=found)

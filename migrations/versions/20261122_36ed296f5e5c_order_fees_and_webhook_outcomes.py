"""Order fees and webhook outcomes.

`orders.fee_bps` fixes the commission rate when an order is placed (orders placed before this
were all at the demo's 10%), `orders.buyer_fee` what the buyer pays on top of the price;
`webhook_event` keeps what each event did and the signature of the delivery recorded.

Revision ID: 36ed296f5e5c
Revises: ba0acf4f2712
Create Date: 2026-11-22 03:54:55.434238
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "36ed296f5e5c"
down_revision: str | Sequence[str] | None = "ba0acf4f2712"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fee_bps", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(
            sa.Column("buyer_fee", sa.BigInteger(), nullable=False, server_default=sa.text("0"))
        )
    op.execute("UPDATE orders SET fee_bps = 1000 WHERE fee IS NOT NULL")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("fee_bps", existing_type=sa.Integer(), server_default=None)
        batch_op.alter_column("buyer_fee", existing_type=sa.BigInteger(), server_default=None)
        batch_op.create_check_constraint(op.f("ck_orders_buyer_fee_not_negative"), "buyer_fee >= 0")
        batch_op.create_check_constraint(
            op.f("ck_orders_fee_bps_within_whole"), "fee_bps >= 0 AND fee_bps <= 10000"
        )

    with op.batch_alter_table("webhook_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("signature", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_event", schema=None) as batch_op:
        batch_op.drop_column("signature")
        batch_op.drop_column("outcome")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_fee_bps_within_whole"), type_="check")
        batch_op.drop_constraint(op.f("ck_orders_buyer_fee_not_negative"), type_="check")
        batch_op.drop_column("buyer_fee")
        batch_op.drop_column("fee_bps")

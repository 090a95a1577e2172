"""Review reveal scan and notification digests.

`notification.digest_due_at` marks a notification (a chat message) waiting for its user's next
email digest; a partial index finds the reviews still unpublished, which the scheduler checks
for a closed review window.

Revision ID: e73c737af250
Revises: 36ed296f5e5c
Create Date: 2026-11-22 04:12:40.130221
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e73c737af250"
down_revision: str | Sequence[str] | None = "36ed296f5e5c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNPUBLISHED = sa.text("published_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_notification_digest_due_at"), ["digest_due_at"], unique=False
        )

    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_order_id_unpublished",
            ["order_id"],
            unique=False,
            sqlite_where=UNPUBLISHED,
            postgresql_where=UNPUBLISHED,
        )


def downgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index("ix_review_order_id_unpublished")

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_digest_due_at"))
        batch_op.drop_column("digest_due_at")

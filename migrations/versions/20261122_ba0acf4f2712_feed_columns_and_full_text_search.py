"""Feed columns and full-text search.

`gig.listed_at` is the never-null NEWEST sort key; the price range becomes NOT NULL; on
PostgreSQL a generated, weighted tsvector (title A, tags B, description C) with a GIN index.

Revision ID: ba0acf4f2712
Revises: 65ba65907619
Create Date: 2026-11-22 03:13:55.740996
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ba0acf4f2712"
down_revision: str | Sequence[str] | None = "65ba65907619"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_VECTOR = """
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(tags::text, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(description, '')), 'C')
"""


def upgrade() -> None:
    with op.batch_alter_table("gig", schema=None) as batch_op:
        batch_op.add_column(sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE gig SET listed_at = coalesce(published_at, created_at)")
    op.execute("UPDATE gig SET min_price = coalesce(min_price, budget, 0)")
    op.execute("UPDATE gig SET max_price = coalesce(max_price, budget, min_price)")
    with op.batch_alter_table("gig", schema=None) as batch_op:
        batch_op.alter_column("listed_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column("min_price", existing_type=sa.BIGINT(), nullable=False)
        batch_op.alter_column("max_price", existing_type=sa.BIGINT(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_gig_status_published_at"))
        batch_op.create_index("ix_gig_status_listed_at", ["status", "listed_at"], unique=False)
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE gig ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED"
        )
        op.execute("CREATE INDEX ix_gig_search_vector ON gig USING gin (search_vector)")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_gig_search_vector")
        op.execute("ALTER TABLE gig DROP COLUMN search_vector")
    with op.batch_alter_table("gig", schema=None) as batch_op:
        batch_op.drop_index("ix_gig_status_listed_at")
        batch_op.create_index(
            batch_op.f("ix_gig_status_published_at"), ["status", "published_at"], unique=False
        )
        batch_op.alter_column("max_price", existing_type=sa.BIGINT(), nullable=True)
        batch_op.alter_column("min_price", existing_type=sa.BIGINT(), nullable=True)
        batch_op.drop_column("listed_at")

"""Alembic migrations, and `upgrade` for code that migrates at start-up or in tests."""

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent
# Made by migration on PostgreSQL only (full-text search); the models do not describe them.
POSTGRES_ONLY = frozenset({("column", "search_vector"), ("index", "ix_gig_search_vector")})


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave the PostgreSQL-only search objects out of autogenerate's comparison."""
    return (type_, name) not in POSTGRES_ONLY


def alembic_config(database_url: str) -> Config:
    """Build the Alembic configuration for `database_url`, without any file on disk."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Config values are %-interpolated, and URLs carry %-escapes (passwords).
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database at `database_url` to `revision`; safe to run from several processes."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Migrate the database at `database_url` back to `revision` (`base` empties it)."""
    command.downgrade(alembic_config(database_url), revision)

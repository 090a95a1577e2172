"""Alembic migrations, and `upgrade` for code that migrates at start-up or in tests."""

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent


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

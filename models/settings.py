"""Every setting, read from the environment in one place."""

import hashlib
import hmac
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_DIR / "var"
MIN_SECRET_LENGTH = 32


class SettingsError(Exception):
    """The configuration cannot run; the message is one line saying why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "development"
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR / 'gigstream.sqlite3'}"
    # PostgreSQL connections each process keeps open, and how many more it may open for a
    # burst (closed again when returned). Opening one costs a server process and a fresh
    # statement cache, so the pooled ones should carry the usual bursts; overflow is headroom.
    database_pool_size: int = Field(default=20, gt=0)
    database_pool_overflow: int = Field(default=10, ge=0)
    redis_url: str | None = None
    jwt_secret: SecretStr | None = None
    jwt_secret_file: Path = DEFAULT_DATA_DIR / "jwt_secret"
    jwt_issuer: str = "gigstream"
    jwt_audience: str = "gigstream-api"
    access_token_ttl_seconds: int = Field(default=15 * 60, gt=0)
    refresh_token_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    email_token_ttl_seconds: int = Field(default=3600, gt=0)
    phone_code_ttl_seconds: int = Field(default=5 * 60, gt=0)
    phone_code_max_attempts: int = Field(default=5, gt=0)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=64 * 1024, ge=8)
    cors_origins: Annotated[list[str], NoDecode] = []
    public_url: str = "http://127.0.0.1:8000"
    smtp_url: str | None = None
    mail_from: str = "Gigstream <no-reply@gigstream.local>"
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    max_query_depth: int = Field(default=12, gt=0)
    max_query_tokens: int = Field(default=5000, gt=0)
    graphql_ws_legacy: bool = False
    ws_connection_init_timeout_seconds: float = Field(default=10, gt=0)
    # Operations in flight on one WebSocket (subscriptions, and queries sent over it); one more
    # is refused with an `error` for that operation alone.
    ws_max_subscriptions_per_connection: int = Field(default=100, gt=0)
    # Open WebSockets of one user, across every process; one more is closed with 4429.
    ws_max_connections_per_user: int = Field(default=20, gt=0)
    log_level: str = "INFO"
    view_flush_seconds: float = Field(default=5, gt=0)
    # Allocations between two young-generation collections (CPython's default is 700): a feed
    # request makes thousands of short-lived objects, and each collection walks them all.
    gc_young_threshold: int = Field(default=50_000, ge=100)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @cached_property
    def secret(self) -> str:
        """The JWT/HMAC secret: configured, or in development generated once and kept."""
        if self.jwt_secret is not None:
            value = self.jwt_secret.get_secret_value()
            if len(value) < MIN_SECRET_LENGTH:
                raise SettingsError(
                    f"JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters long"
                )
            return value
        if self.is_production:
            raise SettingsError(
                "JWT_SECRET is required in production (at least "
                f"{MIN_SECRET_LENGTH} random characters, e.g. `openssl rand -hex 32`)"
            )
        return _development_secret(self.jwt_secret_file)

    # Files
    storage_backend: Literal["local", "s3"] = "local"
    upload_dir: Path = DEFAULT_DATA_DIR / "uploads"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    upload_url_ttl_seconds: int = Field(default=15 * 60, gt=0)
    download_url_ttl_seconds: int = Field(default=5 * 60, gt=0)

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> "Settings":
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise ValueError("STORAGE_BACKEND=s3 needs S3_BUCKET")
        return self

    # Orders and payments
    platform_fee_bps: int = Field(default=1000, ge=0, le=10_000)
    buyer_fee_bps: int = Field(default=0, ge=0, le=10_000)
    review_window_seconds: int = Field(default=3 * 24 * 3600, gt=0)
    payment_expiry_seconds: int = Field(default=24 * 3600, gt=0)
    payment_provider: Literal["simulator"] = "simulator"
    payment_webhook_secrets: Annotated[list[SecretStr], NoDecode] = []
    payment_webhook_tolerance_seconds: int = Field(default=300, gt=0)
    scheduler_interval_seconds: float = Field(default=30, gt=0)

    @field_validator("payment_webhook_secrets", mode="before")
    @classmethod
    def _split_secrets(cls, value: object) -> object:
        if isinstance(value, str):
            return [secret.strip() for secret in value.split(",") if secret.strip()]
        return value

    @cached_property
    def webhook_secrets(self) -> list[str]:
        """Secrets that sign payment webhooks; the first signs, any verifies (for rotation)."""
        if self.is_production and "payment_provider" not in self.model_fields_set:
            # The simulator lets a buyer confirm their own payment: in production it is never
            # a silent default, only a deliberate choice (a demo deployment).
            raise SettingsError(
                "PAYMENT_PROVIDER is required in production (simulator: a demo, no real money)"
            )
        if self.payment_webhook_secrets:
            return [secret.get_secret_value() for secret in self.payment_webhook_secrets]
        if self.is_production and self.payment_provider != "simulator":
            raise SettingsError("PAYMENT_WEBHOOK_SECRETS is required in production")
        # The simulator signs what it sends itself: a key derived from the app's secret will do.
        derived = hmac.new(self.secret.encode(), b"payment-webhooks", hashlib.sha256)
        return [f"whsec_{derived.hexdigest()}"]

    # Pub/sub
    pubsub_queue_size: int = Field(default=100, gt=0)
    pubsub_timeout_seconds: float = Field(default=2, gt=0)
    pubsub_ping_seconds: float = Field(default=15, gt=0)
    pubsub_reconnect_max_seconds: float = Field(default=10, gt=0)
    # A presence lease (a live subscription, an open WebSocket) lapses this long after its
    # process last refreshed it, which it does every third of this: how long a crashed
    # process's users still count as present.
    presence_ttl_seconds: float = Field(default=30, gt=0)

    # Reviews and notifications
    # Both sides of a completed order may review it this long; then whatever was written is
    # published (both reviews are published together as soon as the second one arrives).
    review_blind_window_seconds: int = Field(default=14 * 24 * 3600, gt=0)
    # Chat messages reach email as one digest per user, this long after the first unread one.
    notification_digest_seconds: int = Field(default=3600, gt=0)


def _development_secret(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(value)
    return value


def load_settings(**overrides: object) -> Settings:
    """Read the settings and check that they can run; raise `SettingsError` otherwise."""
    try:
        settings = Settings(**overrides)
    except ValueError as error:
        first = str(error).splitlines()
        raise SettingsError(" ".join(first[:3])) from error
    settings.secret  # noqa: B018 -- resolve the secret now, so a bad one fails at start-up
    settings.webhook_secrets  # noqa: B018 -- and the webhook secrets
    return settings

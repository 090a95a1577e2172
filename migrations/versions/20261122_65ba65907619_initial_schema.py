"""Initial schema: every table of the first release.

Revision ID: 65ba65907619
Revises:
Create Date: 2026-11-22 02:57:33.891470
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "65ba65907619"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "category",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["category.id"],
            name=op.f("fk_category_parent_id_category"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category")),
        sa.UniqueConstraint("slug", name=op.f("uq_category_slug")),
    )
    op.create_index(op.f("ix_category_created_at"), "category", ["created_at"], unique=False)
    op.create_index(op.f("ix_category_parent_id"), "category", ["parent_id"], unique=False)

    op.create_table(
        "scheduled_job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=128), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_job")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_scheduled_job_dedupe_key")),
    )
    op.create_index(
        op.f("ix_scheduled_job_created_at"), "scheduled_job", ["created_at"], unique=False
    )
    op.create_index(op.f("ix_scheduled_job_run_at"), "scheduled_job", ["run_at"], unique=False)

    op.create_table(
        "skill",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill")),
        sa.UniqueConstraint("slug", name=op.f("uq_skill_slug")),
    )
    op.create_index(op.f("ix_skill_created_at"), "skill", ["created_at"], unique=False)

    op.create_table(
        "user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("headline", sa.String(length=120), nullable=True),
        sa.Column("bio", sa.String(length=5000), nullable=True),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("phone_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("avatar_file_id", sa.Uuid(), nullable=True),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("completed_orders", sa.Integer(), nullable=False),
        sa.Column("on_time_orders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["avatar_file_id"],
            ["stored_file.id"],
            name=op.f("fk_user_avatar_file_id_stored_file"),
            ondelete="SET NULL",
            use_alter=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
    )
    op.create_index(op.f("ix_user_created_at"), "user", ["created_at"], unique=False)
    op.create_index(op.f("ix_user_role"), "user", ["role"], unique=False)

    op.create_table(
        "webhook_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_event")),
        sa.UniqueConstraint(
            "provider", "event_id", name=op.f("uq_webhook_event_provider_event_id")
        ),
    )
    op.create_index(
        op.f("ix_webhook_event_created_at"), "webhook_event", ["created_at"], unique=False
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_audit_log_actor_id_user"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(
        "ix_audit_log_actor_id_created_at", "audit_log", ["actor_id", "created_at"], unique=False
    )
    op.create_index(op.f("ix_audit_log_created_at"), "audit_log", ["created_at"], unique=False)
    op.create_index(
        "ix_audit_log_target_type_target_id",
        "audit_log",
        ["target_type", "target_id"],
        unique=False,
    )

    op.create_table(
        "gig",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("slug", sa.String(length=140), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=10000), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("min_price", sa.BigInteger(), nullable=True),
        sa.Column("max_price", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=True),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("order_count", sa.Integer(), nullable=False),
        sa.Column("view_count", sa.BigInteger(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["category.id"],
            name=op.f("fk_gig_category_id_category"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user.id"], name=op.f("fk_gig_owner_id_user"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gig")),
        sa.UniqueConstraint("slug", name=op.f("uq_gig_slug")),
    )
    op.create_index("ix_gig_category_id_status", "gig", ["category_id", "status"], unique=False)
    op.create_index(op.f("ix_gig_created_at"), "gig", ["created_at"], unique=False)
    op.create_index(op.f("ix_gig_owner_id"), "gig", ["owner_id"], unique=False)
    op.create_index("ix_gig_status_min_price", "gig", ["status", "min_price"], unique=False)
    op.create_index("ix_gig_status_published_at", "gig", ["status", "published_at"], unique=False)

    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("result_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_idempotency_record_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint(
            "user_id", "operation", "key", name=op.f("uq_idempotency_record_user_id_operation_key")
        ),
    )
    op.create_index(
        op.f("ix_idempotency_record_created_at"), "idempotency_record", ["created_at"], unique=False
    )

    op.create_table(
        "notification",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("target_id", sa.String(length=200), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_notification_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index(
        op.f("ix_notification_created_at"), "notification", ["created_at"], unique=False
    )
    op.create_index(
        "ix_notification_user_id_created_at",
        "notification",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_notification_user_id_read_at", "notification", ["user_id", "read_at"], unique=False
    )

    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_notification_preference_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preference")),
        sa.UniqueConstraint(
            "user_id", "type", name=op.f("uq_notification_preference_user_id_type")
        ),
    )
    op.create_index(
        op.f("ix_notification_preference_created_at"),
        "notification_preference",
        ["created_at"],
        unique=False,
    )

    op.create_table(
        "one_time_code",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=254), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_one_time_code_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_one_time_code_code_hash")),
    )
    op.create_index(
        op.f("ix_one_time_code_created_at"), "one_time_code", ["created_at"], unique=False
    )
    op.create_index(op.f("ix_one_time_code_user_id"), "one_time_code", ["user_id"], unique=False)

    op.create_table(
        "outbound_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_outbound_message_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_message")),
    )
    op.create_index(
        op.f("ix_outbound_message_created_at"), "outbound_message", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_outbound_message_recipient"), "outbound_message", ["recipient"], unique=False
    )
    op.create_index(
        op.f("ix_outbound_message_user_id"), "outbound_message", ["user_id"], unique=False
    )

    op.create_table(
        "refresh_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_refresh_token_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_token_token_hash")),
    )
    op.create_index(
        op.f("ix_refresh_token_created_at"), "refresh_token", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_refresh_token_family_id"), "refresh_token", ["family_id"], unique=False
    )
    op.create_index(op.f("ix_refresh_token_user_id"), "refresh_token", ["user_id"], unique=False)

    op.create_table(
        "stored_file",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("declared_content_type", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=True),
        sa.Column("declared_size", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("thumbnail_key", sa.String(length=255), nullable=True),
        sa.Column("rejection_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
            name=op.f("fk_stored_file_owner_id_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_stored_file_storage_key")),
    )
    op.create_index(op.f("ix_stored_file_created_at"), "stored_file", ["created_at"], unique=False)
    op.create_index(op.f("ix_stored_file_owner_id"), "stored_file", ["owner_id"], unique=False)
    op.create_index(
        "ix_stored_file_status_created_at", "stored_file", ["status", "created_at"], unique=False
    )

    # user <-> stored_file is a cycle. Where ALTER exists, the avatar key (use_alter) is left out
    # of CREATE TABLE "user" and added here; SQLite keeps it inline, since it cannot ALTER one in.
    if op.get_context().dialect.supports_alter:
        op.create_foreign_key(
            op.f("fk_user_avatar_file_id_stored_file"),
            "user",
            "stored_file",
            ["avatar_file_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "user_badge",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("badge", sa.String(length=32), nullable=False),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_badge_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_badge")),
        sa.UniqueConstraint("user_id", "badge", name=op.f("uq_user_badge_user_id_badge")),
    )
    op.create_index(op.f("ix_user_badge_created_at"), "user_badge", ["created_at"], unique=False)

    op.create_table(
        "user_skill",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("skill_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.id"],
            name=op.f("fk_user_skill_skill_id_skill"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_skill_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_skill")),
        sa.UniqueConstraint("user_id", "skill_id", name=op.f("uq_user_skill_user_id_skill_id")),
    )
    op.create_index(op.f("ix_user_skill_created_at"), "user_skill", ["created_at"], unique=False)
    op.create_index(op.f("ix_user_skill_skill_id"), "user_skill", ["skill_id"], unique=False)

    op.create_table(
        "application",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gig_id", sa.Uuid(), nullable=False),
        sa.Column("freelancer_id", sa.Uuid(), nullable=False),
        sa.Column("cover_letter", sa.String(length=5000), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("delivery_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("delivery_days > 0", name=op.f("ck_application_delivery_days_positive")),
        sa.CheckConstraint("price >= 0", name=op.f("ck_application_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["freelancer_id"],
            ["user.id"],
            name=op.f("fk_application_freelancer_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["gig.id"], name=op.f("fk_application_gig_id_gig"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
    )
    op.create_index(op.f("ix_application_created_at"), "application", ["created_at"], unique=False)
    op.create_index(
        op.f("ix_application_freelancer_id"), "application", ["freelancer_id"], unique=False
    )
    op.create_index(
        "ix_application_gig_id_status", "application", ["gig_id", "status"], unique=False
    )
    op.create_index(
        "uq_application_gig_id_freelancer_id_pending",
        "application",
        ["gig_id", "freelancer_id"],
        unique=True,
        sqlite_where=sa.text("status = 'PENDING'"),
        postgresql_where=sa.text("status = 'PENDING'"),
    )

    op.create_table(
        "favorite",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("gig_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["gig.id"], name=op.f("fk_favorite_gig_id_gig"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_favorite_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_favorite")),
        sa.UniqueConstraint("user_id", "gig_id", name=op.f("uq_favorite_user_id_gig_id")),
    )
    op.create_index(op.f("ix_favorite_created_at"), "favorite", ["created_at"], unique=False)
    op.create_index(op.f("ix_favorite_gig_id"), "favorite", ["gig_id"], unique=False)

    op.create_table(
        "gig_image",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gig_id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_gig_image_file_id_stored_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["gig.id"], name=op.f("fk_gig_image_gig_id_gig"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gig_image")),
        sa.UniqueConstraint("gig_id", "file_id", name=op.f("uq_gig_image_gig_id_file_id")),
    )
    op.create_index(op.f("ix_gig_image_created_at"), "gig_image", ["created_at"], unique=False)
    op.create_index(op.f("ix_gig_image_file_id"), "gig_image", ["file_id"], unique=False)

    op.create_table(
        "gig_package",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gig_id", sa.Uuid(), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("delivery_days", sa.Integer(), nullable=False),
        sa.Column("revisions", sa.Integer(), nullable=False),
        sa.CheckConstraint("delivery_days > 0", name=op.f("ck_gig_package_delivery_days_positive")),
        sa.CheckConstraint("price >= 0", name=op.f("ck_gig_package_price_not_negative")),
        sa.CheckConstraint("revisions >= 0", name=op.f("ck_gig_package_revisions_not_negative")),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["gig.id"], name=op.f("fk_gig_package_gig_id_gig"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gig_package")),
        sa.UniqueConstraint("gig_id", "tier", name=op.f("uq_gig_package_gig_id_tier")),
    )
    op.create_index(op.f("ix_gig_package_created_at"), "gig_package", ["created_at"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gig_id", sa.Uuid(), nullable=False),
        sa.Column("package_id", sa.Uuid(), nullable=True),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("requirements", sa.String(length=5000), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=True),
        sa.Column("delivery_days", sa.Integer(), nullable=False),
        sa.Column("revisions_included", sa.Integer(), nullable=False),
        sa.Column("revisions_used", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("funded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("auto_complete_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "fee IS NULL OR (fee >= 0 AND fee <= price)", name=op.f("ck_orders_fee_within_price")
        ),
        sa.CheckConstraint("price >= 0", name=op.f("ck_orders_price_not_negative")),
        sa.CheckConstraint(
            "revisions_used >= 0", name=op.f("ck_orders_revisions_used_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_orders_application_id_application"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["user.id"], name=op.f("fk_orders_buyer_id_user"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["gig.id"], name=op.f("fk_orders_gig_id_gig"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["gig_package.id"],
            name=op.f("fk_orders_package_id_gig_package"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["user.id"], name=op.f("fk_orders_seller_id_user"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("application_id", name=op.f("uq_orders_application_id")),
    )
    op.create_index(
        op.f("ix_orders_auto_complete_at"), "orders", ["auto_complete_at"], unique=False
    )
    op.create_index("ix_orders_buyer_id_status", "orders", ["buyer_id", "status"], unique=False)
    op.create_index(op.f("ix_orders_created_at"), "orders", ["created_at"], unique=False)
    op.create_index(op.f("ix_orders_expires_at"), "orders", ["expires_at"], unique=False)
    op.create_index(op.f("ix_orders_gig_id"), "orders", ["gig_id"], unique=False)
    op.create_index("ix_orders_seller_id_status", "orders", ["seller_id", "status"], unique=False)

    op.create_table(
        "conversation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("gig_id", sa.Uuid(), nullable=True),
        sa.Column("inquiry_key", sa.String(length=80), nullable=True),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_message_id", sa.Uuid(), nullable=True),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["gig.id"], name=op.f("fk_conversation_gig_id_gig"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_conversation_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
        sa.UniqueConstraint("inquiry_key", name=op.f("uq_conversation_inquiry_key")),
        sa.UniqueConstraint("order_id", name=op.f("uq_conversation_order_id")),
    )
    op.create_index(
        op.f("ix_conversation_created_at"), "conversation", ["created_at"], unique=False
    )
    op.create_index(op.f("ix_conversation_gig_id"), "conversation", ["gig_id"], unique=False)
    op.create_index(
        op.f("ix_conversation_last_message_at"), "conversation", ["last_message_at"], unique=False
    )

    op.create_table(
        "delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("message", sa.String(length=5000), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_delivery_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("order_id", "number", name=op.f("uq_delivery_order_id_number")),
    )
    op.create_index(op.f("ix_delivery_created_at"), "delivery", ["created_at"], unique=False)

    op.create_table(
        "dispute",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("opened_by_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("evidence", sa.String(length=10000), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("seller_share_minor", sa.BigInteger(), nullable=True),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.CheckConstraint(
            "seller_share_minor IS NULL OR seller_share_minor >= 0",
            name=op.f("ck_dispute_seller_share_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["user.id"],
            name=op.f("fk_dispute_opened_by_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_dispute_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["user.id"],
            name=op.f("fk_dispute_resolved_by_id_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute")),
        sa.UniqueConstraint("order_id", name=op.f("uq_dispute_order_id")),
    )
    op.create_index(op.f("ix_dispute_created_at"), "dispute", ["created_at"], unique=False)
    op.create_index(
        "ix_dispute_status_created_at", "dispute", ["status", "created_at"], unique=False
    )

    op.create_table(
        "ledger_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("owner_key", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_ledger_account_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_ledger_account_user_id_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_account")),
        sa.UniqueConstraint(
            "owner_key", "currency", name=op.f("uq_ledger_account_owner_key_currency")
        ),
    )
    op.create_index(
        op.f("ix_ledger_account_created_at"), "ledger_account", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_ledger_account_order_id"), "ledger_account", ["order_id"], unique=False
    )
    op.create_index(op.f("ix_ledger_account_user_id"), "ledger_account", ["user_id"], unique=False)

    op.create_table(
        "ledger_transaction",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("idempotency", sa.String(length=128), nullable=False),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_ledger_transaction_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transaction")),
        sa.UniqueConstraint("idempotency", name=op.f("uq_ledger_transaction_idempotency")),
    )
    op.create_index(
        op.f("ix_ledger_transaction_created_at"), "ledger_transaction", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_ledger_transaction_order_id"), "ledger_transaction", ["order_id"], unique=False
    )

    op.create_table(
        "order_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user.id"],
            name=op.f("fk_order_event_actor_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_event_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_event")),
    )
    op.create_index(op.f("ix_order_event_created_at"), "order_event", ["created_at"], unique=False)
    op.create_index("ix_order_event_order_id_at", "order_event", ["order_id", "at"], unique=False)

    op.create_table(
        "payment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_payment_id", sa.String(length=255), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("client_secret_hash", sa.String(length=64), nullable=True),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_amount_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_payment_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
        sa.UniqueConstraint(
            "provider", "provider_payment_id", name=op.f("uq_payment_provider_provider_payment_id")
        ),
    )
    op.create_index(op.f("ix_payment_created_at"), "payment", ["created_at"], unique=False)
    op.create_index(op.f("ix_payment_order_id"), "payment", ["order_id"], unique=False)

    op.create_table(
        "review",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("gig_id", sa.Uuid(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=False),
        sa.Column("communication", sa.SmallInteger(), nullable=True),
        sa.Column("quality", sa.SmallInteger(), nullable=True),
        sa.Column("timeliness", sa.SmallInteger(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_by_id", sa.Uuid(), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.Column("reply", sa.String(length=2000), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "communication IS NULL OR communication BETWEEN 1 AND 5",
            name=op.f("ck_review_communication_one_to_five"),
        ),
        sa.CheckConstraint(
            "quality IS NULL OR quality BETWEEN 1 AND 5", name=op.f("ck_review_quality_one_to_five")
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_review_rating_one_to_five")),
        sa.CheckConstraint(
            "timeliness IS NULL OR timeliness BETWEEN 1 AND 5",
            name=op.f("ck_review_timeliness_one_to_five"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_review_author_id_user"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["gig.id"], name=op.f("fk_review_gig_id_gig"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"],
            ["user.id"],
            name=op.f("fk_review_hidden_by_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_review_order_id_orders"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["user.id"], name=op.f("fk_review_subject_id_user"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("order_id", "author_id", name=op.f("uq_review_order_id_author_id")),
    )
    op.create_index(op.f("ix_review_author_id"), "review", ["author_id"], unique=False)
    op.create_index(op.f("ix_review_created_at"), "review", ["created_at"], unique=False)
    op.create_index(
        "ix_review_gig_id_published_at", "review", ["gig_id", "published_at"], unique=False
    )
    op.create_index(
        "ix_review_subject_id_published_at", "review", ["subject_id", "published_at"], unique=False
    )

    op.create_table(
        "conversation_participant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("last_read_seq", sa.Integer(), nullable=False),
        sa.Column("last_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_participant_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_conversation_participant_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_participant")),
        sa.UniqueConstraint(
            "conversation_id",
            "user_id",
            name=op.f("uq_conversation_participant_conversation_id_user_id"),
        ),
    )
    op.create_index(
        op.f("ix_conversation_participant_created_at"),
        "conversation_participant",
        ["created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_conversation_participant_user_id"),
        "conversation_participant",
        ["user_id"],
        unique=False,
    )

    op.create_table(
        "delivery_file",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["delivery.id"],
            name=op.f("fk_delivery_file_delivery_id_delivery"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_delivery_file_file_id_stored_file"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_file")),
        sa.UniqueConstraint(
            "delivery_id", "file_id", name=op.f("uq_delivery_file_delivery_id_file_id")
        ),
    )
    op.create_index(
        op.f("ix_delivery_file_created_at"), "delivery_file", ["created_at"], unique=False
    )
    op.create_index(op.f("ix_delivery_file_file_id"), "delivery_file", ["file_id"], unique=False)

    op.create_table(
        "dispute_file",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispute_id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["dispute.id"],
            name=op.f("fk_dispute_file_dispute_id_dispute"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_dispute_file_file_id_stored_file"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_file")),
        sa.UniqueConstraint(
            "dispute_id", "file_id", name=op.f("uq_dispute_file_dispute_id_file_id")
        ),
    )
    op.create_index(
        op.f("ix_dispute_file_created_at"), "dispute_file", ["created_at"], unique=False
    )
    op.create_index(op.f("ix_dispute_file_file_id"), "dispute_file", ["file_id"], unique=False)

    op.create_table(
        "ledger_posting",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transaction_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_ledger_posting_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_account.id"],
            name=op.f("fk_ledger_posting_account_id_ledger_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transaction.id"],
            name=op.f("fk_ledger_posting_transaction_id_ledger_transaction"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_posting")),
    )
    op.create_index(
        "ix_ledger_posting_account_id_created_at",
        "ledger_posting",
        ["account_id", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_ledger_posting_created_at"), "ledger_posting", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_ledger_posting_transaction_id"), "ledger_posting", ["transaction_id"], unique=False
    )

    op.create_table(
        "message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("sender_id", sa.Uuid(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.String(length=5000), nullable=False),
        sa.Column("client_message_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_message_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["user.id"], name=op.f("fk_message_sender_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
        sa.UniqueConstraint(
            "conversation_id",
            "sender_id",
            "client_message_id",
            name=op.f("uq_message_conversation_id_sender_id_client_message_id"),
        ),
        sa.UniqueConstraint("conversation_id", "seq", name=op.f("uq_message_conversation_id_seq")),
    )
    op.create_index(op.f("ix_message_created_at"), "message", ["created_at"], unique=False)
    op.create_index(op.f("ix_message_sender_id"), "message", ["sender_id"], unique=False)

    op.create_table(
        "message_attachment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_message_attachment_file_id_stored_file"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["message.id"],
            name=op.f("fk_message_attachment_message_id_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachment")),
        sa.UniqueConstraint(
            "message_id", "file_id", name=op.f("uq_message_attachment_message_id_file_id")
        ),
    )
    op.create_index(
        op.f("ix_message_attachment_created_at"), "message_attachment", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_message_attachment_file_id"), "message_attachment", ["file_id"], unique=False
    )


def downgrade() -> None:
    if op.get_context().dialect.supports_alter:
        op.drop_constraint(op.f("fk_user_avatar_file_id_stored_file"), "user", type_="foreignkey")
    # Dropping a table drops its indexes.
    op.drop_table("message_attachment")
    op.drop_table("message")
    op.drop_table("ledger_posting")
    op.drop_table("dispute_file")
    op.drop_table("delivery_file")
    op.drop_table("conversation_participant")
    op.drop_table("review")
    op.drop_table("payment")
    op.drop_table("order_event")
    op.drop_table("ledger_transaction")
    op.drop_table("ledger_account")
    op.drop_table("dispute")
    op.drop_table("delivery")
    op.drop_table("conversation")
    op.drop_table("orders")
    op.drop_table("gig_package")
    op.drop_table("gig_image")
    op.drop_table("favorite")
    op.drop_table("application")
    op.drop_table("user_skill")
    op.drop_table("user_badge")
    op.drop_table("stored_file")
    op.drop_table("refresh_token")
    op.drop_table("outbound_message")
    op.drop_table("one_time_code")
    op.drop_table("notification_preference")
    op.drop_table("notification")
    op.drop_table("idempotency_record")
    op.drop_table("gig")
    op.drop_table("audit_log")
    op.drop_table("webhook_event")
    op.drop_table("user")
    op.drop_table("skill")
    op.drop_table("scheduled_job")
    op.drop_table("category")

"""The audit log: every admin action, who did it, to what."""

import uuid
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field

from models.base import Entity


class AuditLog(Entity, table=True):
    """An append-only record of an action; RESTRICT on the actor, since who did it is the point."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor_id_created_at", "actor_id", "created_at"),
        Index("ix_audit_log_target_type_target_id", "target_type", "target_id"),
    )

    # None for actions the system takes on its own (the scheduler).
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="RESTRICT")
    action: str = Field(max_length=64)
    target_type: str = Field(max_length=64)
    target_id: uuid.UUID | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)

"""Disputes: either side freezes the escrow; an admin releases it, refunds it, or splits it."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, or_, select

from models.audit import AuditLog
from models.errors import ErrorCode, Forbidden, InvalidTransition, NotFound, ValidationFailed
from models.escrow import seller_share_of
from models.file import FilePurpose, StoredFile
from models.order import (
    REASON_MAX,
    Dispute,
    DisputeFile,
    DisputeOutcome,
    DisputeStatus,
    Order,
    OrderStatus,
)
from models.order_state import Actor
from models.user import User
from models.validation import clean_text
from resolvers.context import Context
from resolvers.files import claim_ready_files, share_rule
from resolvers.pagination import Ordering, Page, SortKey, paginate
from resolvers.transitions import lock_order, may_see, move, order_as

EVIDENCE_MAX = 10_000
DISPUTE_COLUMNS = tuple(Dispute.__table__.c)
DISPUTES = Ordering(
    "disputes",
    (
        SortKey("t", Dispute.created_at, descending=True, kind=datetime),
        SortKey("id", Dispute.id, descending=True, kind=uuid.UUID),
    ),
)


async def open_dispute(
    ctx: Context,
    *,
    order_id: uuid.UUID,
    reason: str,
    evidence: str | None = None,
    file_ids: Sequence[uuid.UUID] = (),
) -> Dispute:
    """Take a funded order to an admin as its buyer or seller; its escrow stays frozen."""
    order, viewer, actor = await order_as(ctx, order_id, Actor.BUYER, Actor.SELLER)
    text = clean_text(reason, field="reason", max_length=REASON_MAX, required=True)
    details = clean_text(evidence, field="evidence", max_length=EVIDENCE_MAX) or ""
    files = await claim_ready_files(
        ctx, file_ids=list(file_ids), purpose=FilePurpose.DISPUTE_EVIDENCE, field="fileIds"
    )
    await move(ctx, order, OrderStatus.DISPUTED, actor=actor, actor_id=viewer.id, reason=text)
    dispute = Dispute(order_id=order.id, opened_by_id=viewer.id, reason=text, evidence=details)
    ctx.session.add(dispute)
    await ctx.session.flush()
    ctx.session.add_all(DisputeFile(dispute_id=dispute.id, file_id=f.id) for f in files)
    await ctx.commit()
    return dispute


async def resolve_dispute(
    ctx: Context,
    *,
    dispute_id: uuid.UUID,
    outcome: DisputeOutcome,
    seller_share_bps: int | None = None,
    seller_share_amount: int | None = None,
    note: str | None = None,
) -> Dispute:
    """Decide a dispute as an admin: release the escrow, refund it, or split the price."""
    viewer = await ctx.require_viewer()
    order_id = await ctx.session.scalar(select(Dispute.order_id).where(Dispute.id == dispute_id))
    order = order_id and await lock_order(ctx, order_id)
    # Read under the order's lock: a concurrent resolution has committed or not started.
    dispute = order and await ctx.session.get(Dispute, dispute_id, populate_existing=True)
    if dispute is None or order is None or not may_see(viewer, order):
        raise NotFound("No such dispute", field="disputeId")
    if not viewer.is_admin:
        raise Forbidden("Only an admin may resolve a dispute")
    if dispute.status is not DisputeStatus.OPEN:
        raise InvalidTransition("This dispute is already resolved", field="disputeId")
    comment = clean_text(note, field="note", max_length=REASON_MAX)
    share = _seller_share(order, outcome, seller_share_bps, seller_share_amount)
    to = OrderStatus.REFUNDED if outcome is DisputeOutcome.REFUND else OrderStatus.COMPLETED
    reason = f"Dispute resolved: {outcome.value}" + (f" ({comment})" if comment else "")
    await move(
        ctx, order, to, actor=Actor.ADMIN, actor_id=viewer.id, reason=reason, seller_share=share
    )
    now = ctx.services.clock.now()
    dispute.status, dispute.outcome, dispute.note = DisputeStatus.RESOLVED, outcome, comment
    dispute.seller_share_minor, dispute.resolved_by_id, dispute.resolved_at = share, viewer.id, now
    ctx.session.add(
        AuditLog(
            actor_id=viewer.id,
            action="dispute.resolve",
            target_type="Dispute",
            target_id=dispute.id,
            detail={
                "order": str(order.id),
                "outcome": outcome.value,
                "seller_share_minor": share,
                "note": comment,
            },
        )
    )
    await ctx.commit()
    return dispute


def _seller_share(
    order: Order, outcome: DisputeOutcome, bps: int | None, amount: int | None
) -> int:
    """What the seller gets of the price: all of it, none of it, or the split asked for."""
    if outcome is not DisputeOutcome.SPLIT:
        if bps is not None or amount is not None:
            raise ValidationFailed(
                f"A share is given only with SPLIT, not with {outcome.value}",
                code=ErrorCode.INVALID_SPLIT,
                field="sellerShareBps",
            )
        return order.price if outcome is DisputeOutcome.RELEASE else 0
    return seller_share_of(order.price, bps=bps, amount=amount)


async def visible_dispute(ctx: Context, *, dispute_id: uuid.UUID) -> Dispute | None:
    """A dispute, for the order's two sides and admins; `None` for anyone else."""
    viewer = await ctx.viewer()
    dispute = await ctx.session.get(Dispute, dispute_id) if viewer is not None else None
    order = dispute and await ctx.session.get(Order, dispute.order_id)
    return dispute if order is not None and may_see(viewer, order) else None


async def disputes(
    ctx: Context, *, status: DisputeStatus | None, first: int | None, after: str | None
) -> Page:
    """Every dispute, newest first, for admins."""
    viewer = await ctx.require_viewer()
    if not viewer.is_admin:
        raise Forbidden("Only admins see the disputes")
    statement = select(*DISPUTE_COLUMNS)
    if status is not None:
        statement = statement.where(Dispute.status == status)
    return await paginate(ctx.session, statement, DISPUTES, first=first, after=after)


@share_rule(FilePurpose.DISPUTE_EVIDENCE)
async def _both_sides_read_evidence(ctx: Context, file: StoredFile, viewer: User) -> bool:
    """Each side of a dispute may read the evidence either side gave."""
    given = (
        select(DisputeFile.id)
        .join(Dispute, Dispute.id == DisputeFile.dispute_id)
        .join(Order, Order.id == Dispute.order_id)
        .where(
            DisputeFile.file_id == file.id,
            or_(Order.buyer_id == viewer.id, Order.seller_id == viewer.id),
        )
    )
    return bool(await ctx.session.scalar(select(exists(given))))

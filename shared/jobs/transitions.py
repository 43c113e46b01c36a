"""State changes of a job row: conditional, each with its event, in the caller's transaction.

A change is ``UPDATE … WHERE id = :id AND status IN (:from) … RETURNING``: when someone else moved the
job first, nothing matches and the change (and its event) does not happen, so a repeated step is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import and_, func, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared import metrics
from shared.billing import Outcome, settle
from shared.db import utcnow
from shared.events.service import write_event
from shared.jobs.env import JobEnv
from shared.jobs.registry import JobKind
from shared.queue import enqueue_after_commit, step_job_id
from shared.storage import Storage

RUN_STEP = "run_job_step"


def schedule_step(session: AsyncSession, kind: JobKind, job_id: str, seq: int, delay: float = 0.0) -> None:
    """Enqueue step ``seq`` of the job (after the caller's commit)."""
    enqueue_after_commit(
        session,
        RUN_STEP,
        kind.name,
        job_id,
        seq,
        job_id=step_job_id(kind.name, job_id, seq),
        defer_by=timedelta(seconds=delay) if delay > 0 else None,
    )


async def emit(
    session: AsyncSession,
    storage: Storage,
    ttl: timedelta,
    kind: JobKind,
    row: Any,
    what: str,
    *,
    refresh: bool = True,
    **extra: Any,
) -> None:
    """Write ``{kind}.{what}`` with ``data.job`` = the job exactly as GET returns it (``refresh=False``: ``row``
    is what an ``UPDATE … RETURNING`` just read, not to be read again)."""
    if what not in kind.events:
        raise ValueError(f"job kind {kind.name!r} declares no event {what!r}")
    await session.flush()
    if refresh:
        await session.refresh(row)
    job = await kind.serialize(session, storage, ttl, row)
    await write_event(
        session,
        owner_id=row.owner_id,
        type=f"{kind.name}.{what}",
        job_type=kind.name,
        job_id=row.id,
        data={"job": job.model_dump(mode="json"), **extra},
    )


async def transition(
    session: AsyncSession,
    env: JobEnv,
    kind: JobKind,
    job_id: str,
    *,
    from_statuses: Iterable[str] | None,
    to: str | None,
    event: str | None,
    values: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    unless_cancel_requested: bool = False,
) -> Any | None:
    """Conditional state change + its event in the caller's transaction; None if the job was not in
    ``from_statuses`` (None: any non-terminal status) — someone else moved it, so a repeated step is a no-op —
    or, with ``unless_cancel_requested``, if a cancel was recorded (the UPDATE waits for a cancel holding the row
    and then sees it)."""
    model = kind.model
    vals: dict[str, Any] = dict(values or {})
    if to is not None:
        vals["status"] = kind.status(to)
        if to in kind.terminal:
            vals.setdefault("finished_at", utcnow())
            vals.setdefault("next_run_at", None)
    vals["updated_at"] = utcnow()
    allowed = (
        model.status.in_(tuple(from_statuses)) if from_statuses is not None else model.status.not_in(kind.terminal)
    )
    if unless_cancel_requested:
        allowed = and_(allowed, model.cancel_requested_at.is_(None))
    stmt = (
        update(model)
        .where(model.id == job_id, allowed)
        .values(**vals)
        .returning(model)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is not None and to in kind.terminal:
        metrics.job_finished(kind.name, to, vals.get("error_code"))
        # The one billing hook: capture what a job delivered, refund the rest, give a failed or canceled
        # job's quota back — in this transaction, idempotently. A job that named no end user was never
        # admitted against one (``shared.billing.admit`` writes no record): nothing to settle, no statement.
        if getattr(row, "end_user", "") is not None:
            delivered = kind.delivered(row) if kind.delivered and to == "succeeded" else None
            await settle(session, kind.name, job_id, cast(Outcome, str(to)), delivered)
    if row is not None and event is not None:
        ttl = env.settings.signed_url_ttl
        await emit(session, env.storage, ttl, kind, row, event, refresh=False, **(extra or {}))
    return row


def progress_value(model: Any, value: float) -> Any:
    """Progress never goes backwards, whatever order steps land in."""
    return func.greatest(model.progress, max(0.0, min(1.0, value)))


async def create_job(session: AsyncSession, storage: Storage, ttl: timedelta, kind: JobKind, row: Any) -> None:
    """Insert a new job row, its ``queued`` event, and schedule its first step after commit."""
    row.status = kind.queued
    row.next_run_at = utcnow()
    session.add(row)
    await session.flush()
    await emit(session, storage, ttl, kind, row, "queued")
    schedule_step(session, kind, row.id, row.step_seq)

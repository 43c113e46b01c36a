"""The one job mechanism: claim a step, run it, schedule the next — safe to repeat at every point.

Postgres owns job state; arq only triggers work. A step is named by the job's ``step_seq``: the arq job
``{kind}:{id}:{seq}`` runs only if ``seq`` is still current and it wins the lease (a conditional
``UPDATE … RETURNING``), so duplicates, stale deferred polls and jobs re-run by arq after a crash are
harmless. The lease is extended by a heartbeat while the step runs; a killed worker's lease simply expires
and the reconciler bumps ``step_seq`` and enqueues a fresh step.
"""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.errors import Conflict
from shared.events.service import write_event
from shared.fal.errors import ProviderError
from shared.jobs.env import JobEnv
from shared.jobs.registry import TERMINAL, JobKind, all_kinds, get_kind
from shared.queue import commit, enqueue_after_commit, step_job_id

log = structlog.get_logger("jobs")

RUN_STEP = "run_job_step"
MAX_TRANSIENT_ATTEMPTS = 8


def _lease_free(model: Any) -> Any:
    return or_(model.lease_until.is_(None), model.lease_until < func.now())


def schedule_step(session: AsyncSession, kind: JobKind, job_id: str, seq: int, delay: float = 0.0) -> None:
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
    session: AsyncSession, env_storage: Any, ttl: int, kind: JobKind, row: Any, what: str, **extra: Any
) -> None:
    """Write ``{kind}.{what}`` with ``data.job`` = the job exactly as GET returns it."""
    await session.flush()
    await session.refresh(row)
    job = await kind.serialize(session, env_storage, ttl, row)
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
    from_statuses: tuple[str, ...] | None,
    to: str | None,
    event: str | None,
    values: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Any | None:
    """Conditional state change + its event in the caller's transaction; None if the job was not in
    ``from_statuses`` (None: any non-terminal status) — someone else moved it, so a repeated step is a no-op."""
    model = kind.model
    vals: dict[str, Any] = dict(values or {})
    if to is not None:
        vals["status"] = to
        if to in TERMINAL:
            vals.setdefault("finished_at", utcnow())
            vals.setdefault("next_run_at", None)
    vals["updated_at"] = utcnow()
    stmt = (
        update(model)
        .where(
            model.id == job_id,
            model.status.in_(from_statuses) if from_statuses is not None else model.status.not_in(TERMINAL),
        )
        .values(**vals)
        .returning(model)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is not None and event is not None:
        await emit(session, env.storage, env.settings.signed_url_ttl_seconds, kind, row, event, **(extra or {}))
    return row


def progress_value(model: Any, value: float) -> Any:
    """Progress never goes backwards, whatever order steps land in."""
    return func.greatest(model.progress, max(0.0, min(1.0, value)))


async def create_job(session: AsyncSession, env_storage: Any, ttl: int, kind: JobKind, row: Any) -> None:
    """Insert a new job row, its ``queued`` event, and schedule its first step after commit."""
    row.status = kind.queued_status
    row.next_run_at = utcnow()
    session.add(row)
    await session.flush()
    await emit(session, env_storage, ttl, kind, row, "queued")
    schedule_step(session, kind, row.id, row.step_seq)


async def request_cancel(
    session: AsyncSession, env: JobEnv, kind: JobKind, job_id: str, *, cancelable: tuple[str, ...]
) -> Any:
    """API side of cancel. A job nobody is working on and that has not started is canceled at once;
    otherwise the cancel is recorded and a step is scheduled now, and the worker asks the provider to cancel."""
    model = kind.model
    row = await session.get(model, job_id, with_for_update=True, populate_existing=True)
    assert row is not None
    if row.status in TERMINAL:
        raise Conflict(f"The {kind.name} already ended ({row.status}).", code="job_already_terminal")
    if row.status not in cancelable:
        raise Conflict(f"A {kind.name} in status {row.status!r} can no longer be canceled.", code="job_not_cancelable")
    now = utcnow()
    lease_free = row.lease_until is None or row.lease_until < now
    if row.status == kind.queued_status and lease_free and not row.provider_request_id:
        await transition(
            session,
            env,
            kind,
            job_id,
            from_statuses=(kind.queued_status,),
            to="canceled",
            event="canceled",
            values={"cancel_requested_at": now, "lease_until": None},
        )
        return row
    # next_run_at = now: should the worker holding the lease vanish, the reconciler finishes the cancel.
    values: dict[str, Any] = {"cancel_requested_at": now, "next_run_at": now}
    if lease_free:
        values.update(step_seq=model.step_seq + 1)
    stmt = update(model).where(model.id == job_id).values(**values).returning(model.step_seq)
    seq = (await session.execute(stmt)).scalar_one()
    if lease_free:
        schedule_step(session, kind, job_id, seq)
    await session.refresh(row)
    return row


async def _claim(env: JobEnv, kind: JobKind, job_id: str, seq: int) -> tuple[bool, str | None]:
    model = kind.model
    async with env.sessionmaker() as session:
        stmt = (
            update(model)
            .where(model.id == job_id, model.step_seq == seq, model.status.not_in(TERMINAL), _lease_free(model))
            .values(lease_until=func.now() + timedelta(seconds=env.settings.job_lease_seconds))
            .returning(model.id, model.request_id)
        )
        row = (await session.execute(stmt)).one_or_none()
        await session.commit()
        return (row is not None, row[1] if row is not None else None)


async def _heartbeat(env: JobEnv, kind: JobKind, job_id: str, seq: int) -> None:
    model = kind.model
    interval = env.settings.job_lease_seconds / 3
    while True:
        await asyncio.sleep(interval)
        async with env.sessionmaker() as session:
            await session.execute(
                update(model)
                .where(model.id == job_id, model.step_seq == seq)
                .values(lease_until=func.now() + timedelta(seconds=env.settings.job_lease_seconds))
            )
            await session.commit()


def backoff(attempt: int, base: float = 0.5, cap: float = 30.0) -> float:
    """Exponential backoff with full jitter."""
    return float(random.uniform(0, min(cap, base * 2 ** max(0, attempt - 1))))


async def fail_job(env: JobEnv, kind: JobKind, job_id: str, code: str, message: str) -> None:
    async with env.sessionmaker() as session:
        await transition(
            session,
            env,
            kind,
            job_id,
            from_statuses=None,
            to="failed",
            event="failed",
            values={"error_code": code, "error_message": message},
        )
        await commit(session, env.redis)


async def run_step(env: JobEnv, kind_name: str, job_id: str, seq: int) -> str:
    kind = get_kind(kind_name)
    claimed, request_id = await _claim(env, kind, job_id, seq)
    if not claimed:
        return "skipped"
    if request_id:
        structlog.contextvars.bind_contextvars(request_id=request_id)
    heartbeat = asyncio.create_task(_heartbeat(env, kind, job_id, seq))
    delay: float | None
    transient = False
    try:
        delay = await kind.advance(env, job_id)
    except ProviderError as exc:
        if not exc.retryable:
            await fail_job(env, kind, job_id, exc.code, exc.message)
            delay = None
        else:
            transient = True
            delay = None
            log.warning("job_step_transient_error", kind=kind_name, job_id=job_id, code=exc.code, error=str(exc))
    except (OSError, TimeoutError) as exc:
        transient = True
        delay = None
        log.warning("job_step_transient_error", kind=kind_name, job_id=job_id, error=repr(exc))
    finally:
        heartbeat.cancel()
    await _finish_step(env, kind, job_id, seq, delay, transient)
    return "ran"


async def _finish_step(env: JobEnv, kind: JobKind, job_id: str, seq: int, delay: float | None, transient: bool) -> None:
    model = kind.model
    async with env.sessionmaker() as session:
        row = await session.get(model, job_id, with_for_update=True, populate_existing=True)
        if row is None or row.step_seq != seq:
            return
        values: dict[str, Any] = {"lease_until": None}
        if transient:
            attempt = row.attempt + 1
            if attempt > MAX_TRANSIENT_ATTEMPTS:
                await session.rollback()
                await fail_job(env, kind, job_id, "provider_unavailable", "The provider kept failing; gave up.")
                return
            values["attempt"] = attempt
            delay = backoff(attempt)
        elif row.attempt:
            values["attempt"] = 0
        if row.status in TERMINAL:
            delay = None
        elif row.cancel_requested_at is not None and delay is not None:
            delay = 0.0
        if delay is None:
            values["next_run_at"] = None if row.status in TERMINAL else row.next_run_at
        else:
            values["step_seq"] = seq + 1
            values["next_run_at"] = utcnow() + timedelta(seconds=delay)
        await session.execute(update(model).where(model.id == job_id).values(**values))
        if delay is not None:
            schedule_step(session, kind, job_id, seq + 1, delay)
        await commit(session, env.redis)


async def reconcile_jobs(env: JobEnv, grace_seconds: float = 5.0) -> int:
    """Re-enqueue steps that are due but have no live job (worker killed, enqueue lost).

    A non-terminal job whose ``next_run_at`` passed more than ``grace_seconds`` ago and whose lease is free
    gets ``step_seq`` bumped (invalidating whatever arq may still hold) and a fresh step enqueued."""
    count = 0
    for kind in all_kinds():
        model = kind.model
        async with env.sessionmaker() as session:
            stmt = (
                update(model)
                .where(
                    model.status.not_in(TERMINAL),
                    model.next_run_at.is_not(None),
                    model.next_run_at < func.now() - timedelta(seconds=grace_seconds),
                    _lease_free(model),
                )
                .values(step_seq=model.step_seq + 1, next_run_at=func.now())
                .returning(model.id, model.step_seq)
            )
            rows = (await session.execute(stmt)).all()
            for job_id, seq in rows:
                schedule_step(session, kind, job_id, seq)
            await commit(session, env.redis)
            count += len(rows)
            if rows:
                log.info("reconciled_jobs", kind=kind.name, count=len(rows))
    return count


async def count_live(session: AsyncSession, kind: JobKind) -> int:
    model = kind.model
    return int(await session.scalar(select(func.count()).select_from(model).where(model.status.not_in(TERMINAL))) or 0)

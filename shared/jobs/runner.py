"""The one job mechanism: claim a step, run it, schedule the next — safe to repeat at every point.

Postgres owns job state; arq only triggers work. A step is named by the job's ``step_seq``: the arq job
``{kind}:{id}:{seq}`` runs only if ``seq`` is still current and it wins the lease (``shared.jobs.lease``),
so duplicates, stale deferred polls and jobs re-run by arq after a crash are harmless. The lease is
extended by a heartbeat while the step runs; a killed worker's lease simply expires and the reconciler
bumps ``step_seq`` and enqueues a fresh step.

The runner owns everything a kind has in common: loading the row, moving ``queued`` on, cancel,
non-retryable provider failure (the job fails), transient errors (the step is retried with backoff) and
"reconcile now" for provider callbacks. The kind's :class:`~shared.jobs.steps.ProviderSteps` do the rest.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.errors import Conflict
from shared.fal.errors import ProviderError
from shared.jobs import lease
from shared.jobs.env import JobEnv
from shared.jobs.registry import JobKind
from shared.jobs.steps import Job
from shared.jobs.transitions import RUN_STEP, create_job, schedule_step, transition
from shared.queue import commit

__all__ = ["RUN_STEP", "create_job", "reconcile_jobs", "reconcile_now", "request_cancel", "run_step"]

log = structlog.get_logger("jobs")

MAX_TRANSIENT_ATTEMPTS = 8
BACKOFF_BASE, BACKOFF_CAP = 0.5, 30.0


async def request_cancel(
    session: AsyncSession, env: JobEnv, kind: JobKind, job_id: str, *, cancelable: Any = None
) -> Any:
    """API side of cancel. A job nobody is working on and that has not started is canceled at once;
    otherwise the cancel is recorded and a step is scheduled now, and the worker asks the provider to cancel.
    (``cancelable`` is ignored: the kind declares it.)"""
    model = kind.model
    row = await session.get(model, job_id, with_for_update=True, populate_existing=True)
    assert row is not None
    if row.status in kind.terminal:
        raise Conflict(f"The {kind.name} already ended ({row.status}).", code="job_already_terminal")
    if row.status not in kind.cancelable:
        raise Conflict(f"A {kind.name} in status {row.status!r} can no longer be canceled.", code="job_not_cancelable")
    now = utcnow()
    lease_free = row.lease_until is None or row.lease_until < now
    if row.status == kind.queued and lease_free and not row.provider_request_id:
        ended = {"cancel_requested_at": now, "lease_until": None}
        await transition(
            session, env, kind, job_id, from_statuses=(kind.queued,), to="canceled", event="canceled", values=ended
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
    where = [
        model.id == job_id,
        model.step_seq == seq,
        model.status.not_in(kind.terminal),
        lease.is_free(model.lease_until),
    ]
    async with env.sessionmaker() as session:
        row = await lease.claim(
            session,
            model,
            model.lease_until,
            env.settings.job_lease_seconds,
            where,
            returning=[model.id, model.request_id],
        )
        await session.commit()
    return (row is not None, row[1] if row is not None else None)


async def fail_job(env: JobEnv, kind: JobKind, job_id: str, code: str, message: str) -> None:
    async with env.sessionmaker() as session:
        values = {"error_code": code, "error_message": message}
        row = await transition(
            session, env, kind, job_id, from_statuses=None, to="failed", event="failed", values=values
        )
        await commit(session, env.redis)
    if row is not None:  # a failed job keeps nothing half-made either (inputs it staged, partial copies)
        await kind.steps.cleanup(Job(env, kind, row))


async def advance(env: JobEnv, kind: JobKind, job_id: str) -> float | None:
    """One step of the job: nothing when it ended, the cancel when one was asked for, else the kind's step."""
    async with env.sessionmaker() as session:
        row = await session.get(kind.model, job_id)
    if row is None or row.status in kind.terminal:
        return None
    job = Job(env, kind, row)
    if row.cancel_requested_at is not None and row.status in kind.cancelable:
        await job.cancel()
        return None
    if row.status == kind.queued:
        values = {"started_at": utcnow(), **kind.steps.started_values(job)}
        moved = await job.move((kind.queued,), kind.started, "started", values)
        if moved is None:
            return 0.0
    return await kind.steps.advance(job)


async def run_step(env: JobEnv, kind_name: str, job_id: str, seq: int) -> str:
    kind = env.kinds.get(kind_name)
    claimed, request_id = await _claim(env, kind, job_id, seq)
    if not claimed:
        return "skipped"
    if request_id:
        structlog.contextvars.bind_contextvars(request_id=request_id)
    model = kind.model
    heartbeat = asyncio.create_task(
        lease.heartbeat(
            env.sessionmaker,
            model,
            model.lease_until,
            env.settings.job_lease_seconds,
            [model.id == job_id, model.step_seq == seq],
        )
    )
    delay: float | None = None
    transient = False
    try:
        delay = await advance(env, kind, job_id)
    except ProviderError as exc:
        if not exc.retryable:
            await fail_job(env, kind, job_id, exc.code, exc.message)
        else:
            transient = True
            log.warning("job_step_transient_error", kind=kind_name, job_id=job_id, code=exc.code, error=str(exc))
    except (OSError, TimeoutError) as exc:
        transient = True
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
            delay = lease.backoff(attempt, BACKOFF_BASE, BACKOFF_CAP)
        elif row.attempt:
            values["attempt"] = 0
        if row.status in kind.terminal:
            delay = None
        elif row.cancel_requested_at is not None and delay is not None:
            delay = 0.0
        if delay is None:
            values["next_run_at"] = None if row.status in kind.terminal else row.next_run_at
        else:
            values["step_seq"] = seq + 1
            values["next_run_at"] = utcnow() + timedelta(seconds=delay)
        await session.execute(update(model).where(model.id == job_id).values(**values))
        if delay is not None:
            schedule_step(session, kind, job_id, seq + 1, delay)
        await commit(session, env.redis)


def _reschedulable(kind: JobKind) -> list[Any]:
    model = kind.model
    return [model.status.not_in(kind.terminal), lease.is_free(model.lease_until)]


async def reconcile_now(session: AsyncSession, kind: JobKind, job_id: str) -> bool:
    """The reconciler, for one job (a provider callback says its request changed): if nobody holds its lease
    and it is not finished, bump ``step_seq`` (invalidating the deferred poll) and schedule a step now (sent
    after the caller commits). A job whose step is running is left alone: that step is already looking."""
    model = kind.model
    rows = await lease.claim_due(
        session,
        model,
        [model.id == job_id, *_reschedulable(kind)],
        values={"step_seq": model.step_seq + 1, "next_run_at": func.now()},
        returning=[model.step_seq],
    )
    if not rows:
        return False
    schedule_step(session, kind, job_id, rows[0][0])
    return True


async def reconcile_jobs(env: JobEnv, grace_seconds: float = 5.0) -> int:
    """Re-enqueue steps that are due but have no live job (worker killed, enqueue lost).

    A non-terminal job whose ``next_run_at`` passed more than ``grace_seconds`` ago and whose lease is free
    gets ``step_seq`` bumped (invalidating whatever arq may still hold) and a fresh step enqueued."""
    count = 0
    for kind in env.kinds:
        model = kind.model
        due = [model.next_run_at.is_not(None), lease.is_overdue(model.next_run_at, grace_seconds)]
        async with env.sessionmaker() as session:
            rows = await lease.claim_due(
                session,
                model,
                [*due, *_reschedulable(kind)],
                values={"step_seq": model.step_seq + 1, "next_run_at": func.now()},
                returning=[model.id, model.step_seq],
            )
            for job_id, seq in rows:
                schedule_step(session, kind, job_id, seq)
            await commit(session, env.redis)
        count += len(rows)
        if rows:
            log.info("reconciled_jobs", kind=kind.name, count=len(rows))
    return count

"""The one job mechanism: claim a step, run it, schedule the next — safe to repeat at every point.

Postgres owns job state; arq only triggers work. A step is named by the job's ``step_seq``: the arq job
``{kind}:{id}:{seq}`` runs only if ``seq`` is still current and it wins the lease (``shared.jobs.lease``),
so duplicates, stale deferred polls and jobs re-run by arq after a crash are harmless. The lease is
extended by a heartbeat while the step runs; a killed worker's lease simply expires and the reconciler
bumps ``step_seq`` and enqueues a fresh step.

The runner owns everything a kind has in common: loading the row, moving ``queued`` on, cancel,
non-retryable provider failure (the job fails), transient errors (the step is retried with backoff),
unexpected errors (retried with backoff ``Settings.job_step_error_attempts`` times, then the job fails
``job_step_failed``: a row a step cannot handle is never retried forever) and "reconcile now" for provider
callbacks. The kind's :class:`~shared.jobs.steps.ProviderSteps` do the rest.

Recovery is quick: a lease records the worker holding it, and the reconciler frees the lease of a worker
whose liveness key is gone (``shared.jobs.liveness``) instead of waiting it out; a step cancelled by a
graceful shutdown hands its lease back and schedules its successor at once. Every kind has a deadline
(``Settings.deadline_seconds``): past it the provider is asked to cancel and the job fails
``provider_timeout``. When a job ends, whatever the outcome, its temporary objects are discarded.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import and_, func, or_, select, union, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from shared import metrics
from shared.db import utcnow
from shared.errors import Conflict
from shared.fal.errors import ProviderError
from shared.jobs import lease, liveness
from shared.jobs.env import JobEnv
from shared.jobs.registry import JobKind
from shared.jobs.steps import Job
from shared.jobs.transitions import RUN_STEP, create_job, schedule_step, transition
from shared.queue import commit

__all__ = ["RUN_STEP", "create_job", "reconcile_jobs", "reconcile_now", "request_cancel", "run_step"]

log = structlog.get_logger("jobs")

MAX_TRANSIENT_ATTEMPTS = 8
# A step that meets one of these is retried with backoff: the database or a network path was away for a moment.
TRANSIENT = (OSError, TimeoutError, OperationalError, InterfaceError)
BACKOFF_BASE, BACKOFF_CAP = 0.5, 30.0


async def request_cancel(session: AsyncSession, env: JobEnv, kind: JobKind, job_id: str) -> Any:
    """API side of cancel (the kind declares which statuses can be canceled). A job nobody is working on and
    that has not started is canceled at once (with its kind's ``on_cancel`` values, as the worker's cancel);
    otherwise the cancel is recorded and a step is scheduled now, and the worker asks the provider to cancel."""
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
        ended.update(await kind.steps.on_cancel(Job(env, kind, row), session))
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


async def _claim(env: JobEnv, kind: JobKind, job_id: str, seq: int) -> tuple[Any | None, str | None]:
    """Take step ``seq``'s lease; returns the row as it now is (None when the step is not to run) and the first
    submission nonce when this step started the job.

    A job still ``queued`` (and not being canceled) starts in the same transaction, with its first submission
    nonce: one transaction from pickup to the submit. Should the start raise (a row its kind cannot serialize),
    the claim is taken alone and the step meets the error again where the bounded retries count it."""
    try:
        return await _claim_once(env, kind, job_id, seq, start=True)
    except TRANSIENT:
        raise
    except Exception as exc:
        log.warning("job_start_with_claim_failed", kind=kind.name, job_id=job_id, error=repr(exc))
        return await _claim_once(env, kind, job_id, seq, start=False)


async def _claim_once(
    env: JobEnv, kind: JobKind, job_id: str, seq: int, *, start: bool
) -> tuple[Any | None, str | None]:
    model = kind.model
    where = [
        model.id == job_id,
        model.step_seq == seq,
        model.status.not_in(kind.terminal),
        lease.is_free(model.lease_until),
    ]
    async with env.sessionmaker() as session:
        found = await lease.claim(
            session,
            model,
            model.lease_until,
            env.settings.job_lease_seconds,
            where,
            values={"lease_owner": env.worker_id},
            returning=[model],
        )
        row, nonce = (found[0] if found is not None else None), None
        if start and row is not None and row.status == kind.queued and row.cancel_requested_at is None:
            nonce = None if row.provider_request_id else secrets.token_hex(8)
            values = {"started_at": utcnow(), **kind.steps.started_values(Job(env, kind, row))}
            if nonce:
                values["submit_nonce"] = nonce
            # The lease's UPDATE holds the row: it is still queued, so the move happens.
            row = await transition(
                session,
                env,
                kind,
                job_id,
                from_statuses=(kind.queued,),
                to=kind.started,
                event="started",
                values=values,
            )
        await commit(session, env.redis)
    return row, nonce


async def fail_job(
    env: JobEnv, kind: JobKind, job_id: str, code: str, message: str, *, release_lease: bool = False
) -> None:
    async with env.sessionmaker() as session:
        values: dict[str, Any] = {"error_code": code, "error_message": message}
        if release_lease:  # the step giving up holds the lease: free it with the failure
            values.update(lease_until=None, lease_owner=None)
        row = await transition(
            session, env, kind, job_id, from_statuses=None, to="failed", event="failed", values=values
        )
        await commit(session, env.redis)
    if row is not None:  # a failed job keeps nothing half-made either (inputs it staged, partial copies)
        try:
            await kind.steps.cleanup(Job(env, kind, row))
        except Exception as exc:  # the failure stands; the periodic sweep catches partial leftovers
            log.warning("job_cleanup_failed", kind=kind.name, job_id=job_id, error=repr(exc))


async def advance(env: JobEnv, kind: JobKind, row: Any, nonce: str | None = None) -> float | None:
    """One step of the job whose lease this step holds (``row`` as the claim returned it; ``nonce`` when the
    claim started it): nothing when it ended, the cancel when one was asked for, else the kind's step."""
    if row is None or row.status in kind.terminal:
        return None
    job = Job(env, kind, row)
    if row.cancel_requested_at is not None and row.status in kind.cancelable:
        await job.cancel()
        return None
    if row.status == kind.queued:  # the claim could not start it (see _claim): start it here
        nonce = None if row.provider_request_id else secrets.token_hex(8)
        values = {"started_at": utcnow(), **kind.steps.started_values(job)}
        if nonce:
            values["submit_nonce"] = nonce
        moved = await job.move((kind.queued,), kind.started, "started", values)
        if moved is None:
            return 0.0
    job.started_nonce = nonce
    left = job.deadline_left()
    if left <= 0:
        await job.expire()
        return None
    delay = await kind.steps.advance(job)
    # Wake up at the deadline at the latest, whatever the poll policy says.
    return None if delay is None else min(delay, max(0.0, job.deadline_left()))


async def run_step(env: JobEnv, kind_name: str, job_id: str, seq: int) -> str:
    kind = env.kinds.get(kind_name)
    row, nonce = await _claim(env, kind, job_id, seq)
    if row is None:
        return "skipped"
    if row.request_id:
        structlog.contextvars.bind_contextvars(request_id=row.request_id)
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
    error: str | None = None  # the type of an unexpected exception the step raised
    started = time.perf_counter()
    try:
        delay = await advance(env, kind, row, nonce)
    except ProviderError as exc:
        if not exc.retryable:
            await fail_job(env, kind, job_id, exc.code, exc.message)
        else:
            transient = True
            log.warning("job_step_transient_error", kind=kind_name, job_id=job_id, code=exc.code, error=str(exc))
    except TRANSIENT as exc:
        transient = True
        log.warning("job_step_transient_error", kind=kind_name, job_id=job_id, error=repr(exc))
    except Exception as exc:  # a bug or a row the step cannot handle: retried a bounded number of times
        error = type(exc).__name__
        log.exception("job_step_error", kind=kind_name, job_id=job_id, error=repr(exc))
    except asyncio.CancelledError:
        # A graceful shutdown (or arq's job timeout): give the step back now rather than after the lease.
        heartbeat.cancel()
        await asyncio.shield(_hand_back(env, kind, job_id, seq))
        raise
    finally:
        heartbeat.cancel()
    outcome = "error" if error else "transient" if transient else "ok"
    metrics.observe_step(kind_name, outcome, time.perf_counter() - started)
    ended = await _finish_step(env, kind, job_id, seq, delay, transient, error)
    if ended is not None:
        await discard_temporary(Job(env, kind, ended))
    return "ran"


async def discard_temporary(job: Job) -> None:
    """The job ended: drop its temporary objects (best effort; the periodic sweep catches what is left)."""
    try:
        await job.kind.steps.discard_temporary(job)
    except Exception as exc:  # the job's outcome stands whatever happens to its leftovers
        log.warning("job_discard_temporary_failed", kind=job.kind.name, job_id=job.id, error=repr(exc))


async def _hand_back(env: JobEnv, kind: JobKind, job_id: str, seq: int) -> None:
    """Release the lease of step ``seq`` and schedule step ``seq + 1`` now (another worker takes it)."""
    model = kind.model
    try:
        async with env.sessionmaker() as session:
            stmt = (
                update(model)
                .where(model.id == job_id, model.step_seq == seq, model.status.not_in(kind.terminal))
                .values(lease_until=None, lease_owner=None, step_seq=seq + 1, next_run_at=func.now())
                .returning(model.step_seq)
            )
            if (await session.execute(stmt)).scalar_one_or_none() is not None:
                schedule_step(session, kind, job_id, seq + 1)
            await commit(session, env.redis)
        log.info("job_step_handed_back", kind=kind.name, job_id=job_id, seq=seq)
    except Exception as exc:  # the lease then simply expires and the reconciler takes over
        log.warning("job_step_hand_back_failed", kind=kind.name, job_id=job_id, error=repr(exc))


async def _finish_step(
    env: JobEnv, kind: JobKind, job_id: str, seq: int, delay: float | None, transient: bool, error: str | None
) -> Any | None:
    """Release the lease and schedule the next step (after a backoff when the step failed); returns the row
    when the job has ended."""
    model = kind.model
    async with env.sessionmaker() as session:
        row = await session.get(model, job_id, with_for_update=True, populate_existing=True)
        if row is None or row.step_seq != seq:
            return row if row is not None and row.status in kind.terminal else None
        values: dict[str, Any] = {"lease_until": None, "lease_owner": None}
        if transient or error:
            attempt = row.attempt + 1
            if error and attempt > env.settings.job_step_error_attempts:
                await session.rollback()
                message = f"A step of the job failed unexpectedly {attempt} times in a row ({error}); gave up."
                await _give_up(env, kind, job_id, code="job_step_failed", message=message)
                return row
            if not error and attempt > MAX_TRANSIENT_ATTEMPTS:
                await session.rollback()
                message = "The provider kept failing; gave up."
                await fail_job(env, kind, job_id, "provider_unavailable", message, release_lease=True)
                return row
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
    return row if row.status in kind.terminal else None


async def _give_up(env: JobEnv, kind: JobKind, job_id: str, *, code: str, message: str) -> None:
    """Fail the job through the one transition (billing refund, ``failed`` event). Should that raise too (the
    row cannot even be serialized for its event), fail it without the event: it must not stay stuck."""
    try:
        await fail_job(env, kind, job_id, code, message, release_lease=True)
    except TRANSIENT:
        raise  # the database is away: the step's lease expires and the reconciler tries again
    except Exception as exc:
        log.exception("job_fail_event_error", kind=kind.name, job_id=job_id, error=repr(exc))
        async with env.sessionmaker() as session:
            values = {"error_code": code, "error_message": message, "lease_until": None, "lease_owner": None}
            await transition(session, env, kind, job_id, from_statuses=None, to="failed", event=None, values=values)
            await commit(session, env.redis)


def _reschedulable(kind: JobKind, dead_owners: frozenset[str] = frozenset()) -> list[Any]:
    model = kind.model
    free = lease.is_free(model.lease_until)
    if dead_owners:
        free = or_(free, and_(model.lease_owner.is_not(None), model.lease_owner.in_(sorted(dead_owners))))
    return [model.status.not_in(kind.terminal), free]


async def dead_lease_owners(env: JobEnv, session: AsyncSession) -> frozenset[str]:
    """Workers that hold an unexpired lease but whose liveness key is gone (they died); one query over every
    kind's table."""
    held = [
        select(kind.model.lease_owner).where(
            kind.model.lease_owner.is_not(None),
            kind.model.lease_until >= func.now(),
            kind.model.status.not_in(kind.terminal),
        )
        for kind in env.kinds
    ]
    owners = set((await session.scalars(union(*held))).all())
    owners.discard(env.worker_id or "")  # whatever its key says (a stalled loop), a worker is not dead to itself
    if not owners:
        return frozenset()
    return frozenset(owners - await liveness.alive(env.redis, owners))


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


async def reconcile_jobs(env: JobEnv, grace_seconds: float = 5.0, *, trust_liveness: bool = False) -> int:
    """Re-enqueue steps that are due but have no live job (worker killed, enqueue lost).

    A non-terminal job whose ``next_run_at`` passed more than ``grace_seconds`` ago and whose lease is free
    gets ``step_seq`` bumped (invalidating whatever arq may still hold) and a fresh step enqueued. With
    ``trust_liveness``, a lease held by a worker whose liveness key is gone counts as free.

    It runs every second on every deployment, nearly always to find nothing: one transaction asks every kind's
    table at once (the lease owners, then which kinds have due jobs), and only a kind with due jobs is updated
    (one transaction per kind, as before: a claim holds its rows only until its own commit)."""
    async with env.sessionmaker() as session:
        dead = await dead_lease_owners(env, session) if trust_liveness else frozenset()
        if dead:
            log.warning("dead_workers_leases_freed", workers=sorted(dead))
        checks = [and_(*_due(kind, grace_seconds), *_reschedulable(kind, dead)) for kind in env.kinds]
        probe = select(
            *(
                select(kind.model.id).where(check).limit(1).exists()
                for kind, check in zip(env.kinds, checks, strict=True)
            )
        )
        flags = (await session.execute(probe)).one()
    count = 0
    for kind, check, due in zip(env.kinds, checks, flags, strict=True):
        if not due:
            continue
        model = kind.model
        async with env.sessionmaker() as session:
            rows = await lease.claim_due(
                session,
                model,
                [check],
                values={"step_seq": model.step_seq + 1, "next_run_at": func.now(), "lease_until": None},
                returning=[model.id, model.step_seq],
            )
            for job_id, seq in rows:
                schedule_step(session, kind, job_id, seq)
            await commit(session, env.redis)
        count += len(rows)
        if rows:
            log.info("reconciled_jobs", kind=kind.name, count=len(rows))
    return count


def _due(kind: JobKind, grace_seconds: float) -> list[Any]:
    model = kind.model
    return [model.next_run_at.is_not(None), lease.is_overdue(model.next_run_at, grace_seconds)]

"""Enqueue after commit: jobs are buffered on the session and sent to arq only once it committed.

A worker must never see a job whose row does not exist yet (the anchors' regret), and a rolled-back
request must not leave a job behind. Job ids are deterministic, ``{kind}:{id}:{step_seq}``, so sending
the same step twice (a retry, the reconciler) makes one arq job.

Once the transaction committed, the work exists: its row carries ``next_run_at``, and the reconciler
enqueues any due step that has no live arq job. So a failed enqueue (Redis down for a moment) is logged and
left to the reconciler — never raised, which would answer a client 500 for a job that will run anyway and
invite a retry that creates (and charges) a second one.

After sending, the enqueuer rings the queue's doorbell (:func:`ring`): an idle worker waits on it (``BLPOP``)
instead of polling Redis every few milliseconds, so it picks a job up at once and costs nothing while idle.
A ring that is lost costs at most the worker's idle poll (``FOTOGEN_WORKER_IDLE_POLL_SECONDS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from arq.connections import ArqRedis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from shared import telemetry

log = structlog.get_logger("queue")

_KEY = "fotogen.after_commit_jobs"
TRACE_CONTEXT = "trace_context"  # the job keyword that carries the W3C trace context (only with tracing on)


DOORBELL_DEPTH = 16  # rings kept while no worker waits: one ring is enough to start every ready job


def doorbell_key(queue_name: str) -> str:
    return f"{queue_name}:doorbell"


async def ring(redis: ArqRedis, queue_name: str | None = None) -> None:
    """Wake one idle worker of ``queue_name`` (the pool's default queue): new work may be ready or due sooner."""
    key = doorbell_key(queue_name or redis.default_queue_name)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.lpush(key, b"1")
        pipe.ltrim(key, 0, DOORBELL_DEPTH - 1)
        await pipe.execute()


@dataclass(frozen=True)
class PendingJob:
    function: str
    args: tuple[Any, ...]
    job_id: str
    defer_by: timedelta | None = None


def step_job_id(kind: str, job_id: str, seq: int) -> str:
    return f"{kind}:{job_id}:{seq}"


def enqueue_after_commit(
    session: AsyncSession, function: str, *args: Any, job_id: str, defer_by: timedelta | None = None
) -> None:
    session.info.setdefault(_KEY, []).append(PendingJob(function, args, job_id, defer_by))


def discard_pending(session: AsyncSession) -> None:
    session.info.pop(_KEY, None)


async def send_pending(session: AsyncSession, redis: ArqRedis) -> None:
    """Send what the committed transaction scheduled; a job that cannot be sent is the reconciler's."""
    jobs: list[PendingJob] = session.info.pop(_KEY, [])
    for job in jobs:
        attributes = {"messaging.system": "arq", "messaging.message.id": job.job_id}
        with telemetry.span(f"enqueue {job.function}", kind="PRODUCER", attributes=attributes):
            # With tracing on, the job carries this span's context: its worker span continues the trace.
            carrier = telemetry.inject()
            extra: dict[str, Any] = {TRACE_CONTEXT: carrier} if carrier else {}
            try:
                await redis.enqueue_job(job.function, *job.args, _job_id=job.job_id, _defer_by=job.defer_by, **extra)
            except (OSError, TimeoutError, ConnectionError, RedisError) as exc:
                log.warning("enqueue_failed_after_commit", job_id=job.job_id, error=repr(exc))
    if jobs:
        try:
            await ring(redis)
        except (OSError, TimeoutError, ConnectionError, RedisError) as exc:  # a worker's idle poll finds the job
            log.warning("doorbell_failed", error=repr(exc))


async def commit(session: AsyncSession, redis: ArqRedis) -> None:
    """The boundary: commit, then send the jobs the transaction scheduled."""
    try:
        await session.commit()
    except BaseException:
        discard_pending(session)
        raise
    await send_pending(session, redis)

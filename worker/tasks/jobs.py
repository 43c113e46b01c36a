from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import structlog

from shared import telemetry
from shared.jobs.env import JobEnv
from shared.jobs.runner import reconcile_jobs, run_step
from shared.jobs.steps import settle
from shared.queue import commit
from shared.webhooks.provider import check_unrecorded_later, is_orphan

log = structlog.get_logger("jobs")
# Looks at an unrecorded request under a current nonce (every 2 s): past these, it is canceled all the same
# (its job has not moved for an hour, whatever it waits for).
UNRECORDED_CHECKS = 1800


async def run_job_step(ctx: dict[str, Any], kind: str, job_id: str, seq: int) -> str:
    """Advance one job by one step (see ``shared.jobs.runner``)."""
    structlog.contextvars.bind_contextvars(job_id=job_id, job_kind=kind)
    telemetry.annotate(f"job step {kind}", {"fotogen.job.kind": kind, "fotogen.job.id": job_id, "fotogen.job.seq": seq})
    try:
        return await run_step(JobEnv.from_ctx(ctx), kind, job_id, seq)
    finally:
        structlog.contextvars.unbind_contextvars("job_id", "job_kind")


async def reconcile(ctx: dict[str, Any]) -> int:
    """Cron: re-enqueue due job steps that have no live arq job (and free the leases of dead workers)."""
    watch = ctx.get("liveness")
    return await reconcile_jobs(
        JobEnv.from_ctx(ctx),
        grace_seconds=ctx["settings"].reconcile_grace_seconds,
        trust_liveness=watch is not None and watch.steady(),
    )


async def cancel_orphan_request(ctx: dict[str, Any], endpoint: str, request_id: str) -> str:
    """Cancel a provider request that no job recorded (an orphan submission; see ``shared.jobs.steps``)."""
    answer = await settle(JobEnv.from_ctx(ctx).provider.cancel(endpoint, request_id))
    log.warning("orphan_submission_canceled", endpoint=endpoint, request_id=request_id, answer=repr(answer))
    return str(answer)


async def check_unrecorded_request(
    ctx: dict[str, Any], kind_name: str, job_id: str, endpoint: str, request_id: str, nonce: str, tries: int
) -> str:
    """A callback reported a request no job recorded, under the job's current nonce: once the job recorded it
    there is nothing to do; once it moved on without it (a new nonce, another request, the job ended) it is an
    orphan and is canceled; until then, look again (``shared.webhooks.provider``)."""
    env = JobEnv.from_ctx(ctx)
    kind = env.kinds.get(kind_name)
    async with env.sessionmaker() as session:
        verdict = is_orphan(kind, await session.get(kind.model, job_id), request_id, nonce or None)
        if verdict is None and tries < UNRECORDED_CHECKS:
            check_unrecorded_later(session, kind, job_id, endpoint, request_id, nonce, tries + 1)
            await commit(session, env.redis)
            return "pending"
    if verdict is False:
        return "recorded"
    return await cancel_orphan_request(ctx, endpoint, request_id)


async def sweep_temporary(ctx: dict[str, Any]) -> int:
    """Cron: delete partial objects and temp files that interrupted work left, once older than
    ``temp_sweep_age_seconds`` (a job's own end cleans its leftovers at once; this catches crashes)."""
    settings = ctx["settings"]
    age = settings.temp_sweep_age_seconds
    count = await ctx["storage"].delete_partials("", older_than_seconds=age)
    count += await asyncio.to_thread(_sweep_dir, settings.tmp_dir, age)
    if count:
        log.info("temporary_swept", count=count)
    return int(count)


def _sweep_dir(directory: Path, older_than_seconds: float) -> int:
    if not directory.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    count = 0
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime <= cutoff:
                path.unlink()
                count += 1
        except FileNotFoundError:
            continue
    return count

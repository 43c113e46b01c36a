from __future__ import annotations

from typing import Any

import structlog

from shared.jobs.env import JobEnv
from shared.jobs.runner import reconcile_jobs, run_step


async def run_job_step(ctx: dict[str, Any], kind: str, job_id: str, seq: int) -> str:
    """Advance one job by one step (see ``shared.jobs.runner``)."""
    structlog.contextvars.bind_contextvars(job_id=job_id, job_kind=kind)
    try:
        return await run_step(JobEnv.from_ctx(ctx), kind, job_id, seq)
    finally:
        structlog.contextvars.unbind_contextvars("job_id", "job_kind")


async def reconcile(ctx: dict[str, Any]) -> int:
    """Cron: re-enqueue due job steps that have no live arq job."""
    return await reconcile_jobs(JobEnv.from_ctx(ctx), grace_seconds=ctx["settings"].reconcile_grace_seconds)

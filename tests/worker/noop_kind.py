"""A job kind that exists only in the tests: proof that a kind is one declaration the runner needs no edit for.

``noop`` jobs live in a table of their own (``test_noop_jobs``, on a metadata of its own: created by the
tests, unknown to the migrations). A step counts itself (``runs``), optionally holds on its first run (so a
test can kill the worker mid-step) or raises on its first ``fail_runs`` runs (an unexpected error), then
succeeds. Run as a script, this module is a worker process that
runs ``noop`` jobs (for ``kill -9`` tests).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Float, Integer, MetaData, String, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.jobs.kinds import KINDS
from shared.jobs.registry import JobKind, JobRegistry, PollPolicy
from shared.jobs.steps import Job, ProviderSteps
from shared.models.jobs import JobMixin, JobStatus, status_column
from shared.storage import Storage


class NoopStatus(JobStatus):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class TestOnlyBase(DeclarativeBase):
    metadata = MetaData()


class NoopJob(JobMixin, TestOnlyBase):
    __tablename__ = "test_noop_jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[NoopStatus] = status_column(NoopStatus)
    runs: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    hold_seconds: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    fail_runs: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class NoopOut(BaseModel):
    id: str
    status: NoopStatus
    runs: int


async def serialize(session: AsyncSession, storage: Storage, ttl: timedelta, row: Any) -> NoopOut:
    return NoopOut(id=row.id, status=row.status, runs=row.runs)


class NoopSteps(ProviderSteps):
    async def advance(self, job: Job) -> float | None:
        async with job.env.sessionmaker() as session:
            stmt = update(NoopJob).where(NoopJob.id == job.id).values(runs=NoopJob.runs + 1).returning(NoopJob.runs)
            runs = (await session.execute(stmt)).scalar_one()
            await session.commit()
        if runs <= job.row.fail_runs:
            raise RuntimeError(f"noop run {runs} fails as asked")
        if runs == 1 and job.row.hold_seconds:
            await asyncio.sleep(job.row.hold_seconds)  # where a test kills the worker
        await job.move((NoopStatus.RUNNING,), NoopStatus.SUCCEEDED, "succeeded")
        return None


NOOP = JobKind(
    name="noop",
    model=NoopJob,
    statuses=NoopStatus,
    started=NoopStatus.RUNNING,
    cancelable=frozenset({NoopStatus.QUEUED, NoopStatus.RUNNING}),
    serialize=serialize,
    steps=NoopSteps(),
    poll=PollPolicy(first=lambda settings: settings.provider_poll_interval, growth=0.0),
)
WITH_NOOP: JobRegistry = KINDS.with_kinds(NOOP)
# What the test workers run: only ``noop``. Their reconciler then never takes due jobs of other kinds that
# other tests left in the shared database onto the test's own queue.
ONLY_NOOP = JobRegistry([NOOP])


async def create_table(conn: AsyncConnection) -> None:
    await conn.run_sync(TestOnlyBase.metadata.create_all)


if __name__ == "__main__":
    from shared.config import Settings
    from worker.settings import build_worker

    asyncio.set_event_loop(asyncio.new_event_loop())
    build_worker(Settings(), kinds=ONLY_NOOP).run()

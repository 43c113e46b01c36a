"""A job kind declared only in the tests (``noop_kind.py``) runs through the real runner, arq worker and
reconciler — with the product's runner untouched — and is crash safe: a repeated step is a no-op, and a
worker killed with ``kill -9`` mid-step is replaced by a fresh step once its lease expired."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from noop_kind import NOOP, ONLY_NOOP, WITH_NOOP, NoopJob, NoopStatus, create_table
from sqlalchemy import select
from support.env import make_settings
from support.factories import create_owner
from support.worker_process import WorkerProcess, worker_env

from shared.clients import build_redis
from shared.jobs.env import JobEnv
from shared.jobs.kinds import KINDS
from shared.jobs.runner import request_cancel, run_step
from shared.jobs.transitions import create_job
from shared.models import Event
from shared.queue import commit
from worker.settings import build_worker

NOOP_WORKER = Path(__file__).with_name("noop_kind.py")
ROOT = Path(__file__).resolve().parent.parent.parent


class NoopWorkerProcess(WorkerProcess):
    """A real worker subprocess that runs ``noop`` jobs (``noop_kind.py`` as a script)."""

    def start(self, env: dict[str, str] | None = None) -> WorkerProcess:
        if env is not None:
            self.env = dict(env)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(NOOP_WORKER)],
                env={**os.environ, **self.env, "PYTHONPATH": str(ROOT)},
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        return self


@pytest.fixture
async def noop_env(app: Any, settings: Any) -> AsyncIterator[JobEnv]:
    """The app's database and storage, a queue of its own (the session's worker never sees noop jobs), and
    the registry with ``noop`` in it; the ``test_noop_jobs`` table exists."""
    async with app.state.engine.begin() as conn:
        await create_table(conn)
    queue = f"{settings.queue_name}:noop:{secrets.token_hex(3)}"
    noop_settings = make_settings(
        settings.database_url,
        settings.redis_url,
        settings.data_dir,
        "unused",
        queue_name=queue,
        job_lease_seconds=3,
        public_url=settings.public_url,
        fal_queue_url=settings.fal_queue_url,
        fal_ca_file=settings.fal_ca_file,
    )
    redis = await build_redis(noop_settings)
    yield JobEnv(
        settings=noop_settings,
        sessionmaker=app.state.sessionmaker,
        storage=app.state.storage,
        redis=redis,
        kinds=WITH_NOOP,
    )
    await redis.aclose()


async def _create(app: Any, env: JobEnv, *, hold_seconds: float = 0.0) -> str:
    owner_id, _ = await create_owner(app)
    row = NoopJob(id=f"noop_{secrets.token_hex(8)}", owner_id=owner_id, hold_seconds=hold_seconds)
    async with env.sessionmaker() as session:
        await create_job(session, env.storage, 60, NOOP, row)
        await commit(session, env.redis)
    return row.id


async def _row(env: JobEnv, job_id: str) -> NoopJob:
    async with env.sessionmaker() as session:
        row = await session.get(NoopJob, job_id)
        assert row is not None
        return row


async def _wait(env: JobEnv, job_id: str, done: Any, timeout: float = 30.0) -> NoopJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = await _row(env, job_id)
        if done(row):
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"noop job {job_id} never got there: {row.status}, runs={row.runs}")


async def _event_types(env: JobEnv, job_id: str) -> list[str]:
    async with env.sessionmaker() as session:
        return list((await session.scalars(select(Event.type).where(Event.job_id == job_id).order_by(Event.id))).all())


async def test_the_product_registry_does_not_know_the_test_kind() -> None:
    assert "noop" not in KINDS and "noop" in WITH_NOOP
    assert {k.name for k in KINDS} < {k.name for k in WITH_NOOP}


async def test_a_kind_declared_in_the_tests_runs_on_the_real_worker(app: Any, noop_env: JobEnv) -> None:
    worker = build_worker(noop_env.settings, kinds=ONLY_NOOP)
    task = asyncio.create_task(worker.async_run())
    try:
        job_id = await _create(app, noop_env)
        try:
            # terminal, and the step's own bookkeeping (lease released) done: it commits just after the status
            row = await _wait(noop_env, job_id, lambda r: r.status in NOOP.terminal and r.lease_until is None)
        except AssertionError:
            if task.done():  # the worker died: say why
                raise AssertionError(f"worker exited: {task.exception()!r}") from None
            raise
    finally:
        for _ in range(100):  # let the step's arq job finish its bookkeeping before the pool goes away
            if not worker.tasks:
                break
            await asyncio.sleep(0.05)
        await worker.close()
        task.cancel()
    assert (row.status, row.runs, row.lease_until, row.next_run_at) == (NoopStatus.SUCCEEDED, 1, None, None)
    assert await _event_types(noop_env, job_id) == ["noop.queued", "noop.started", "noop.succeeded"]


async def test_a_repeated_or_stale_step_of_the_test_kind_is_a_no_op(app: Any, noop_env: JobEnv) -> None:
    job_id = await _create(app, noop_env)  # enqueued on a queue no worker reads: the test runs the steps
    first, second = await asyncio.gather(run_step(noop_env, "noop", job_id, 0), run_step(noop_env, "noop", job_id, 0))
    assert sorted([first, second]) == ["ran", "skipped"]
    assert await run_step(noop_env, "noop", job_id, 0) == "skipped"  # arq re-running the finished step
    row = await _row(noop_env, job_id)
    assert (row.status, row.runs) == (NoopStatus.SUCCEEDED, 1)
    assert await _event_types(noop_env, job_id) == ["noop.queued", "noop.started", "noop.succeeded"]


async def test_the_runner_cancels_a_queued_job_of_the_test_kind(app: Any, noop_env: JobEnv) -> None:
    job_id = await _create(app, noop_env)
    async with noop_env.sessionmaker() as session:
        await request_cancel(session, noop_env, NOOP, job_id)
        await commit(session, noop_env.redis)
    assert await run_step(noop_env, "noop", job_id, 0) == "skipped"
    row = await _row(noop_env, job_id)
    assert (row.status, row.runs) == (NoopStatus.CANCELED, 0)
    assert await _event_types(noop_env, job_id) == ["noop.queued", "noop.canceled"]


async def test_kill9_mid_step_then_restart_finishes_the_test_kind(
    app: Any, settings: Any, live_api: str, noop_env: JobEnv
) -> None:
    env = worker_env(settings, queue_name=noop_env.settings.queue_name, public_url=live_api)
    with NoopWorkerProcess(env) as proc:
        proc.start()
        proc.wait_alive(0.5)
        job_id = await _create(app, noop_env, hold_seconds=60)
        await _wait(noop_env, job_id, lambda r: r.runs == 1)  # the step is inside its hold, lease held
        proc.kill9()
        held = await _row(noop_env, job_id)
        assert held.status == NoopStatus.RUNNING and held.lease_until is not None
        proc.restart()
        try:
            row = await _wait(noop_env, job_id, lambda r: r.status in NOOP.terminal, timeout=45)
        except AssertionError:
            raise AssertionError(proc.output()) from None
    # the killed step ran once, the reconciler's fresh step once more; one start and one success event
    assert (row.status, row.runs) == (NoopStatus.SUCCEEDED, 2)
    assert await _event_types(noop_env, job_id) == ["noop.queued", "noop.started", "noop.succeeded"]

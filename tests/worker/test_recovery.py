"""Fast recovery with real worker processes (``noop`` jobs that hold their first step):

- a step whose worker was killed (``kill -9``) runs again on the other live worker within seconds, not after
  the 15 s lease (its lease names the dead worker, whose liveness key expired);
- a graceful SIGTERM hands the step back at once;
- a lost enqueue is picked up by the reconciler within seconds.

The claims are exact about the mechanism, not timed (a loaded machine stretches any time): the stopped
worker's step finished on the other worker *before the stopped worker's lease would have expired* (so it was
not waited out), and a lost enqueue ran at all (only the reconciler could have sent it). The 5 s targets are
measured by the fault suite (``make chaos-ci``: recovery p95); the times here are printed (``-s``).
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import statistics
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from noop_kind import NOOP, WITH_NOOP, NoopJob, NoopStatus, create_table
from support.env import make_settings
from support.factories import create_owner
from support.worker_process import WorkerProcess, worker_env

from shared.clients import build_redis
from shared.jobs import liveness
from shared.jobs.env import JobEnv
from shared.jobs.transitions import create_job
from shared.queue import commit, discard_pending

NOOP_WORKER = (sys.executable, str(Path(__file__).with_name("noop_kind.py")))
# The production defaults (not the suite's faster ones), with the production lease: the recovery measured is
# the one a deployment gets.
PRODUCTION = {
    "FOTOGEN_JOB_LEASE_SECONDS": "15",
    "FOTOGEN_RECONCILE_INTERVAL_SECONDS": "1",
    "FOTOGEN_RECONCILE_GRACE_SECONDS": "2",
    "FOTOGEN_WORKER_LIVENESS_SECONDS": "3",
    "FOTOGEN_LOG_LEVEL": "INFO",  # the hand-back is logged at INFO
}


@pytest.fixture
async def noop_env(app: Any, settings: Any) -> AsyncIterator[JobEnv]:
    async with app.state.engine.begin() as conn:
        await create_table(conn)
    queue = f"{settings.queue_name}:recovery:{secrets.token_hex(3)}"
    own = make_settings(settings.database_url, settings.redis_url, settings.data_dir, "unused", queue_name=queue)
    redis = await build_redis(own)
    yield JobEnv(
        settings=own, sessionmaker=app.state.sessionmaker, storage=app.state.storage, redis=redis, kinds=WITH_NOOP
    )
    await redis.aclose()


@pytest.fixture
def workers(settings: Any, live_api: str, noop_env: JobEnv) -> Iterator[list[WorkerProcess]]:
    env = worker_env(settings, queue_name=noop_env.settings.queue_name, public_url=live_api, **PRODUCTION)
    procs = [WorkerProcess(env, command=NOOP_WORKER) for _ in range(2)]
    for proc in procs:
        proc.start()
    yield procs
    for proc in procs:
        proc.__exit__(None, None, None)


async def _create(app: Any, env: JobEnv, *, hold_seconds: float, send: bool = True) -> str:
    owner_id, _ = await create_owner(app)
    row = NoopJob(id=f"noop_{secrets.token_hex(8)}", owner_id=owner_id, hold_seconds=hold_seconds)
    async with env.sessionmaker() as session:
        await create_job(session, env.storage, 60, NOOP, row)
        if not send:
            discard_pending(session)  # the enqueue is "lost": only the row knows the job exists
        await commit(session, env.redis)
    return row.id


async def _row(env: JobEnv, job_id: str) -> NoopJob:
    async with env.sessionmaker() as session:
        row = await session.get(NoopJob, job_id)
        assert row is not None
        return row


async def _wait(env: JobEnv, job_id: str, done: Any, timeout: float, procs: list[WorkerProcess]) -> NoopJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = await _row(env, job_id)
        if done(row):
            return row
        await asyncio.sleep(0.02)
    logs = "\n".join(p.output()[-3000:] for p in procs)
    raise AssertionError(f"{job_id}: {row.status}, runs={row.runs}, owner={row.lease_owner}\n{logs}")


def _holder(procs: list[WorkerProcess], row: NoopJob) -> WorkerProcess:
    assert row.lease_owner, "the lease names its worker"
    [holder] = [p for p in procs if row.lease_owner.split(":")[1] == str(p.pid)]
    return holder


async def _take_over_after(app: Any, env: JobEnv, procs: list[WorkerProcess], stop: str) -> float:
    """Seconds from stopping the worker that holds a step until the other worker finished the job; asserts
    that this happened before the stopped worker's lease ran out."""
    job_id = await _create(app, env, hold_seconds=120)
    held = await _wait(env, job_id, lambda r: r.runs == 1 and r.lease_owner is not None, 30, procs)
    holder = _holder(procs, held)
    lease_until = (await _row(env, job_id)).lease_until  # as last extended by the holder's heartbeat
    started = time.monotonic()
    holder.kill9() if stop == "kill9" else holder.terminate()
    row = await _wait(env, job_id, lambda r: r.status in NOOP.terminal, 30, procs)
    took = time.monotonic() - started
    assert (row.status, row.runs) == (NoopStatus.SUCCEEDED, 2)
    assert lease_until is not None and row.finished_at is not None
    assert row.finished_at < lease_until, f"the {stop}ped worker's lease was waited out ({took:.1f} s)"
    holder.restart()  # two workers again for the next round
    await _ready(env, [holder])
    return took


async def _ready(env: JobEnv, procs: list[WorkerProcess], timeout: float = 60) -> None:
    """Until each worker announces itself (a worker takes some seconds to start on a busy machine), then one
    liveness period more: "another worker is alive" means one that has been running, not one still starting."""
    deadline = time.monotonic() + timeout
    pids = {str(p.pid) for p in procs}
    while time.monotonic() < deadline:
        ids = await liveness.alive_on_host(env.redis, socket.gethostname())
        if pids <= {i.split(":")[1] for i in ids}:
            await asyncio.sleep(float(PRODUCTION["FOTOGEN_WORKER_LIVENESS_SECONDS"]) + 0.5)
            return
        for proc in procs:
            proc.wait_alive(0.05)
        await asyncio.sleep(0.1)
    raise AssertionError("workers never announced themselves:\n" + "\n".join(p.output()[-2000:] for p in procs))


@pytest.mark.parametrize("stop", ["kill9", "sigterm"])
async def test_a_dead_workers_step_runs_on_the_live_worker_within_seconds(
    app: Any, noop_env: JobEnv, workers: list[WorkerProcess], stop: str
) -> None:
    await _ready(noop_env, workers)
    times = [await _take_over_after(app, noop_env, workers, stop) for _ in range(3)]
    print(
        f"\nrecovery after {stop} with a second worker alive: {[round(t, 2) for t in times]} s "
        f"(median {statistics.median(times):.2f} s; lease 15 s)"
    )
    if stop == "sigterm":  # handed back by the stopping worker, not found later by the reconciler
        assert "".join(w.output() for w in workers).count("job_step_handed_back") == 3


async def test_a_lost_enqueue_is_picked_up_within_seconds(
    app: Any, noop_env: JobEnv, workers: list[WorkerProcess]
) -> None:
    await _ready(noop_env, workers)
    times = []
    for _ in range(3):
        started = time.monotonic()
        job_id = await _create(app, noop_env, hold_seconds=0, send=False)
        await _wait(noop_env, job_id, lambda r: r.status in NOOP.terminal, 30, workers)
        times.append(time.monotonic() - started)
    print(f"\nlost enqueue to done: {[round(t, 2) for t in times]} s")  # ran at all: the reconciler sent it

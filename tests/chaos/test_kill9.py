"""``kill -9`` of the worker that holds a job, in every stage of every job kind, with two workers left alive.

The job is frozen where it is by a row lock the test holds: the holding worker's next write waits on it, and
``pg_stat_activity`` names that worker (each connects as its own role). It is killed, the lock released, and
the job must end as it would have, with one paid provider request; recovery is the time until another worker
moves the job again.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import text
from support.cluster import Cluster
from support.factories import create_dataset, photo_jpeg
from support.scoreboard import (
    TABLES,
    Scoreboard,
    TrackedJob,
    create_generation,
    create_mesh,
    create_training,
    log_once_orphans_canceled,
    row_state_in,
    score,
    settle,
    verdict,
    wait_moved,
    wait_row,
)

# Generous: on product defaults a dead worker's step moves again in ~3 s (its liveness key expires, then a
# reconcile tick frees its lease); waiting out the whole 15 s lease instead would still be found here.
RECOVERY_WAIT = 40.0

STAGES = [
    pytest.param("training", "preparing", id="training-preparing"),
    pytest.param("training", "submitted", id="training-submitted"),
    pytest.param("training", "training", id="training-training"),
    pytest.param("training", "saving", id="training-saving"),
    pytest.param("generation", "submitted", id="generation-submitted"),
    pytest.param("generation", "running", id="generation-running"),
    pytest.param("mesh", "running", id="mesh-running"),
]


async def _start(cluster: Cluster, sandbox: Any, apis: Any, owner_id: str, kind: str, stage: str) -> TrackedJob:
    if kind == "training":
        sandbox.configure(
            training_seconds=3.0 if stage == "training" else 0.3,
            # a slow submit: time to lock the row before the request is accepted (preparing) or before its id
            # is committed (submitted)
            latency=1.0 if stage in ("preparing", "submitted") else 0.0,
        )
        ds = await create_dataset(cluster.app, owner_id, images=4)
        return await create_training(apis[0], ds.id)
    if kind == "generation":
        sandbox.configure(latency=1.0 if stage == "submitted" else 0.0)
        return await create_generation(apis[0], "sandbox:slow=3")
    sandbox.configure(mesh_seconds=3.0)
    return await create_mesh(apis[0], photo_jpeg(1))


def _at_stage(kind: str, stage: str) -> Any:
    if stage == "preparing":  # lock as early as possible: the start move or the snapshot write waits on it
        return lambda s: s["status"] in ("queued", "preparing")
    if stage == "submitted":
        return lambda s: s["status"] in ("preparing", "running")
    if stage == "running" and kind != "mesh":  # polling: the request id is committed
        return lambda s: s["status"] == "running" and s["provider_request_id"] is not None
    return lambda s: s["status"] == stage


@pytest.mark.parametrize(("kind", "stage"), STAGES)
async def test_kill9_in_stage(
    cluster: Cluster, sandbox: Any, apis: Any, owner: tuple[str, str], board: Scoreboard, kind: str, stage: str
) -> None:
    job = await _start(cluster, sandbox, apis, owner[0], kind, stage)
    await wait_row(cluster.app, job, _at_stage(kind, stage), timeout=30)
    if kind == "mesh":
        await asyncio.sleep(1.0)  # its item is submitted and polled (the item rows carry the request ids)
    if stage == "submitted":
        await _wait_submit_in_flight(sandbox)
    async with cluster.app.state.engine.connect() as conn:
        trans = await conn.begin()
        await conn.execute(text(f"SELECT 1 FROM {TABLES[kind]} WHERE id = :id FOR UPDATE"), {"id": job.id})  # noqa: S608
        victim = await cluster.blocked_worker()
        assert victim is not None, "no worker wrote to the job while it was locked"
        before = await row_state_in(conn, job)
        assert before is not None
        if stage == "preparing":
            assert not [c for c in sandbox.requests()["calls"] if c["kind"] == "submit"], "submitted already"
        cluster.workers[victim].kill9()
        killed_at = time.monotonic()
        await trans.rollback()
    if stage == "submitted":
        sandbox.configure(latency=0.0)
    moved = await wait_moved(cluster.app, job, before, RECOVERY_WAIT)
    recovered = None if moved is None else time.monotonic() - killed_at
    cluster.workers[victim].start()  # the process manager brings it back once the others took over
    await settle(cluster.app, [job], timeout=60)
    log = await log_once_orphans_canceled(sandbox, [job])
    row = score(board, f"kill -9 {kind}/{stage}", [job], log)
    if recovered is not None:
        row.recovery.append(recovered)
    assert recovered is not None, f"no other worker moved the job within {RECOVERY_WAIT}s"
    assert row.lost == 0 and row.duplicated == 0 and row.survived == row.tried, verdict(row, [job], log)


async def _wait_submit_in_flight(sandbox: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = sandbox.requests()["calls"]
        if any(c["kind"] == "submit" and c["status_code"] is None for c in calls):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no submission in flight")

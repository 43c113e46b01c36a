"""Redis and Postgres go away mid-run (real restarts of the cluster's own servers)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from support.cluster import Cluster
from support.factories import create_dataset
from support.scoreboard import (
    Scoreboard,
    TrackedJob,
    count,
    create_generation,
    create_training,
    score,
    settle,
    verdict,
    wait_row,
)

GENERATION = {"model_id": "mdl_flux_1_dev", "prompt": "chaos during an outage"}


@pytest.mark.parametrize("down", [0.3, 1.0, 5.0], ids=["0.3s", "1s", "5s"])
async def test_redis_restart_worker_stays_alive_and_jobs_finish(
    cluster: Cluster, sandbox: Any, apis: Any, owner: tuple[str, str], board: Scoreboard, down: float
) -> None:
    sandbox.configure(training_seconds=2.0)
    ds = await create_dataset(cluster.app, owner[0], images=4)
    jobs = [await create_training(apis[0], ds.id)]
    jobs += [await create_generation(apis[i % 2], "sandbox:slow=1") for i in range(count(3, 6))]
    await asyncio.sleep(0.5)
    async with cluster.supervising() as restarted:  # jobs must finish even if a worker exits (and is restarted)
        await asyncio.to_thread(cluster.redis.restart, down)
        back = time.monotonic()
        await settle(cluster.app, jobs, timeout=90)
    row = score(board, f"redis restart {down:g}s", jobs, sandbox.requests())
    row.recovery.append(time.monotonic() - back)
    row.note = f"worker exits: {len(restarted)}" if restarted else "workers alive"
    outputs = [w.output()[-600:] for w in cluster.workers] if restarted else []
    assert row.lost == 0 and row.duplicated == 0 and row.survived == row.tried, verdict(row, jobs, sandbox.requests())
    assert not restarted, f"workers exited on a {down}s Redis restart: {restarted} {outputs}"


async def test_enqueue_lost_creates_answer_202_then_run(
    cluster: Cluster, sandbox: Any, apis: Any, board: Scoreboard
) -> None:
    """Redis is down at the moment of create: the row commits, the enqueue fails, the API still answers 202
    (never a 5xx), and the reconciler starts the job once Redis is back."""
    row = board.row("enqueue lost (Redis down at create)")
    async with cluster.supervising() as restarted:  # worker exits are the Redis-restart scenario's concern
        cluster.redis.down()
        try:
            answers = [await apis[i % 2].post("/v1/generations", json=GENERATION) for i in range(count(3, 8))]
        finally:
            cluster.redis.up()
        back = time.monotonic()
        codes = [r.status_code for r in answers]
        assert codes == [202] * len(codes), [(r.status_code, r.text[:200]) for r in answers]
        jobs = [TrackedJob("generation", r.json()["id"], r.json()["id"]) for r in answers]
        for job in jobs:
            await wait_row(cluster.app, job, lambda s: s["status"] != "queued", timeout=60, interval=0.05)
            row.recovery.append(time.monotonic() - back)
        await settle(cluster.app, jobs, timeout=60)
    score(board, row.scenario, jobs, sandbox.requests())
    row.note = f"worker exits: {len(restarted)}" if restarted else "workers alive"
    assert row.lost == 0 and row.duplicated == 0 and row.survived == row.tried, verdict(row, jobs, sandbox.requests())


async def test_postgres_restart_answers_503_then_jobs_finish(
    cluster: Cluster, sandbox: Any, apis: Any, owner: tuple[str, str], board: Scoreboard
) -> None:
    sandbox.configure(training_seconds=2.0)
    ds = await create_dataset(cluster.app, owner[0], images=4)
    jobs = [await create_training(apis[0], ds.id)]
    jobs += [await create_generation(apis[i % 2], "sandbox:slow=1") for i in range(count(3, 6))]
    await asyncio.sleep(0.5)
    await asyncio.to_thread(cluster.postgres.down)
    try:
        during = [
            await apis[0].get("/v1/generations"),
            await apis[1].post("/v1/generations", json=GENERATION),
            await apis[1].get(f"/v1/trainings/{jobs[0].id}"),
        ]
        await asyncio.sleep(1.0)
    finally:
        await asyncio.to_thread(cluster.postgres.up)
    back = time.monotonic()
    for r in during:
        assert r.status_code == 503, (r.request.url, r.status_code, r.text[:300])
        assert r.headers.get("retry-after"), r.headers
        assert r.json()["code"] == "service_unavailable" if "code" in r.json() else True
    async with cluster.supervising() as dead:
        await settle(cluster.app, jobs, timeout=90)
    row = score(board, "postgres restart", jobs, sandbox.requests())
    row.recovery.append(time.monotonic() - back)
    row.note = f"503+Retry-After x{len(during)}; worker exits: {len(dead)}"
    row.worker_exits = list(dead)
    assert row.lost == 0 and row.duplicated == 0 and row.survived == row.tried, verdict(row, jobs, sandbox.requests())
    # A later request works on the same replicas (no connection left broken).
    assert (await apis[0].get("/v1/generations")).status_code == 200


def test_workers_survive_the_postgres_restart(board: Scoreboard) -> None:
    row = board.rows.get("postgres restart")
    if row is None:
        pytest.skip("the Postgres restart scenario did not run")
    assert not row.worker_exits, f"workers exited on a Postgres restart: {row.worker_exits}"

"""A bounded mixed soak: steady load on both replicas while faults rotate (kill -9 a worker, a 0.3 s Redis
restart, 30 % provider faults), then every job must end once, paid once."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from typing import Any

import pytest
from support.cluster import Cluster
from support.factories import create_dataset
from support.scoreboard import (
    FULL,
    Scoreboard,
    TrackedJob,
    create_generation,
    create_training,
    log_once_orphans_canceled,
    score,
    settle,
    verdict,
)

DURATION = 60.0 if FULL else 15.0
THIRTY_PERCENT = {f"{call}_{code}_rate": 0.1 for call in ("submit", "status", "result") for code in (429, 500, 503)}
CALM = dict.fromkeys(THIRTY_PERCENT, 0.0)


@pytest.mark.soak
async def test_mixed_soak(cluster: Cluster, sandbox: Any, apis: Any, owner: tuple[str, str], board: Scoreboard) -> None:
    sandbox.configure(training_seconds=1.0)
    ds = await create_dataset(cluster.app, owner[0], images=4)
    rng = random.Random(18)
    jobs: list[TrackedJob] = []
    faults: list[str] = []
    stop_at = time.monotonic() + DURATION

    async def load() -> None:
        for i in itertools.count():
            if time.monotonic() > stop_at:
                return
            api = apis[i % 2]
            if i % 10 == 0:
                jobs.append(await create_training(api, ds.id))
            else:
                jobs.append(await create_generation(api, f"sandbox:slow={rng.uniform(0, 1.5):.1f}"))
            await asyncio.sleep(0.4)

    async def chaos() -> None:
        cycle = itertools.cycle(["kill", "provider", "redis", "calm"])
        while time.monotonic() < stop_at:
            await asyncio.sleep(3.0)
            fault = next(cycle)
            faults.append(fault)
            if fault == "kill":
                cluster.workers[rng.randrange(len(cluster.workers))].kill9()
                await asyncio.sleep(1.0)
                cluster.supervise()
            elif fault == "provider":
                sandbox.configure(**THIRTY_PERCENT)
            elif fault == "redis":
                await asyncio.to_thread(cluster.redis.restart, 0.3)
                await asyncio.sleep(1.0)
                cluster.supervise()
            else:
                sandbox.configure(**CALM)

    await asyncio.gather(load(), chaos())
    sandbox.configure(**CALM)
    cluster.supervise()
    await settle(cluster.app, jobs, timeout=120)
    log = await log_once_orphans_canceled(sandbox, jobs)
    row = score(board, f"mixed soak {DURATION:.0f}s", jobs, log)
    row.note = f"faults: {','.join(faults)}; worker restarts so far: {len(cluster.restarts)}"
    assert row.lost == 0 and row.survived == row.tried and row.duplicated == 0, verdict(row, jobs, log)

"""Provider faults through the real fal-client: transient 429/5xx, final errors, dropped callbacks, stuck
requests."""

from __future__ import annotations

from typing import Any

from support.cluster import CHAOS_DEADLINE_SECONDS, Cluster
from support.factories import create_dataset
from support.scoreboard import Scoreboard, count, create_generation, create_training, score, settle, verdict

THIRTY_PERCENT = {f"{call}_{code}_rate": 0.1 for call in ("submit", "status", "result") for code in (429, 500, 503)}


async def test_transient_429_and_5xx_are_retried_without_a_second_submission(
    cluster: Cluster, sandbox: Any, apis: Any, owner: tuple[str, str], board: Scoreboard
) -> None:
    sandbox.configure(training_seconds=1.0, **THIRTY_PERCENT)
    ds = await create_dataset(cluster.app, owner[0], images=4)
    jobs = [await create_training(apis[0], ds.id)]
    jobs += [await create_generation(apis[i % 2]) for i in range(count(4, 12))]
    await settle(cluster.app, jobs, timeout=120)
    log = sandbox.requests()
    row = score(board, "provider 30% 429/5xx", jobs, log)
    faults = sum(1 for c in log["calls"] if c["fault"])
    row.note = f"{faults} injected faults"
    assert faults > 0
    assert row.lost == 0 and row.duplicated == 0 and row.survived == row.tried, verdict(row, jobs, log)


async def test_final_errors_fail_the_job_once(cluster: Cluster, sandbox: Any, apis: Any, board: Scoreboard) -> None:
    sandbox.configure(final_error_rate=1.0, final_error_type="runner_scheduling_failure")
    jobs = [await create_generation(apis[i % 2], expect="failed") for i in range(count(3, 6))]
    await settle(cluster.app, jobs, timeout=90)
    log = sandbox.requests()
    row = score(board, "provider final errors", jobs, log)
    assert row.lost == 0 and row.duplicated == 0 and row.survived == row.tried, verdict(row, jobs, log)


async def test_dropped_callbacks_are_caught_by_polling(
    cluster: Cluster, sandbox: Any, apis: Any, owner: tuple[str, str], board: Scoreboard
) -> None:
    sandbox.configure(drop_webhooks=True, training_seconds=0.5)
    ds = await create_dataset(cluster.app, owner[0], images=4)
    jobs = [await create_training(apis[0], ds.id)]
    jobs += [await create_generation(apis[i % 2]) for i in range(count(3, 6))]
    await settle(cluster.app, jobs, timeout=90)
    log = sandbox.requests()
    row = score(board, "dropped callbacks", jobs, log)
    asked = [r for r in log["requests"] if r["webhook_url"]]
    row.note = f"{len(asked)} callbacks asked for, all dropped"
    assert row.lost == 0 and row.duplicated == 0 and row.survived == row.tried, verdict(row, jobs, log)


async def test_stuck_request_ends_failed_with_provider_timeout(
    cluster: Cluster, sandbox: Any, apis: Any, board: Scoreboard
) -> None:
    jobs = [await create_generation(apis[i % 2], "sandbox:stuck", expect="failed") for i in range(count(2, 4))]
    for job in jobs:
        job.error_code = "provider_timeout"
    # The cluster's workers get CHAOS_DEADLINE_SECONDS for every deadline setting the product declares.
    await settle(cluster.app, jobs, timeout=CHAOS_DEADLINE_SECONDS + 30)
    log = sandbox.requests()
    row = score(board, "stuck -> provider_timeout", jobs, log)
    assert row.lost == 0 and row.survived == row.tried, verdict(row, jobs, log)
    stuck = [r for r in log["requests"] if "sandbox:stuck" in repr(r["input"])]
    assert stuck and all(r["cancel_calls"] for r in stuck), "the provider was not asked to cancel"

"""A step that raises something unexpected (a bug, a row it cannot handle) is retried with backoff a bounded
number of times (``job_step_error_attempts``); then the job fails ``job_step_failed`` through the one
transition: its ``failed`` event is written and its credit reservation refunded. It is never retried forever.

The steps are run by the test (``run_step``) on queues no worker reads, so the count of runs is exact."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from isolated import isolated_service
from noop_kind import NOOP, WITH_NOOP, NoopJob, NoopStatus, create_table
from sqlalchemy import select, update
from support.factories import api_client, create_owner

from shared.db import utcnow
from shared.jobs.env import JobEnv
from shared.jobs.kinds import KINDS
from shared.jobs.runner import run_step
from shared.jobs.transitions import create_job
from shared.models import Event, Generation
from shared.queue import commit


async def _event_types(env: JobEnv, job_id: str) -> list[str]:
    async with env.sessionmaker() as session:
        return list((await session.scalars(select(Event.type).where(Event.job_id == job_id).order_by(Event.id))).all())


async def _row(env: JobEnv, model: Any, job_id: str) -> Any:
    async with env.sessionmaker() as session:
        row = await session.get(model, job_id)
        assert row is not None
        return row


@pytest.fixture
async def iso(admin_url: str, settings: Any, live_api: str) -> AsyncIterator[tuple[Any, JobEnv]]:
    """(the API app, a JobEnv of its own with 2 error retries) on a database and queue no worker reads."""
    async with isolated_service(admin_url, settings, live_api) as (application, own):
        async with application.state.engine.begin() as conn:
            await create_table(conn)
        env = JobEnv(
            settings=own.model_copy(update={"job_step_error_attempts": 2}),
            sessionmaker=application.state.sessionmaker,
            storage=application.state.storage,
            redis=application.state.redis,
            kinds=WITH_NOOP,
        )
        yield application, env


async def test_a_step_that_raises_is_retried_with_backoff_and_then_succeeds(iso: tuple[Any, JobEnv]) -> None:
    app, env = iso
    owner_id, _ = await create_owner(app)
    row = NoopJob(id=f"noop_{secrets.token_hex(8)}", owner_id=owner_id, fail_runs=2)
    async with env.sessionmaker() as session:
        await create_job(session, env.storage, 60, NOOP, row)
        await commit(session, env.redis)
    for attempt in (1, 2):
        seq = (await _row(env, NoopJob, row.id)).step_seq
        before = utcnow()
        assert await run_step(env, "noop", row.id, seq) == "ran"
        after = await _row(env, NoopJob, row.id)
        # released, counted, and the next step is scheduled after a backoff
        assert (after.status, after.attempt, after.step_seq, after.lease_until) == (
            NoopStatus.RUNNING,
            attempt,
            seq + 1,
            None,
        )
        assert after.next_run_at is not None and after.next_run_at >= before
    assert await run_step(env, "noop", row.id, seq + 1) == "ran"
    done = await _row(env, NoopJob, row.id)
    assert (done.status, done.runs, done.attempt, done.error_code) == (NoopStatus.SUCCEEDED, 3, 0, None)
    assert await _event_types(env, row.id) == ["noop.queued", "noop.started", "noop.succeeded"]


async def _reserved_generation(api: httpx.AsyncClient, end_user: str) -> str:
    await api.put("/v1/policy", json={"credits_required": True, "prices": {"generation_image": 2}})
    await api.post(f"/v1/end-users/{end_user}/credits", json={"amount": 10})
    body = {"model_id": "mdl_flux_1_dev", "prompt": "a kite", "num_images": 2, "end_user": end_user}
    r = await api.post("/v1/generations", json=body)
    assert r.status_code == 202, r.text
    assert (await api.get(f"/v1/end-users/{end_user}")).json()["credits"] == {"balance": 6, "reserved": 4}
    return str(r.json()["id"])


async def _run_until_ended(env: JobEnv, gen_id: str) -> tuple[Any, int]:
    runs = 0
    while (row := await _row(env, Generation, gen_id)).status not in ("succeeded", "failed", "canceled"):
        assert runs < 10, f"still {row.status} after {runs} steps (attempt {row.attempt})"
        assert await run_step(env, "generation", gen_id, row.step_seq) == "ran"
        runs += 1
    return row, runs


async def _assert_refunded(api: httpx.AsyncClient, end_user: str) -> None:
    assert (await api.get(f"/v1/end-users/{end_user}")).json()["credits"] == {"balance": 10, "reserved": 0}
    ledger = (await api.get(f"/v1/end-users/{end_user}/ledger", params={"limit": 100})).json()["data"]
    assert sorted((e["kind"], e["amount"]) for e in ledger) == [("grant", 10), ("refund", 4), ("reserve", -4)]


@pytest.fixture
async def api(iso: tuple[Any, JobEnv]) -> AsyncIterator[httpx.AsyncClient]:
    app, env = iso
    env.kinds = KINDS
    _, key = await create_owner(app)
    async with api_client(app, key) as client:
        yield client


async def test_a_row_the_step_cannot_handle_fails_the_job_and_refunds_its_reservation(
    iso: tuple[Any, JobEnv], api: httpx.AsyncClient
) -> None:
    _, env = iso
    gen_id = await _reserved_generation(api, "eve")
    async with env.sessionmaker() as session:  # state its step cannot build the provider's arguments from
        row = await session.get(Generation, gen_id)
        assert row is not None and isinstance(row.result, dict) and "arguments" in row.result
        row.result = {**row.result, "arguments": None}
        await session.commit()
    row, runs = await _run_until_ended(env, gen_id)
    assert runs == 3  # the first run and job_step_error_attempts (2) retries
    assert (row.status, row.error_code, row.lease_until, row.next_run_at) == ("failed", "job_step_failed", None, None)
    assert "3 times" in row.error_message and "TypeError" in row.error_message
    done = (await api.get(f"/v1/generations/{gen_id}")).json()
    assert (done["status"], done["error"]["code"]) == ("failed", "job_step_failed"), done
    assert await _event_types(env, gen_id) == ["generation.queued", "generation.started", "generation.failed"]
    await _assert_refunded(api, "eve")


async def test_a_row_that_cannot_even_be_serialized_still_fails_and_refunds(
    iso: tuple[Any, JobEnv], api: httpx.AsyncClient
) -> None:
    """``params = {}`` (rows some tests write directly): the step raises, and so does the ``failed`` event's
    serialization; the job fails all the same (without that event) instead of being retried forever."""
    _, env = iso
    gen_id = await _reserved_generation(api, "fay")
    async with env.sessionmaker() as session:
        await session.execute(update(Generation).where(Generation.id == gen_id).values(params={}))
        await session.commit()
    row, runs = await _run_until_ended(env, gen_id)
    assert (runs, row.status, row.error_code) == (3, "failed", "job_step_failed")
    # (even its ``started`` event could not be written: the job failed from ``queued``)
    assert await _event_types(env, gen_id) == ["generation.queued"]
    await _assert_refunded(api, "fay")

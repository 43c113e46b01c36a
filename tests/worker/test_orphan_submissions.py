"""At most one paid provider request per step: a worker killed between Fal accepting a submission and our
commit of its id leaves an orphan. The step that takes over submits again under a new nonce; the orphan's
callback (its URL names the job and the old nonce) has it canceled at the provider, and the job's result
comes from exactly one request."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from isolated import isolated_service
from sqlalchemy import func, select
from support.factories import api_client, create_owner, wait_for
from support.worker_process import WorkerProcess, worker_env

from shared.jobs.steps import TEST_SLEEP_AFTER_SUBMIT
from shared.models import Generation, GenerationImage
from shared.queue import commit
from shared.webhooks.provider import handle_fal_callback

TERMINAL = {"succeeded", "failed", "canceled"}
ENDPOINT = "fal-ai/flux/dev"


@pytest.fixture
async def orphan_app(admin_url: str, settings: Any, live_api: str) -> AsyncIterator[tuple[Any, Any, str]]:
    """(the app, its settings, an API key) on a service of its own."""
    async with isolated_service(admin_url, settings, live_api) as (application, own):
        _, key = await create_owner(application)
        yield application, own, key


def _ours(sandbox: Any, generation_id: str) -> list[dict[str, Any]]:
    """This generation's submissions, oldest first, each with the query of its callback URL."""
    found = []
    for record in sandbox.requests()["requests"]:
        query = parse_qs(urlsplit(record.get("webhook_url") or "").query)
        if query.get("job") == [f"generation:{generation_id}"]:
            found.append({**record, "nonce": query.get("nonce", [None])[0]})
    return sorted(found, key=lambda r: r["submitted_at"])


async def _until(check: Any, timeout: float, message: Any) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(message())


async def test_kill9_between_submit_and_persist_leaves_one_request_and_the_orphan_canceled(
    settings: Any, live_api: str, sandbox: Any, orphan_app: tuple[Any, Any, str]
) -> None:
    application, own, key = orphan_app
    sandbox.reset(generation_seconds=0.3)
    env = worker_env(own, queue_name=own.queue_name, public_url=live_api, FOTOGEN_FAL_WEBHOOKS_ENABLED="true")
    async with api_client(application, key) as api:
        body = {"model_id": "mdl_flux_1_dev", "prompt": "an orphan lighthouse", "num_images": 1}
        gen = (await api.post("/v1/generations", json=body)).json()
        with WorkerProcess({**env, TEST_SLEEP_AFTER_SUBMIT: "60"}) as proc:
            proc.start()
            # Fal accepted the request; the worker sleeps before committing its id: kill it there.
            await _until(lambda: _ours(sandbox, gen["id"]), 60, proc.output)
            proc.kill9()
            async with application.state.sessionmaker() as session:
                row = await session.get(Generation, gen["id"])
                assert row is not None and row.provider_request_id is None and row.submit_nonce
                first_nonce = row.submit_nonce
            proc.start(env)  # a fresh worker, without the pause
            try:
                done = await wait_for(api, f"/v1/generations/{gen['id']}", TERMINAL, timeout=60)
            except AssertionError:
                raise AssertionError(proc.output()) from None
            assert done["status"] == "succeeded", (done, proc.output())

            orphan, kept = _ours(sandbox, gen["id"])
            assert orphan["nonce"] == first_nonce and kept["nonce"] != first_nonce
            async with application.state.sessionmaker() as session:
                row = await session.get(Generation, gen["id"])
                assert row is not None and row.provider_request_id == kept["request_id"]
                assert row.submit_nonce == kept["nonce"]
                images = await session.scalar(
                    select(func.count()).select_from(GenerationImage).where(GenerationImage.generation_id == row.id)
                )
            assert images == 1  # one image set: the kept request's
            assert kept["result_calls"] >= 1 and orphan["result_calls"] == 0  # the orphan's result is never read
            assert orphan["cancel_calls"] == []

            # The orphan's callback (the API route's verified call; signature checks have their own tests)
            async with application.state.sessionmaker() as session:
                outcome = await handle_fal_callback(
                    session,
                    secrets.token_hex(16),
                    orphan["request_id"],
                    job=f"generation:{gen['id']}",
                    nonce=orphan["nonce"],
                )
                await commit(session, application.state.redis)
            assert outcome.orphan and outcome.job_id == gen["id"] and not outcome.scheduled
            canceled = await _until(
                lambda: _ours(sandbox, gen["id"])[0]["cancel_calls"], 30, lambda: proc.output()[-3000:]
            )
            assert len(canceled) == 1
            # the worker logs the cancel once Fal answered it, a moment after the sandbox recorded the call
            await _until(lambda: "orphan_submission_canceled" in proc.output(), 10, lambda: proc.output()[-3000:])
            assert _ours(sandbox, gen["id"])[1]["cancel_calls"] == []  # the kept request is left alone

            # The kept request's own callback is not an orphan: it only makes the job look again.
            async with application.state.sessionmaker() as session:
                outcome = await handle_fal_callback(
                    session,
                    secrets.token_hex(16),
                    kept["request_id"],
                    job=f"generation:{gen['id']}",
                    nonce=kept["nonce"],
                )
                await commit(session, application.state.redis)
            assert not outcome.orphan and outcome.job_id == gen["id"]


async def test_an_orphans_callback_under_the_still_current_nonce_has_it_canceled_once_the_job_moves_on(
    settings: Any, live_api: str, sandbox: Any, orphan_app: tuple[Any, Any, str]
) -> None:
    """The orphan completes before any step took over: its callback comes while its nonce is still the job's
    (it cannot be told from a step between submit and commit). A worker looks again until the job moved on
    without it (a new nonce, another request recorded), then cancels it."""
    application, own, key = orphan_app
    sandbox.reset(generation_seconds=0.3)
    env = worker_env(own, queue_name=own.queue_name, public_url=live_api, FOTOGEN_FAL_WEBHOOKS_ENABLED="true")
    async with api_client(application, key) as api:
        body = {"model_id": "mdl_flux_1_dev", "prompt": "an early orphan", "num_images": 1}
        gen = (await api.post("/v1/generations", json=body)).json()
        with WorkerProcess({**env, TEST_SLEEP_AFTER_SUBMIT: "60"}) as proc:
            proc.start()
            [orphan] = await _until(lambda: _ours(sandbox, gen["id"]), 60, proc.output)
            proc.kill9()
            async with application.state.sessionmaker() as session:
                outcome = await handle_fal_callback(
                    session,
                    secrets.token_hex(16),
                    orphan["request_id"],
                    job=f"generation:{gen['id']}",
                    nonce=orphan["nonce"],
                )
                await commit(session, application.state.redis)
            assert not outcome.orphan and outcome.job_id == gen["id"]  # not judged yet
            proc.start(env)  # a fresh worker takes over: a new nonce, a second request
            try:
                done = await wait_for(api, f"/v1/generations/{gen['id']}", TERMINAL, timeout=60)
                canceled = await _until(lambda: _ours(sandbox, gen["id"])[0]["cancel_calls"], 30, proc.output)
            except AssertionError:
                raise AssertionError(proc.output()) from None
            assert done["status"] == "succeeded", done
            orphan, kept = _ours(sandbox, gen["id"])
            assert len(canceled) == 1 and kept["cancel_calls"] == []
            async with application.state.sessionmaker() as session:
                row = await session.get(Generation, gen["id"])
                assert row is not None and row.provider_request_id == kept["request_id"] != orphan["request_id"]
            assert "orphan_submission_canceled" in proc.output()

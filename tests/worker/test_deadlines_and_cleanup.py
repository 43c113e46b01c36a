"""Deadlines per job kind: a request stuck at the provider is canceled there and the job fails
``provider_timeout``. Temporary objects (the training archive, a partial archive an interrupted write left)
are deleted when a job ends, whatever the outcome, and by the periodic sweep."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from isolated import isolated_service
from support.factories import api_client, create_dataset, create_owner, wait_for
from support.worker_process import WorkerProcess, worker_env

from shared.storage.base import temp_file_beside
from worker.tasks.jobs import sweep_temporary

TERMINAL = {"succeeded", "failed", "canceled"}


@pytest.fixture
async def deadline_env(
    app: Any, admin_url: str, settings: Any, live_api: str, sandbox: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, str, Any, Any]]:
    """(API client of a fresh owner, the owner id, the service's settings, its app) on a service of its own."""
    async with isolated_service(admin_url, settings, live_api) as (application, own):
        owner_id, key = await create_owner(application)
        async with api_client(application, key) as api:
            yield api, owner_id, own, application


def _partial_beside(settings: Any, key: str) -> Path:
    """What a put interrupted by ``kill -9`` leaves in local storage: a hidden temp file beside the key."""
    fd, path = temp_file_beside(settings.storage_dir / key)
    os.write(fd, b"PK\x03\x04 half an archive")
    os.close(fd)
    return path


async def test_a_stuck_generation_fails_provider_timeout_and_is_canceled_at_the_provider(
    settings: Any, live_api: str, sandbox: Any, deadline_env: tuple[httpx.AsyncClient, str, Any, Any]
) -> None:
    api, _, own, _ = deadline_env
    sandbox.reset()
    env = worker_env(own, queue_name=own.queue_name, public_url=live_api, FOTOGEN_GENERATION_DEADLINE_SECONDS="3")
    with WorkerProcess(env) as proc:
        proc.start()
        body = {"model_id": "mdl_flux_1_dev", "prompt": "a lighthouse sandbox:stuck", "num_images": 1}
        gen = (await api.post("/v1/generations", json=body)).json()
        started = time.monotonic()
        try:
            done = await wait_for(api, f"/v1/generations/{gen['id']}", TERMINAL, timeout=60)
        except AssertionError:
            raise AssertionError(proc.output()) from None
    assert (done["status"], done["error"]["code"]) == ("failed", "provider_timeout"), done
    assert time.monotonic() - started >= 3
    [record] = [r for r in sandbox.requests()["requests"] if r["input"].get("prompt") == body["prompt"]]
    assert len(record["cancel_calls"]) == 1 and record["outcome"] == "cancelled", record


async def test_a_stuck_training_times_out_and_its_archives_are_deleted(
    app: Any, settings: Any, live_api: str, sandbox: Any, deadline_env: tuple[httpx.AsyncClient, str, Any, Any]
) -> None:
    api, owner_id, own, service = deadline_env
    sandbox.reset(stuck=True)  # the trainer's queue never moves
    ds = await create_dataset(service, owner_id, images=6)
    env = worker_env(own, queue_name=own.queue_name, public_url=live_api, FOTOGEN_TRAINING_DEADLINE_SECONDS="4")
    trn = (await api.post("/v1/trainings", json={"dataset_id": ds.id})).json()
    zip_key = f"owners/{owner_id}/trainings/{trn['id']}/dataset.zip"
    partial = _partial_beside(settings, zip_key)  # as if an earlier worker died while zipping
    with WorkerProcess(env) as proc:
        proc.start()
        try:
            done = await wait_for(api, f"/v1/trainings/{trn['id']}", TERMINAL, timeout=60)
        except AssertionError:
            raise AssertionError(proc.output()) from None
        # The job's end is committed first, its leftovers deleted right after by the same worker: give that a
        # moment with the worker still running (stopping it here would leave them to the periodic sweep).
        deadline = time.monotonic() + 10
        while (partial.exists() or await service.state.storage.stat(zip_key)) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    assert (done["status"], done["error"]["code"]) == ("failed", "provider_timeout"), done
    [record] = [r for r in sandbox.requests()["requests"] if trn["id"] in str(r["input"].get("images_data_url"))]
    assert len(record["cancel_calls"]) == 1
    assert not partial.exists(), "the partial archive outlived its training"
    assert await service.state.storage.stat(zip_key) is None, "the archive outlived its training"


async def test_the_periodic_sweep_deletes_old_partials_and_keeps_fresh_ones(app: Any, settings: Any) -> None:
    owner = f"own_{secrets.token_hex(6)}"
    old = _partial_beside(settings, f"owners/{owner}/trainings/trn_old/dataset.zip")
    fresh = _partial_beside(settings, f"owners/{owner}/trainings/trn_fresh/dataset.zip")
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    old_tmp = settings.tmp_dir / f"gen_{secrets.token_hex(4)}-0-leftover"
    old_tmp.write_bytes(b"x")
    long_ago = time.time() - 2 * settings.temp_sweep_age_seconds
    for path in (old, old_tmp):
        os.utime(path, (long_ago, long_ago))
    complete = f"owners/{owner}/kept.txt"

    async def one_chunk() -> AsyncIterator[bytes]:
        yield b"a finished object is never swept"

    await app.state.storage.put(complete, one_chunk(), "text/plain")
    swept = await sweep_temporary({"settings": settings, "storage": app.state.storage})
    assert swept >= 2
    assert not old.exists() and not old_tmp.exists()
    assert fresh.exists()
    assert await app.state.storage.stat(complete) is not None

"""`kill -9` of a real worker process during preparing, training and saving: after a restart the training
still succeeds with exactly one provider submission and one model."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from isolated import isolated_service
from sqlalchemy import func, select, text
from support.factories import api_client, create_dataset, create_owner, wait_for
from support.worker_process import WorkerProcess, worker_env

from shared.models import Model, Training

TERMINAL = {"succeeded", "failed", "canceled"}


@pytest.fixture(scope="module")
async def crash_service(admin_url: str, settings: Any, live_api: str) -> AsyncIterator[tuple[Any, Any]]:
    """(the app, its settings) on a database of their own, shared by this module's tests.

    On the session's database the session's in-process worker (started by any earlier test) sees these trainings:
    its reconciler takes over any due step whose lease is free or whose worker it believes dead, whatever queue
    the step came from — e.g. a training posted while the freshly started crash worker is still importing (over a
    second here) is a second overdue, and the session worker runs it. That worker lives in the test's own event
    loop: its final write, waiting on the test's row lock, commits the moment the test lets go, which killing the
    crash worker cannot stop (in full runs the training was ``succeeded`` right after the kill, about one run in
    three). Here the crash worker is the only worker that can touch these trainings."""
    async with isolated_service(admin_url, settings, live_api) as service:
        yield service


@pytest.fixture
async def crash_env(crash_service: tuple[Any, Any], live_api: str) -> AsyncIterator[tuple[Any, Any, Any, Any]]:
    """(the app, a client of it, a worker subprocess on the app's database and queue, the owner's id)."""
    app, own = crash_service
    owner_id, key = await create_owner(app)
    with WorkerProcess(worker_env(own, queue_name=own.queue_name, public_url=live_api)) as proc:
        async with api_client(app, key) as api:
            yield app, api, proc, owner_id


async def _status(app: Any, training_id: str) -> str:
    async with app.state.sessionmaker() as session:
        return str(await session.scalar(select(Training.status).where(Training.id == training_id)))


async def _wait_status(app: Any, training_id: str, status: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = await _status(app, training_id)
        if current == status:
            return
        if current in TERMINAL:
            raise AssertionError(f"training reached {current} before {status}")
        await asyncio.sleep(0.003)
    raise AssertionError(f"training never reached {status}")


def _submissions(sandbox: Any, training_id: str) -> list[dict[str, Any]]:
    requests = sandbox.requests("fal-ai/flux-lora-fast-training")["requests"]
    return [r for r in requests if r["input"]["images_data_url"].count(training_id)]


async def _freeze_in_stage_and_kill(
    app: Any, api: Any, proc: Any, sandbox: Any, dataset_id: str, stage: str
) -> dict[str, Any]:
    """Kill -9 the worker while the training is in ``stage``, mid-step.

    The row is locked as soon as the stage is seen, so the worker's next write blocks and the kill lands
    mid-step. On a loaded machine the worker may already have moved on before the lock was taken (a
    stage can last milliseconds): the status read *under the lock* says so, and the attempt is repeated
    with a new training instead of killing in the wrong stage.

    ``preparing``: the start commits the submission nonce, so the step's next write is the one that records
    the submission, *after* the submit: waiting for the worker to block on it would let it submit (the
    documented window a callback-less orphan lives in, covered by ``test_orphan_submissions``). Here the kill
    lands at once, while the archive is being made, and only if nothing was submitted for this training yet."""
    for _ in range(5):
        trn: dict[str, Any] = (await api.post("/v1/trainings", json={"dataset_id": dataset_id})).json()
        await _wait_status(app, trn["id"], stage)
        async with app.state.engine.connect() as conn:
            trans = await conn.begin()
            locked, owner = (
                await conn.execute(
                    text("SELECT status, lease_owner FROM trainings WHERE id = :id FOR UPDATE"), {"id": trn["id"]}
                )
            ).one()
            if locked == stage and stage == "preparing" and _submissions(sandbox, trn["id"]):
                locked = "submitted"  # it got past the submit before the lock: not mid-preparation
            if locked == stage:
                if stage != "preparing":
                    await asyncio.sleep(0.3)
                proc.kill9()
            await trans.rollback()
        if locked == stage:
            assert await _status(app, trn["id"]) == stage, f"lease owner {owner}, the killed worker's pid {proc.pid}"
            return trn
        await wait_for(api, f"/v1/trainings/{trn['id']}", TERMINAL, timeout=60)
    raise AssertionError(f"never caught a training in {stage!r} (5 attempts)")


@pytest.mark.parametrize("stage", ["preparing", "training", "saving"])
async def test_kill9_then_restart_succeeds_with_one_submission_and_one_model(
    sandbox: Any, crash_env: tuple[Any, Any, Any, Any], stage: str
) -> None:
    app, api, proc, owner_id = crash_env
    sandbox.reset(training_seconds=2.0 if stage == "training" else 0.3)
    ds = await create_dataset(app, owner_id, images=6)
    proc.start()
    proc.wait_alive(0.5)
    trn = await _freeze_in_stage_and_kill(app, api, proc, sandbox, ds.id, stage)
    proc.restart()
    try:
        done = await wait_for(api, f"/v1/trainings/{trn['id']}", TERMINAL, timeout=60)
    except AssertionError:
        raise AssertionError(proc.output()) from None
    assert done["status"] == "succeeded", (done, proc.output())
    submissions = _submissions(sandbox, trn["id"])
    assert len(submissions) == 1, submissions
    async with app.state.sessionmaker() as session:
        models = await session.scalar(select(func.count()).select_from(Model).where(Model.training_id == trn["id"]))
    assert models == 1
    weights = await app.state.storage.stat(f"owners/{owner_id}/models/{done['model_id']}/lora.safetensors")
    assert weights is not None and weights.size > 0

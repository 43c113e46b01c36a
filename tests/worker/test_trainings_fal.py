"""Trainings against a sandbox as strict as Fal, through the real API, worker and fal-client.

Fal's final errors end a job at once with a mapped code; re-delivered callbacks change nothing; a result
that arrives after a cancel is dropped; progress works without step logs; trainer inputs follow Fal's
schemas (the sandbox rejects anything else: ``strict_inputs``); create-then-start; retraining.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from support.factories import create_dataset, wait_for
from support.live import eventually, serve
from support.problems import assert_problem

from fotogen.ports import free_port
from shared.models import Model, ProviderWebhookReceipt

pytestmark = pytest.mark.usefixtures("worker")
FAST = "fal-ai/flux-lora-fast-training"
PORTRAIT = "fal-ai/flux-lora-portrait-trainer"
ENDED = {"succeeded", "failed", "canceled"}


def submission(sandbox: Any, endpoint: str, request_id: str) -> dict[str, Any]:
    return next(r for r in sandbox.requests(endpoint)["requests"] if r["request_id"] == request_id)


async def events(api: httpx.AsyncClient, training_id: str) -> list[dict[str, Any]]:
    return list((await api.get(f"/v1/trainings/{training_id}/events", params={"limit": 100})).json()["data"])


# -- error semantics -------------------------------------------------------------------------------------


async def test_a_final_504_ends_the_training_at_once_with_its_code_and_one_result_fetch(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    sandbox.reset(final_error_rate=1.0, final_error_type="request_timeout")
    ds = await create_dataset(app, owner[0], images=4)
    trn = (await api.post("/v1/trainings", json={"dataset_id": ds.id})).json()
    done = await wait_for(api, f"/v1/trainings/{trn['id']}", ENDED)
    record = submission(sandbox, FAST, done["provider"]["request_id"])
    sandbox.reset()
    assert done["status"] == "failed", done
    assert done["error"] == {"code": "provider_timeout", "message": "Request timed out"}
    assert record["result_calls"] == 1, "a final error is not fetched again"
    assert record["error"]["error_type"] == "request_timeout"
    # a failed training keeps nothing: its zip is gone, no model
    assert await app.state.storage.stat(f"owners/{owner[0]}/trainings/{trn['id']}/dataset.zip") is None
    assert done["model_id"] is None


async def test_a_result_that_arrives_after_a_cancel_is_dropped(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    """Fal only signals the runner, which may finish anyway (``cancel_ignored``): the training stays canceled,
    no model row, no stored weights, no zip."""
    sandbox.reset(training_seconds=1.5, cancel_ignored=True)
    ds = await create_dataset(app, owner[0], images=4)
    trn = (await api.post("/v1/trainings", json={"dataset_id": ds.id})).json()
    running = await wait_for(api, f"/v1/trainings/{trn['id']}", {"training"})
    await eventually(lambda: submission(sandbox, FAST, running["provider"]["request_id"])["status"] == "IN_PROGRESS")
    assert (await api.post(f"/v1/trainings/{trn['id']}/cancel")).status_code == 202
    done = await wait_for(api, f"/v1/trainings/{trn['id']}", ENDED)
    request_id = done["provider"]["request_id"]
    finished = await eventually(
        lambda: (r := submission(sandbox, FAST, request_id))["status"] == "COMPLETED" and r, timeout=20
    )
    assert finished["outcome"] == "ok" and finished["cancel_ignored"] is True  # the runner finished (and billed)
    await asyncio.sleep(1.0)  # time for any late step to act on the completion
    again = (await api.get(f"/v1/trainings/{trn['id']}")).json()
    sandbox.reset()
    assert done["status"] == again["status"] == "canceled" and again["model_id"] is None
    async with app.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).where(Model.training_id == trn["id"])) == 0
    assert await app.state.storage.stat(f"owners/{owner[0]}/trainings/{trn['id']}/dataset.zip") is None
    assert finished["result_calls"] == 0, "the completion was never even fetched"


# -- provider callbacks ----------------------------------------------------------------------------------


@pytest.fixture
async def callback_stack(settings: Any, sandbox: Any) -> AsyncIterator[str]:
    """An API (on a real port the sandbox can call) and a worker with Fal callbacks enabled, own queue."""
    from api.app import create_app
    from worker.settings import build_worker

    port = free_port()
    own = settings.model_copy(
        update={
            "queue_name": settings.queue_name + ":callbacks",
            "public_url": f"http://127.0.0.1:{port}",
            "fal_webhooks_enabled": True,
            "fal_webhook_jwks_url": sandbox.jwks_url,
            "provider_poll_interval": 5.0,  # slow polls: the callback is what finishes the job
        }
    )
    with serve(create_app(own), port) as base:
        worker = build_worker(own)
        task = asyncio.create_task(worker.async_run())
        try:
            yield base
        finally:
            task.cancel()  # stop taking jobs first: closing the pool under a running job loses its finish
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            await worker.close()


async def test_a_callback_delivered_three_times_gets_three_200s_and_one_transition(
    app: Any, owner: tuple[str, str], sandbox: Any, callback_stack: str
) -> None:
    sandbox.reset(training_seconds=0.2, webhook_repeats=3, webhook_repeat_delay=0.2)
    ds = await create_dataset(app, owner[0], images=4)
    headers = {"Authorization": f"Bearer {owner[1]}"}
    async with httpx.AsyncClient(base_url=callback_stack, headers=headers, timeout=30) as api:
        trn = (await api.post("/v1/trainings", json={"dataset_id": ds.id})).json()
        done = await wait_for(api, f"/v1/trainings/{trn['id']}", ENDED)
        request_id = done["provider"]["request_id"]

        def answered() -> list[dict[str, Any]] | None:
            d = submission(sandbox, FAST, request_id)["webhook_deliveries"]
            return d if len(d) == 3 and all("status_code" in x or "error" in x for x in d) else None

        deliveries = await eventually(answered)
        history = await events(api, trn["id"])
    sandbox.reset()
    assert done["status"] == "succeeded", done
    assert [d["status_code"] for d in deliveries] == [200, 200, 200]
    assert [e["type"] for e in history].count("training.succeeded") == 1
    async with app.state.sessionmaker() as session:
        receipts = await session.scalar(select(func.count()).where(ProviderWebhookReceipt.request_id == request_id))
    assert receipts == 1


# -- progress --------------------------------------------------------------------------------------------


async def test_progress_rises_without_step_logs_and_with_rewritten_logs(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    sandbox.reset(training_seconds=8, step_logs=False, logs_rewrite=True)
    ds = await create_dataset(app, owner[0], images=4)
    trn = (await api.post("/v1/trainings", json={"dataset_id": ds.id, "params": {"steps": 1}})).json()
    done = await wait_for(api, f"/v1/trainings/{trn['id']}", ENDED)
    history = await events(api, trn["id"])
    sandbox.reset()
    assert done["status"] == "succeeded", done
    estimated = [
        e["data"]["job"]["progress"]
        for e in history
        if e["type"] == "training.progress" and e["data"]["job"]["stage"] == "training (estimated)"
    ]
    assert len(estimated) >= 5, history
    assert estimated == sorted(estimated) and len(set(estimated)) == len(estimated), "rises, never backwards"
    assert estimated[0] > 0.1 and estimated[-1] < 0.9, "below the end until the result arrives"
    everything = [e["data"]["job"]["progress"] for e in history]
    assert everything == sorted(everything)
    logs = [e["data"]["message"] for e in history if e["type"] == "training.log"]
    # a window of two lines may drop some between polls, but never shows one twice
    assert "Creating masks" in logs and len(logs) == len(set(logs)), logs


# -- trainer inputs --------------------------------------------------------------------------------------


async def test_base_model_shows_each_trainers_params_schema(api: httpx.AsyncClient) -> None:
    model = (await api.get("/v1/models/mdl_flux_1_dev")).json()
    trainers = {t["name"]: t for t in model["trainers"]}
    assert trainers["fast"]["endpoint"] == FAST and trainers["portrait"]["endpoint"] == PORTRAIT
    assert trainers["fast"]["min_images"] == 4 and trainers["portrait"]["min_images"] == 10
    fast, portrait = trainers["fast"]["params_schema"], trainers["portrait"]["params_schema"]
    assert fast["additionalProperties"] is False and "learning_rate" not in fast["properties"]
    assert fast["properties"]["is_input_format_already_preprocessed"]["default"] is False
    assert portrait["properties"]["learning_rate"] == {
        **portrait["properties"]["learning_rate"],
        "default": 0.00009,
        "minimum": 0.000001,
        "maximum": 0.001,
    }
    assert portrait["properties"]["steps"]["default"] == 2500
    assert portrait["properties"]["create_masks"]["default"] is False
    assert {"subject_crop", "multiresolution_training"} <= set(portrait["properties"])
    assert (trainers["fast"]["can_resume"], trainers["portrait"]["can_resume"]) == (False, True)


@pytest.mark.parametrize(
    ("trainer", "params", "field"),
    [
        ("fast", {"learning_rate": 0.0001}, "learning_rate"),
        ("fast", {"steps": 0}, "steps"),
        ("portrait", {"learning_rate": 0.01}, "learning_rate"),
        ("portrait", {"is_style": True}, "is_style"),
    ],
)
async def test_params_outside_the_trainers_schema_are_422_naming_the_field(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], trainer: str, params: dict[str, Any], field: str
) -> None:
    ds = await create_dataset(app, owner[0], images=10)
    r = await api.post("/v1/trainings", json={"dataset_id": ds.id, "trainer": trainer, "params": params})
    body = assert_problem(r, 422, "validation_error")
    assert body["errors"][0]["loc"] == ["body", "params", field], body


async def test_what_reaches_fal_is_the_schemas_fields_with_fals_defaults(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    sandbox.reset(training_seconds=0.1)  # strict_inputs: the sandbox refuses a field Fal's schema lacks
    ds = await create_dataset(app, owner[0], images=10)
    fast = (await api.post("/v1/trainings", json={"dataset_id": ds.id, "params": {"steps": 10}})).json()
    portrait = (await api.post("/v1/trainings", json={"dataset_id": ds.id, "trainer": "portrait"})).json()
    assert fast["params"] == {
        "steps": 10,
        "create_masks": True,
        "is_style": False,
        "is_input_format_already_preprocessed": False,
    }
    done = [await wait_for(api, f"/v1/trainings/{t['id']}", ENDED) for t in (fast, portrait)]
    assert [d["status"] for d in done] == ["succeeded", "succeeded"], done
    sent_fast = submission(sandbox, FAST, done[0]["provider"]["request_id"])
    sent_portrait = submission(sandbox, PORTRAIT, done[1]["provider"]["request_id"])
    sandbox.reset()
    assert sent_fast["dropped_fields"] == [] and sent_portrait["dropped_fields"] == []
    assert set(sent_fast["input"]) == {
        "images_data_url",
        "trigger_word",
        "steps",
        "create_masks",
        "is_style",
        "is_input_format_already_preprocessed",
    }
    assert {k: v for k, v in sent_portrait["input"].items() if k != "images_data_url"} == {
        "trigger_phrase": "ZOE",
        "learning_rate": 0.00009,
        "steps": 2500,
        "multiresolution_training": True,
        "subject_crop": True,
        "create_masks": False,
    }


# -- create-then-start, retraining -----------------------------------------------------------------------


async def test_create_then_start_and_cancel_of_created(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    sandbox.reset(training_seconds=0.1)
    ds = await create_dataset(app, owner[0], images=4)
    r = await api.post("/v1/trainings", json={"dataset_id": ds.id, "start": False})
    assert r.status_code == 201, r.text
    trn = r.json()
    assert trn["status"] == "created" and trn["provider"]["request_id"] is None
    await asyncio.sleep(1.5)  # neither the worker nor the reconciler touches it
    assert (await api.get(f"/v1/trainings/{trn['id']}")).json()["status"] == "created"
    assert await events(api, trn["id"]) == []

    started = await api.post(f"/v1/trainings/{trn['id']}/start")
    assert started.status_code == 202 and started.json()["status"] == "queued", started.text
    assert_problem(await api.post(f"/v1/trainings/{trn['id']}/start"), 409, "job_not_startable")
    done = await wait_for(api, f"/v1/trainings/{trn['id']}", ENDED)
    assert done["status"] == "succeeded", done

    other = (await api.post("/v1/trainings", json={"dataset_id": ds.id, "start": False})).json()
    canceled = await api.post(f"/v1/trainings/{other['id']}/cancel")
    assert canceled.status_code == 202 and canceled.json()["status"] == "canceled"
    assert_problem(await api.post(f"/v1/trainings/{other['id']}/start"), 409, "job_not_startable")
    assert [e["type"] for e in await events(api, other["id"])] == ["training.canceled"]
    sandbox.reset()


async def test_retraining_continues_a_lora_through_the_portrait_trainers_resume_input(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    sandbox.reset(training_seconds=0.1)
    ds = await create_dataset(app, owner[0], images=10)
    first = (await api.post("/v1/trainings", json={"dataset_id": ds.id, "trainer": "portrait"})).json()
    first = await wait_for(api, f"/v1/trainings/{first['id']}", ENDED)
    parent = (await api.get(f"/v1/models/{first['model_id']}")).json()
    assert parent["parent_model_id"] is None and parent["config"]["size_bytes"] > 0

    fast = {"dataset_id": ds.id, "trainer": "fast", "resume_from_model_id": parent["id"]}
    assert_problem(await api.post("/v1/trainings", json=fast), 422, "trainer_cannot_resume")
    assert_problem(
        await api.post("/v1/trainings", json={**fast, "trainer": "portrait", "resume_from_model_id": "mdl_flux_1_dev"}),
        422,
        "model_not_resumable",
    )
    body = {**fast, "trainer": "portrait", "params": {"steps": 100}}
    second = (await api.post("/v1/trainings", json=body)).json()
    assert second["resume_from_model_id"] == parent["id"]
    second = await wait_for(api, f"/v1/trainings/{second['id']}", ENDED)
    assert second["status"] == "succeeded", second
    child = (await api.get(f"/v1/models/{second['model_id']}")).json()
    assert child["parent_model_id"] == parent["id"] and child["type"] == "lora"
    sent = submission(sandbox, PORTRAIT, second["provider"]["request_id"])["input"]
    sandbox.reset()
    # the checkpoint Fal downloads is our stored copy of the parent's weights
    weights = await api.get(sent["resume_from_checkpoint"].replace(app.state.settings.public_url, ""))
    assert weights.status_code == 200 and len(weights.content) == parent["weights"]["size_bytes"]

"""Trainings end to end: API → arq worker → storage → Fal sandbox (through fal-client) → model."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from safetensors.numpy import load as load_safetensors
from support.factories import create_dataset, wait_for
from support.problems import assert_problem

pytestmark = pytest.mark.usefixtures("worker")


async def test_training_succeeds_and_weights_load_as_safetensors(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    sandbox.reset(training_seconds=0.3)
    ds = await create_dataset(app, owner[0], images=4)
    r = await api.post("/v1/trainings", json={"dataset_id": ds.id, "base_model_id": "mdl_flux_1_dev"})
    assert r.status_code == 202, r.text
    trn = r.json()
    assert trn["status"] == "queued" and trn["trigger_word"] == "ZOE" and trn["image_count"] == 4

    done = await wait_for(api, f"/v1/trainings/{trn['id']}", {"succeeded", "failed", "canceled"})
    assert done["status"] == "succeeded", done
    assert done["progress"] == 1.0 and done["model_id"] and done["provider"]["request_id"]

    model = (await api.get(f"/v1/models/{done['model_id']}")).json()
    assert model["type"] == "lora" and model["base_model_id"] == "mdl_flux_1_dev" and model["training_id"] == trn["id"]
    assert model["trigger_word"] == "ZOE"
    weights = await api.get(model["weights"]["url"].replace(app.state.settings.public_url, ""))
    assert weights.status_code == 200
    tensors = load_safetensors(weights.content)
    assert any("lora_A" in name for name in tensors) and len(weights.content) == model["weights"]["size_bytes"]
    listed = (await api.get("/v1/models", params={"type": "lora"})).json()["data"]
    assert [m["id"] for m in listed] == [model["id"]]

    submissions = sandbox.requests("fal-ai/flux-lora-fast-training")["requests"]
    mine = [s for s in submissions if s["request_id"] == done["provider"]["request_id"]]
    assert len(mine) == 1 and mine[0]["input"]["trigger_word"] == "ZOE"
    # the dataset zip is deleted once the model exists
    assert await app.state.storage.stat(f"owners/{owner[0]}/trainings/{trn['id']}/dataset.zip") is None


async def test_dataset_too_small_is_422(app: Any, api: httpx.AsyncClient, owner: tuple[str, str]) -> None:
    ds = await create_dataset(app, owner[0], images=3)
    r = await api.post("/v1/trainings", json={"dataset_id": ds.id, "base_model_id": "mdl_flux_1_dev"})
    assert_problem(r, 422, "dataset_too_small")
    ds4 = await create_dataset(app, owner[0], images=4)
    r = await api.post(
        "/v1/trainings", json={"dataset_id": ds4.id, "base_model_id": "mdl_flux_1_dev", "trainer": "portrait"}
    )
    assert_problem(r, 422, "dataset_too_small")


async def test_other_owners_dataset_is_404(app: Any, api: httpx.AsyncClient, other: httpx.AsyncClient) -> None:
    from support.factories import create_owner

    someone, _ = await create_owner(app)
    ds = await create_dataset(app, someone, images=4)
    assert_problem(await api.post("/v1/trainings", json={"dataset_id": ds.id}), 404, "dataset_not_found")


async def test_provider_failure_marks_failed_with_code(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    sandbox.reset(fail_rate=1.0)
    ds = await create_dataset(app, owner[0], images=4)
    trn = (await api.post("/v1/trainings", json={"dataset_id": ds.id})).json()
    done = await wait_for(api, f"/v1/trainings/{trn['id']}", {"succeeded", "failed", "canceled"})
    sandbox.reset()
    assert done["status"] == "failed", done
    assert done["error"]["code"] == "provider_failed" and done["error"]["message"]
    assert done["model_id"] is None


async def test_cancel_while_training_asks_provider(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    sandbox.reset(training_seconds=30)
    ds = await create_dataset(app, owner[0], images=4)
    trn = (await api.post("/v1/trainings", json={"dataset_id": ds.id})).json()
    await wait_for(api, f"/v1/trainings/{trn['id']}", {"training"})
    r = await api.post(f"/v1/trainings/{trn['id']}/cancel")
    assert r.status_code == 202, r.text
    done = await wait_for(api, f"/v1/trainings/{trn['id']}", {"canceled", "succeeded", "failed"})
    assert done["status"] == "canceled"
    req = next(x for x in sandbox.requests()["requests"] if x["request_id"] == done["provider"]["request_id"])
    assert len(req["cancel_calls"]) >= 1
    assert_problem(await api.post(f"/v1/trainings/{trn['id']}/cancel"), 409, "job_already_terminal")
    sandbox.reset()


async def test_concurrent_creates_with_one_idempotency_key_make_one_training(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    sandbox.reset(stuck=True)
    ds = await create_dataset(app, owner[0], images=4)
    body = {"dataset_id": ds.id, "name": "once"}
    responses = await asyncio.gather(
        *[api.post("/v1/trainings", json=body, headers={"Idempotency-Key": "k-20"}) for _ in range(20)]
    )
    assert {r.status_code for r in responses} == {202}, [r.text for r in responses if r.status_code != 202]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 19
    listed = (await api.get("/v1/trainings", params={"dataset_id": ds.id})).json()["data"]
    assert len(listed) == 1
    r = await api.post("/v1/trainings", json={**body, "name": "other"}, headers={"Idempotency-Key": "k-20"})
    assert_problem(r, 409, "idempotency_key_reused")
    await api.post(f"/v1/trainings/{listed[0]['id']}/cancel")
    sandbox.reset()


async def test_thirty_percent_injected_429_and_5xx_still_succeeds(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    faults = {f"{op}_{code}_rate": 0.1 for op in ("submit", "status", "result") for code in (429, 500, 503)}
    sandbox.reset(training_seconds=0.5, seed=7, **faults)
    ds = await create_dataset(app, owner[0], images=4)
    trn = (await api.post("/v1/trainings", json={"dataset_id": ds.id})).json()
    done = await wait_for(api, f"/v1/trainings/{trn['id']}", {"succeeded", "failed", "canceled"}, timeout=90)
    # this training's submissions only: an earlier test's training may still get submitted after the reset
    submissions = [
        s
        for s in sandbox.requests("fal-ai/flux-lora-fast-training")["requests"]
        if trn["id"] in s["input"]["images_data_url"]
    ]
    sandbox.reset()
    assert done["status"] == "succeeded", done
    assert [s["request_id"] for s in submissions] == [done["provider"]["request_id"]], "exactly one submission"


async def test_lost_enqueue_is_picked_up_by_the_reconciler(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any, settings: Any
) -> None:
    """The row commits but its arq job never reaches Redis (a crash between commit and enqueue)."""
    from shared.queue import discard_pending
    from shared.scope import OwnerScope
    from shared.trainings.schemas import TrainingCreate
    from shared.trainings.service import create_training

    sandbox.reset()
    ds = await create_dataset(app, owner[0], images=4)
    async with app.state.sessionmaker() as session:
        row = await create_training(
            OwnerScope(session, owner[0]), app.state.storage, settings, TrainingCreate(dataset_id=ds.id), None
        )
        discard_pending(session)  # the enqueue is lost
        await session.commit()
    done = await wait_for(api, f"/v1/trainings/{row.id}", {"succeeded", "failed", "canceled"}, timeout=60)
    assert done["status"] == "succeeded", done


@pytest.mark.parametrize("stage", ["queued", "preparing"])
async def test_cancel_early_stages(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any, settings: Any, stage: str
) -> None:
    """Cancel before the provider has the job: nothing is submitted, the training ends `canceled`."""
    from datetime import timedelta

    from sqlalchemy import func, update

    from shared.models import Training
    from shared.queue import discard_pending
    from shared.scope import OwnerScope
    from shared.trainings.schemas import TrainingCreate
    from shared.trainings.service import create_training

    sandbox.reset()
    ds = await create_dataset(app, owner[0], images=4)
    async with app.state.sessionmaker() as session:
        row = await create_training(
            OwnerScope(session, owner[0]), app.state.storage, settings, TrainingCreate(dataset_id=ds.id), None
        )
        discard_pending(session)
        if stage == "preparing":
            # a worker holds the job in `preparing` (its lease is live) when the cancel arrives
            await session.execute(
                update(Training)
                .where(Training.id == row.id)
                .values(status="preparing", next_run_at=None, lease_until=func.now() + timedelta(seconds=2))
            )
        await session.commit()
    r = await api.post(f"/v1/trainings/{row.id}/cancel")
    assert r.status_code == 202, r.text
    if stage == "queued":
        assert r.json()["status"] == "canceled"
    done = await wait_for(api, f"/v1/trainings/{row.id}", {"canceled", "succeeded", "failed"}, timeout=30)
    assert done["status"] == "canceled" and done["provider"]["request_id"] is None
    assert_problem(await api.post(f"/v1/trainings/{row.id}/cancel"), 409, "job_already_terminal")


async def test_training_list_filters_and_404s(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], other: httpx.AsyncClient, sandbox: Any
) -> None:
    sandbox.reset(stuck=True)
    ds = await create_dataset(app, owner[0], images=4)
    trn = (await api.post("/v1/trainings", json={"dataset_id": ds.id})).json()
    assert [t["id"] for t in (await api.get("/v1/trainings", params={"dataset_id": ds.id})).json()["data"]] == [
        trn["id"]
    ]
    assert (await api.get("/v1/trainings", params={"status": "succeeded", "dataset_id": ds.id})).json()["data"] == []
    assert_problem(await other.get(f"/v1/trainings/{trn['id']}"), 404, "training_not_found")
    assert_problem(await other.post(f"/v1/trainings/{trn['id']}/cancel"), 404, "training_not_found")
    bad = await api.post("/v1/trainings", json={"dataset_id": ds.id, "params": {"steps": 0}})
    assert_problem(bad, 422, "validation_error")
    await api.post(f"/v1/trainings/{trn['id']}/cancel")
    sandbox.reset()


async def test_events_history_and_sse_stream_follow_a_training(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any, live_api: str
) -> None:
    """A real SSE client (httpx-sse) on the real server follows a training from queued to succeeded."""
    from httpx_sse import aconnect_sse

    sandbox.reset(training_seconds=0.5)
    ds = await create_dataset(app, owner[0], images=4)
    trn = (await api.post("/v1/trainings", json={"dataset_id": ds.id})).json()
    seen: list[dict[str, Any]] = []
    headers = {"Authorization": f"Bearer {owner[1]}"}
    async with (
        httpx.AsyncClient(base_url=live_api, headers=headers, timeout=30) as c,
        aconnect_sse(c, "GET", f"/v1/trainings/{trn['id']}/stream") as source,
    ):
        async for sse in source.aiter_sse():
            seen.append({"id": int(sse.id), "type": sse.event, **sse.json()})
    types = [e["type"] for e in seen]
    assert types[0] == "training.queued" and types[-1] == "training.succeeded", types
    assert "training.started" in types and "training.progress" in types
    assert [e["id"] for e in seen] == sorted({e["id"] for e in seen}), "ids increase, no duplicates"
    progress = [e["data"]["job"]["progress"] for e in seen]
    assert progress == sorted(progress), "progress never goes backwards"
    assert seen[-1]["data"]["job"]["status"] == "succeeded" and seen[-1]["data"]["job"]["model_id"]

    history = (await api.get(f"/v1/trainings/{trn['id']}/events", params={"limit": 100})).json()
    assert [e["id"] for e in history["data"]] == [e["id"] for e in seen]
    first = (await api.get(f"/v1/trainings/{trn['id']}/events", params={"limit": 2})).json()
    rest = (await api.get(f"/v1/trainings/{trn['id']}/events", params={"after": first["next_cursor"]})).json()
    assert [e["id"] for e in first["data"] + rest["data"]] == [e["id"] for e in seen]

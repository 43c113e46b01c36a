"""Generations API: validation, ownership, trigger words, listing and idempotency (no provider work needed:
the sandbox is held `stuck`, so created generations stay queued/running until canceled)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from support.factories import create_owner
from support.problems import assert_problem

from shared.generations.requests import with_trigger_word
from shared.ids import new_id
from shared.models import Model

BASE = "mdl_flux_1_dev"


@pytest.fixture
def stuck(sandbox: Any) -> Any:
    sandbox.reset(stuck=True)
    yield sandbox
    sandbox.reset()


async def lora_model(app: Any, owner_id: str, *, weights: bool = True, trigger: str | None = "ZOE") -> Model:
    """A trained-model row (its weights key need not exist: nothing here reaches the provider)."""
    async with app.state.sessionmaker() as session:
        model = Model(
            id=new_id("model"),
            owner_id=owner_id,
            name="mine",
            type="lora",
            category="image",
            base_model_id=BASE,
            trigger_word=trigger,
            generation_endpoint="fal-ai/flux-lora",
            trainers={},
            weights_key=f"owners/{owner_id}/models/x/lora.safetensors" if weights else None,
        )
        session.add(model)
        await session.commit()
        return model


async def cancel_all(api: httpx.AsyncClient, ids: list[str]) -> None:
    for gid in ids:
        r = await api.post(f"/v1/generations/{gid}/cancel")
        assert r.status_code in (202, 409), r.text


@pytest.mark.parametrize(
    ("patch", "loc"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": "   \n"}, "prompt"),
        ({"prompt": "x" * 2001}, "prompt"),
        ({"num_images": 0}, "num_images"),
        ({"num_images": 5}, "num_images"),
        ({"image_size": "huge"}, "image_size"),
        ({"image_size": {"width": 248, "height": 512}}, "image_size"),
        ({"image_size": {"width": 2056, "height": 512}}, "image_size"),
        ({"image_size": {"width": 1001, "height": 512}}, "image_size"),
        ({"image_size": {"width": 512}}, "image_size"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"guidance_scale": 35.5}, "guidance_scale"),
        ({"guidance_scale": -0.1}, "guidance_scale"),
        ({"num_inference_steps": 0}, "num_inference_steps"),
        ({"num_inference_steps": 51}, "num_inference_steps"),
        ({"lora_scale": 2.01}, "lora_scale"),
        ({"output_format": "webp"}, "output_format"),
        ({"enable_safety_checker": "maybe"}, "enable_safety_checker"),
        ({"loras": [{"model_id": "mdl_x", "scale": 5}]}, "loras"),
        ({"loras": [{"model_id": f"mdl_{i}"} for i in range(4)]}, "loras"),
        ({"metadata": {"k" * 41: "v"}}, "metadata"),
        ({"metadata": {"k": "v" * 501}}, "metadata"),
        ({"metadata": {f"k{i}": "v" for i in range(21)}}, "metadata"),
        ({"metadata": {"k": 1}}, "metadata"),
        ({"end_user": "u" * 129}, "end_user"),
        ({"mode": "outpainting"}, "mode"),
        ({"image": {"upload_id": "upl_1", "dataset_image_id": "img_1"}}, "image"),
        ({"image": {}}, "image"),
        ({"strength": 1.5}, "strength"),
        ({"model_id": None}, "model_id"),
    ],
)
async def test_bad_parameters_are_422(api: httpx.AsyncClient, patch: dict[str, Any], loc: str) -> None:
    body = {"model_id": BASE, "prompt": "a cat", **patch}
    problem = assert_problem(await api.post("/v1/generations", json=body), 422, "validation_error")
    assert any(loc in e["loc"] for e in problem["errors"]), problem


async def test_model_checks(app: Any, api: httpx.AsyncClient, owner: tuple[str, str]) -> None:
    r = await api.post("/v1/generations", json={"model_id": "mdl_tripo3d_v2_5", "prompt": "a cat"})
    assert_problem(r, 422, "model_not_image")
    r = await api.post("/v1/generations", json={"model_id": "mdl_nope", "prompt": "a cat"})
    assert_problem(r, 404, "model_not_found")
    someone, _ = await create_owner(app)
    theirs = await lora_model(app, someone)
    r = await api.post("/v1/generations", json={"model_id": theirs.id, "prompt": "a cat"})
    assert_problem(r, 404, "model_not_found")
    empty = await lora_model(app, owner[0], weights=False)
    r = await api.post("/v1/generations", json={"model_id": empty.id, "prompt": "a cat"})
    assert_problem(r, 422, "model_weights_missing")


async def test_create_get_list_cancel_and_isolation(
    app: Any, api: httpx.AsyncClient, other: httpx.AsyncClient, owner: tuple[str, str], stuck: Any
) -> None:
    model = await lora_model(app, owner[0])
    r = await api.post("/v1/generations", json={"model_id": model.id, "prompt": "on a bike", "seed": 7})
    assert r.status_code == 202, r.text
    lora_gen = r.json()
    assert lora_gen["prompt"] == "ZOE on a bike" and lora_gen["status"] == "queued" and lora_gen["seed"] == 7
    assert lora_gen["params"] == {
        "image_size": "landscape_4_3",
        "num_images": 1,
        "seed": 7,
        "guidance_scale": 3.5,
        "num_inference_steps": 28,
        "lora_scale": 1.0,
        "output_format": "jpeg",
        "enable_safety_checker": True,
        "mode": "text_to_image",
        "loras": [{"model_id": model.id, "scale": 1.0}],
        "image": None,
        "mask": None,
        "strength": None,
        "negative_prompt": None,
        "scheduler": None,
        "clip_skip": None,
    }
    base_gen = (await api.post("/v1/generations", json={"model_id": BASE, "prompt": "ZOE-less prompt"})).json()
    assert base_gen["prompt"] == "ZOE-less prompt" and base_gen["params"]["lora_scale"] is None

    got = (await api.get(f"/v1/generations/{lora_gen['id']}")).json()
    assert got["id"] == lora_gen["id"] and got["model_id"] == model.id
    page = (await api.get("/v1/generations", params={"limit": 1})).json()
    assert [g["id"] for g in page["data"]] == [base_gen["id"]] and page["has_more"]
    rest = (await api.get("/v1/generations", params={"limit": 1, "after": page["next_cursor"]})).json()
    assert [g["id"] for g in rest["data"]] == [lora_gen["id"]] and not rest["has_more"]
    by_model = (await api.get("/v1/generations", params={"model_id": model.id})).json()["data"]
    assert [g["id"] for g in by_model] == [lora_gen["id"]]
    assert (await api.get("/v1/generations", params={"status": "succeeded"})).json()["data"] == []
    assert_problem(await api.get("/v1/generations", params={"status": "done"}), 422, "validation_error")

    assert_problem(await other.get(f"/v1/generations/{lora_gen['id']}"), 404, "generation_not_found")
    assert_problem(await other.post(f"/v1/generations/{lora_gen['id']}/cancel"), 404, "generation_not_found")
    assert (await other.get("/v1/generations")).json()["data"] == []

    await cancel_all(api, [lora_gen["id"], base_gen["id"]])
    for gid in (lora_gen["id"], base_gen["id"]):
        for _ in range(200):
            body = (await api.get(f"/v1/generations/{gid}")).json()
            if body["status"] == "canceled":
                break
            await asyncio.sleep(0.05)
        assert body["status"] == "canceled", body
        assert_problem(await api.post(f"/v1/generations/{gid}/cancel"), 409, "job_already_terminal")


async def test_concurrent_creates_with_one_idempotency_key_make_one_generation(
    api: httpx.AsyncClient, stuck: Any
) -> None:
    body = {"model_id": BASE, "prompt": "once", "num_images": 2}
    responses = await asyncio.gather(
        *[api.post("/v1/generations", json=body, headers={"Idempotency-Key": "g-20"}) for _ in range(20)]
    )
    assert {r.status_code for r in responses} == {202}, [r.text for r in responses if r.status_code != 202]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 19
    listed = (await api.get("/v1/generations")).json()["data"]
    assert [g["id"] for g in listed] == [responses[0].json()["id"]]
    r = await api.post("/v1/generations", json={**body, "prompt": "twice"}, headers={"Idempotency-Key": "g-20"})
    assert_problem(r, 409, "idempotency_key_reused")
    await cancel_all(api, [listed[0]["id"]])


def test_trigger_word_is_prepended_only_when_missing() -> None:
    assert with_trigger_word("a cat", "ZOE") == "ZOE a cat"
    assert with_trigger_word("ZOE as a cat", "ZOE") == "ZOE as a cat"
    assert with_trigger_word("photo of zoe.", "ZOE") == "photo of zoe."
    assert with_trigger_word("ZOEY at home", "ZOE") == "ZOE ZOEY at home"
    assert with_trigger_word("sks dog", "sks dog") == "sks dog"
    assert with_trigger_word("a dog", None) == "a dog"
    assert with_trigger_word("a (test)", "c++") == "c++ a (test)"

"""Trained models through the API: rename, delete (weights removed from storage), refused while in use,
invisible to other owners. Base models' read-only answers are in ``test_foundation``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
from sqlalchemy import update
from support.factories import create_owner
from support.problems import assert_problem

from shared.ids import new_id
from shared.models import Generation, Model

BASE = "mdl_flux_1_dev"


async def _bytes(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def trained_model(app: Any, owner_id: str) -> tuple[str, str]:
    """A trained-model row with its weights stored where training would put them: (model id, weights key)."""
    model_id = new_id("model")
    key = f"owners/{owner_id}/models/{model_id}/lora.safetensors"
    await app.state.storage.put(key, _bytes(b"weights"), "application/octet-stream")
    async with app.state.sessionmaker() as session:
        session.add(
            Model(
                id=model_id,
                owner_id=owner_id,
                name="mine",
                type="lora",
                category="image",
                base_model_id=BASE,
                trigger_word="ZOE",
                generation_endpoint="fal-ai/flux-lora",
                trainers={},
                weights_key=key,
                weights_size=7,
                weights_sha256="0" * 64,
            )
        )
        await session.commit()
    return model_id, key


async def test_rename_then_delete_removes_the_weights(app: Any, api: httpx.AsyncClient, owner: tuple[str, str]) -> None:
    model_id, key = await trained_model(app, owner[0])

    r = await api.patch(f"/v1/models/{model_id}", json={"name": "Zoe v2"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Zoe v2" and r.json()["weights"]["size_bytes"] == 7
    assert (await api.get(f"/v1/models/{model_id}")).json()["name"] == "Zoe v2"
    listed = (await api.get("/v1/models", params={"type": "lora"})).json()["data"]
    assert [m["id"] for m in listed] == [model_id]

    r = await api.delete(f"/v1/models/{model_id}")
    assert r.status_code == 204, r.text
    assert_problem(await api.get(f"/v1/models/{model_id}"), 404, "model_not_found")
    assert await app.state.storage.stat(key) is None
    assert (await api.get("/v1/models", params={"type": "lora"})).json()["data"] == []


async def test_delete_is_refused_while_a_generation_uses_the_model(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    model_id, key = await trained_model(app, owner[0])
    async with app.state.sessionmaker() as session:
        running = Generation(
            id=new_id("generation"), owner_id=owner[0], model_id=model_id, prompt="x", status="running"
        )
        session.add(running)
        await session.commit()

    assert_problem(await api.delete(f"/v1/models/{model_id}"), 409, "model_in_use")
    assert (await api.get(f"/v1/models/{model_id}")).status_code == 200
    assert await app.state.storage.stat(key) is not None

    async with app.state.sessionmaker() as session:
        await session.execute(update(Generation).where(Generation.id == running.id).values(status="succeeded"))
        await session.commit()
    assert (await api.delete(f"/v1/models/{model_id}")).status_code == 204


async def test_another_owners_model_is_404(app: Any, api: httpx.AsyncClient, other: httpx.AsyncClient) -> None:
    someone, _ = await create_owner(app)
    model_id, key = await trained_model(app, someone)
    assert_problem(await api.get(f"/v1/models/{model_id}"), 404, "model_not_found")
    assert_problem(await api.patch(f"/v1/models/{model_id}", json={"name": "x"}), 404, "model_not_found")
    assert_problem(await api.delete(f"/v1/models/{model_id}"), 404, "model_not_found")
    assert await app.state.storage.stat(key) is not None
    assert model_id not in {m["id"] for m in (await other.get("/v1/models", params={"limit": 100})).json()["data"]}

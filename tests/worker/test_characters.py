"""Seed 001 end to end through a real worker process and the sandbox: create a character → references
twice (new seeds) → pick one → train (variations made; a `kill -9` of the worker while they are being made
still ends with exactly one training and no duplicate picture) → a scene with the LoRA → found by
`?character_id=` and `?metadata[post_id]=`. Another owner sees 404 everywhere."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from support.factories import api_client, create_owner, wait_for
from support.worker_process import WorkerProcess, worker_env

from shared.models import CharacterJob, Image

TERMINAL = {"succeeded", "failed", "canceled"}
PROFILE = {
    "name": "Mira",
    "description": "a young elf mage with silver hair and green eyes",
    "art_style": "digital painting",
    "style_modifiers": ["dramatic lighting"],
    "end_user": "player-1",
    "metadata": {"forum_user": "u42"},
}
SCENE = "casting a fire spell in a dark dungeon"


@pytest.fixture
async def journey_env(app: Any, settings: Any, live_api: str, sandbox: Any) -> AsyncIterator[tuple[Any, Any]]:
    """An app + a worker subprocess on a queue of their own (the session's in-process worker never sees it)."""
    from support.env import make_settings

    from api.app import create_app

    queue = f"{settings.queue_name}:chr:{secrets.token_hex(3)}"
    own = make_settings(
        settings.database_url,
        settings.redis_url,
        settings.data_dir,
        "unused",
        queue_name=queue,
        public_url=live_api,
        fal_queue_url=settings.fal_queue_url,
        fal_ca_file=settings.fal_ca_file,
    )
    journey_app = create_app(own)
    _, key = await create_owner(app)
    with WorkerProcess(worker_env(settings, queue_name=queue, public_url=live_api)) as proc:
        async with (
            journey_app.router.lifespan_context(journey_app),
            api_client(journey_app, key) as api,
        ):
            yield api, proc


async def _job_status(app: Any, character_id: str) -> str | None:
    async with app.state.sessionmaker() as session:
        return await session.scalar(select(CharacterJob.status).where(CharacterJob.id == character_id))


async def _references(api: httpx.AsyncClient, character_id: str) -> dict[str, Any]:
    r = await api.post(f"/v1/characters/{character_id}/references", json={"num_images": 2})
    assert r.status_code == 202, r.text
    assert r.json()["character_id"] == character_id
    done = await wait_for(api, f"/v1/generations/{r.json()['id']}", TERMINAL)
    assert done["status"] == "succeeded", done
    return done


async def _kill_while_varying(app: Any, proc: WorkerProcess, character_id: str) -> None:
    deadline = time.monotonic() + 30
    while await _job_status(app, character_id) != "varying":
        assert time.monotonic() < deadline, "the flow never started making variations"
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)  # variations are running at the provider (generation_seconds=1.5)
    assert await _job_status(app, character_id) == "varying"
    proc.kill9()
    proc.restart()


async def test_seed_001_journey_survives_kill9_with_one_training(
    app: Any, sandbox: Any, journey_env: tuple[Any, Any], other: httpx.AsyncClient
) -> None:
    api, proc = journey_env
    sandbox.reset(training_seconds=0.3, generation_seconds=0.05)
    proc.start()
    proc.wait_alive(0.5)

    r = await api.post("/v1/characters", json=PROFILE)
    assert r.status_code == 201, r.text
    character = r.json()
    cid = character["id"]
    assert cid.startswith("chr_") and character["status"] == "draft" and character["reference"] is None

    first, second = await _references(api, cid), await _references(api, cid)
    assert first["params"]["seed"] != second["params"]["seed"]
    assert PROFILE["description"] in second["prompt"] and second["end_user"] == "player-1"
    assert (await api.get(f"/v1/characters/{cid}")).json()["status"] == "draft"

    picked = second["images"][1]
    pick = {"generation_id": second["id"], "image_id": picked["id"]}
    r = await api.post(f"/v1/characters/{cid}/reference", json=pick)
    assert r.status_code == 200, r.text
    character = r.json()
    assert character["status"] == "referenced"
    assert character["reference"]["image_id"] == picked["id"] and character["reference"]["seed"] == second["seed"]
    dataset = (await api.get(f"/v1/datasets/{character['dataset_id']}")).json()
    assert dataset["image_count"] == 1

    sandbox.configure(generation_seconds=1.5)  # slow variations: the kill lands while they are being made
    r = await api.post(f"/v1/characters/{cid}/train", json={})
    assert r.status_code == 202, r.text
    training = r.json()
    assert training["status"] == "created" and training["trigger_word"] == character["trigger_word"]
    await _kill_while_varying(app, proc, cid)
    try:
        character = await wait_for(api, f"/v1/characters/{cid}", {"trained", "failed"}, timeout=90)
    except AssertionError:
        raise AssertionError(proc.output()) from None
    if character["status"] != "trained":  # say why: the character's error and its jobs' (an intermittent CI failure)
        gens = (await api.get("/v1/generations", params={"character_id": cid, "limit": 50})).json()["data"]
        trns = (await api.get("/v1/trainings")).json()["data"]
        jobs = [(j["id"], j["status"], j.get("error")) for j in [*gens, *trns]]
        raise AssertionError((character.get("error"), jobs, proc.output()[-4000:]))
    done = (await api.get(f"/v1/trainings/{training['id']}")).json()
    assert done["status"] == "succeeded" and character["model_id"] == done["model_id"]
    submissions = [
        s
        for s in sandbox.requests("fal-ai/flux-lora-fast-training")["requests"]
        if training["id"] in s["input"]["images_data_url"]
    ]
    assert len(submissions) == 1, submissions
    async with app.state.sessionmaker() as session:
        shas = list(await session.scalars(select(Image.sha256).where(Image.dataset_id == character["dataset_id"])))
    assert len(shas) == 4 == len(set(shas)) == done["image_count"]  # the reference + 3 variations, no repeats
    types = [e["type"] for e in (await api.get(f"/v1/characters/{cid}/events")).json()["data"]]
    for earlier, later in (("referenced", "training"), ("training", "trained")):
        assert types.index(f"character.{earlier}") < types.index(f"character.{later}"), types
    assert "character.failed" not in types

    sandbox.configure(generation_seconds=0.05)
    r = await api.post(f"/v1/characters/{cid}/scenes", json={"scene": SCENE, "metadata": {"post_id": "p1"}})
    assert r.status_code == 202, r.text
    scene = await wait_for(api, f"/v1/generations/{r.json()['id']}", TERMINAL)
    assert scene["status"] == "succeeded", scene
    assert scene["model_id"] == character["model_id"] and scene["character_id"] == cid
    assert scene["end_user"] == "player-1" and scene["metadata"] == {"post_id": "p1"}
    prompt = scene["prompt"]
    parts = [character["trigger_word"], PROFILE["description"], SCENE, PROFILE["art_style"], "dramatic lighting"]
    positions = [prompt.find(p) for p in parts]
    assert prompt.startswith(character["trigger_word"]) and -1 not in positions and positions == sorted(positions)

    by_character = (await api.get("/v1/generations", params={"character_id": cid, "limit": 100})).json()["data"]
    assert scene["id"] in [g["id"] for g in by_character] and {first["id"], second["id"]} <= {
        g["id"] for g in by_character
    }
    by_post = (await api.get("/v1/generations", params={"metadata[post_id]": "p1"})).json()["data"]
    assert [g["id"] for g in by_post] == [scene["id"]]
    listed = (await api.get("/v1/characters", params={"end_user": "player-1"})).json()["data"]
    assert [c["id"] for c in listed] == [cid]

    # another owner: 404 everywhere, and nothing in its lists
    for method, path, body in (
        ("GET", f"/v1/characters/{cid}", None),
        ("PATCH", f"/v1/characters/{cid}", {"name": "x"}),
        ("POST", f"/v1/characters/{cid}/references", {}),
        ("POST", f"/v1/characters/{cid}/reference", {"generation_id": second["id"], "image_id": picked["id"]}),
        ("POST", f"/v1/characters/{cid}/train", {}),
        ("POST", f"/v1/characters/{cid}/scenes", {"scene": SCENE}),
        ("GET", f"/v1/characters/{cid}/events", None),
        ("DELETE", f"/v1/characters/{cid}", None),
    ):
        r = await other.request(method, path, json=body)
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["code"] == "character_not_found"
    assert (await other.get("/v1/generations", params={"character_id": cid})).json()["data"] == []
    assert (await other.get("/v1/characters")).json()["data"] == []

    # deleting keeps the generations and deletes the dataset and the LoRA
    assert (await api.delete(f"/v1/characters/{cid}")).status_code == 204
    assert (await api.get(f"/v1/characters/{cid}")).status_code == 404
    assert (await api.get(f"/v1/generations/{scene['id']}")).json()["character_id"] == cid
    assert (await api.get(f"/v1/datasets/{character['dataset_id']}")).status_code == 404
    assert (await api.get(f"/v1/models/{character['model_id']}")).status_code == 404

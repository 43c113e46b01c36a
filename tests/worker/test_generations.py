"""Generations end to end: API → arq worker → Fal sandbox (through fal-client) → our storage → signed URLs."""

from __future__ import annotations

import asyncio
import hashlib
import io
import secrets
import time
from typing import Any

import httpx
import pytest
from PIL import Image as PILImage
from sqlalchemy import func, select
from support.factories import api_client, create_dataset, wait_for
from support.problems import assert_problem
from support.worker_process import WorkerProcess, worker_env

from shared.models import Generation, GenerationImage

pytestmark = pytest.mark.usefixtures("worker")
TERMINAL = {"succeeded", "failed", "canceled"}


async def fetch(url: str) -> httpx.Response:
    """GET a signed URL for real (local storage: the live API's /v1/files route)."""
    async with httpx.AsyncClient(timeout=30) as c:
        return await c.get(url)


def submissions(sandbox: Any, request_id: str | None = None) -> list[dict[str, Any]]:
    found = sandbox.requests("fal-ai/flux-lora")["requests"]
    return [r for r in found if request_id is None or r["request_id"] == request_id]


async def provider_request_id(app: Any, generation_id: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with app.state.sessionmaker() as session:
            found = await session.scalar(select(Generation.provider_request_id).where(Generation.id == generation_id))
        if found:
            return str(found)
        await asyncio.sleep(0.02)
    raise AssertionError(f"{generation_id} was never submitted")


@pytest.mark.parametrize(
    ("image_size", "fmt", "expected"),
    [({"width": 640, "height": 384}, "png", (640, 384)), ("portrait_16_9", "jpeg", (576, 1024))],
)
async def test_base_model_generation_images_and_thumbnails_download(
    app: Any,
    api: httpx.AsyncClient,
    sandbox: Any,
    live_api: str,
    image_size: Any,
    fmt: str,
    expected: tuple[int, int],
) -> None:
    sandbox.reset(generation_seconds=0.1)
    body = {
        "model_id": "mdl_flux_1_dev",
        "prompt": "a lighthouse at dusk",
        "image_size": image_size,
        "num_images": 2,
        "seed": 42,
        "output_format": fmt,
        "num_inference_steps": 8,
    }
    r = await api.post("/v1/generations", json=body)
    assert r.status_code == 202, r.text
    gen = r.json()
    assert gen["status"] == "queued" and gen["images"] == [] and gen["prompt"] == "a lighthouse at dusk"
    assert gen["params"]["image_size"] == image_size and gen["params"]["lora_scale"] is None

    done = await wait_for(api, f"/v1/generations/{gen['id']}", TERMINAL)
    assert done["status"] == "succeeded", done
    assert done["seed"] == 42 and done["error"] is None and done["started_at"] and done["finished_at"]
    assert [len(done["images"]), len({i["id"] for i in done["images"]})] == [2, 2]
    pil_format = {"png": "PNG", "jpeg": "JPEG"}[fmt]
    for img in done["images"]:
        assert (img["width"], img["height"]) == expected
        assert img["content_type"] == f"image/{fmt}" and img["nsfw"] is False
        assert img["url"].startswith(live_api + "/v1/files/")
        content = await fetch(img["url"])
        assert content.status_code == 200
        assert len(content.content) == img["size_bytes"]
        with PILImage.open(io.BytesIO(content.content)) as decoded:
            decoded.load()
            assert decoded.format == pil_format and decoded.size == expected
        thumb = await fetch(img["thumbnail_url"])
        assert thumb.status_code == 200
        with PILImage.open(io.BytesIO(thumb.content)) as decoded:
            decoded.load()
            assert decoded.format == "WEBP" and max(decoded.size) == 256
    [req] = submissions(sandbox)
    assert req["input"]["prompt"] == "a lighthouse at dusk" and "loras" not in req["input"]
    assert req["input"]["image_size"] == image_size and req["input"]["seed"] == 42
    events = (await api.get(f"/v1/generations/{gen['id']}/events")).json()["data"]
    assert [e["type"] for e in events] == ["generation.queued", "generation.started", "generation.succeeded"]
    assert events[-1]["data"]["job"]["status"] == "succeeded" and len(events[-1]["data"]["job"]["images"]) == 2
    # the event is rendered from the rows its transaction wrote (not read back): the same images as GET, in order,
    # also with sha256 and size checked against the stored bytes above
    unsigned = ("url", "thumbnail_url")  # signed when each is rendered
    in_event = [{k: v for k, v in i.items() if k not in unsigned} for i in events[-1]["data"]["job"]["images"]]
    assert in_event == [{k: v for k, v in i.items() if k not in unsigned} for i in done["images"]]
    for img in done["images"]:
        assert img["sha256"] == hashlib.sha256((await fetch(img["url"])).content).hexdigest()
    stream = await api.get(f"/v1/generations/{gen['id']}/stream")  # replays the history, closes after the end
    assert stream.status_code == 200 and stream.text.count("event: generation.") == 3
    listed = (await api.get("/v1/generations", params={"status": "succeeded"})).json()["data"]
    assert [g["id"] for g in listed] == [gen["id"]]


async def test_lora_generation_passes_signed_weights_and_trigger_word(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any, live_api: str
) -> None:
    sandbox.reset(training_seconds=0.2, generation_seconds=0.1)
    ds = await create_dataset(app, owner[0], images=4)
    trn = (await api.post("/v1/trainings", json={"dataset_id": ds.id})).json()
    trained = await wait_for(api, f"/v1/trainings/{trn['id']}", TERMINAL)
    assert trained["status"] == "succeeded", trained
    model_id = trained["model_id"]

    r = await api.post(
        "/v1/generations",
        json={"model_id": model_id, "prompt": "portrait in the rain", "lora_scale": 0.8, "image_size": "square"},
    )
    assert r.status_code == 202, r.text
    gen = r.json()
    assert gen["prompt"] == "ZOE portrait in the rain" and gen["params"]["lora_scale"] == 0.8
    done = await wait_for(api, f"/v1/generations/{gen['id']}", TERMINAL)
    assert done["status"] == "succeeded", done
    assert [(i["width"], i["height"]) for i in done["images"]] == [(512, 512)]

    [req] = submissions(sandbox)
    assert req["outcome"] == "ok" and req["input"]["prompt"] == "ZOE portrait in the rain"
    [lora] = req["input"]["loras"]
    assert lora["scale"] == 0.8
    assert lora["path"].startswith(f"{live_api}/v1/files/owners/{owner[0]}/models/{model_id}/lora.safetensors?")
    assert "sig=" in lora["path"] and "expires=" in lora["path"]
    # the sandbox fetched the URL and loaded it as safetensors before generating
    assert any(line.startswith("Loaded LoRA 0") for line in req["logs"]), req["logs"]

    # a prompt that already has the trigger word is sent as is
    again = (await api.post("/v1/generations", json={"model_id": model_id, "prompt": "zoe, smiling"})).json()
    assert again["prompt"] == "zoe, smiling"
    assert (await wait_for(api, f"/v1/generations/{again['id']}", TERMINAL))["status"] == "succeeded"
    listed = (await api.get("/v1/generations", params={"model_id": model_id})).json()["data"]
    assert [g["id"] for g in listed] == [again["id"], gen["id"]]


async def test_provider_failure_marks_failed_with_code(api: httpx.AsyncClient, sandbox: Any) -> None:
    sandbox.reset(fail_rate=1.0)
    gen = (await api.post("/v1/generations", json={"model_id": "mdl_flux_1_dev", "prompt": "x"})).json()
    done = await wait_for(api, f"/v1/generations/{gen['id']}", TERMINAL)
    sandbox.reset()
    assert done["status"] == "failed", done
    assert done["error"]["code"] == "provider_failed" and done["error"]["message"]
    assert done["images"] == [] and done["finished_at"]


async def test_unfetchable_lora_is_rejected_by_the_provider(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    """A LoRA model whose stored weights are gone: the provider cannot load them → failed, no retry loop."""
    from shared.ids import new_id
    from shared.models import Model

    sandbox.reset()
    async with app.state.sessionmaker() as session:
        model = Model(
            id=new_id("model"),
            owner_id=owner[0],
            name="ghost",
            type="lora",
            category="image",
            base_model_id="mdl_flux_1_dev",
            trigger_word="GHOST",
            generation_endpoint="fal-ai/flux-lora",
            weights_key=f"owners/{owner[0]}/models/missing/lora.safetensors",
            trainers={},
        )
        session.add(model)
        await session.commit()
    gen = (await api.post("/v1/generations", json={"model_id": model.id, "prompt": "a ghost"})).json()
    done = await wait_for(api, f"/v1/generations/{gen['id']}", TERMINAL)
    # Fal's file_download_error: it could not fetch the weights
    assert done["status"] == "failed" and done["error"]["code"] == "provider_download_failed", done
    assert len(submissions(sandbox)) == 1


async def test_cancel_running_generation_asks_provider(app: Any, api: httpx.AsyncClient, sandbox: Any) -> None:
    sandbox.reset(generation_seconds=30)
    gen = (await api.post("/v1/generations", json={"model_id": "mdl_flux_1_dev", "prompt": "slow"})).json()
    await wait_for(api, f"/v1/generations/{gen['id']}", {"running"})
    request_id = await provider_request_id(app, gen["id"])
    r = await api.post(f"/v1/generations/{gen['id']}/cancel")
    assert r.status_code == 202, r.text
    done = await wait_for(api, f"/v1/generations/{gen['id']}", TERMINAL)
    assert done["status"] == "canceled" and done["images"] == []
    [req] = submissions(sandbox, request_id)
    assert len(req["cancel_calls"]) >= 1 and req["outcome"] == "cancelled"
    assert_problem(await api.post(f"/v1/generations/{gen['id']}/cancel"), 409, "job_already_terminal")
    sandbox.reset()


async def test_a_cancel_while_the_outputs_are_fetched_and_copied_wins(
    app: Any, api: httpx.AsyncClient, sandbox: Any
) -> None:
    """The request completed and the worker is fetching its result (each queue call takes 1 s here) when the cancel
    lands: the copies are made, the move to succeeded does not happen, and nothing of them stays."""
    sandbox.reset(generation_seconds=0.2, latency=1.0)
    gen = (await api.post("/v1/generations", json={"model_id": "mdl_flux_1_dev", "prompt": "late cancel"})).json()
    request_id = await provider_request_id(app, gen["id"])
    deadline = time.monotonic() + 30
    while not [c for c in sandbox.requests()["calls"] if c["kind"] == "result" and c["request_id"] == request_id]:
        assert time.monotonic() < deadline, "the worker never asked for the result"
        await asyncio.sleep(0.02)
    r = await api.post(f"/v1/generations/{gen['id']}/cancel")
    assert r.status_code == 202, r.text
    done = await wait_for(api, f"/v1/generations/{gen['id']}", TERMINAL)
    assert done["status"] == "canceled" and done["images"] == [], done
    [req] = submissions(sandbox, request_id)
    assert req["status"] == "COMPLETED", req  # it had finished at the provider: the cancel won on our side
    owner_dir = app.state.settings.storage_dir / "owners"
    assert not list(owner_dir.rglob(f"*{gen['id']}*")), "a copy of a canceled generation stayed"
    async with app.state.sessionmaker() as session:
        images = await session.scalar(select(func.count()).where(GenerationImage.generation_id == gen["id"]))
    assert images == 0
    sandbox.reset()


async def test_kill9_mid_generation_finishes_after_restart_with_one_submission(
    app: Any, settings: Any, live_api: str, sandbox: Any, owner: tuple[str, str]
) -> None:
    """A real worker subprocess is SIGKILLed while the provider works; a new one finishes the job."""
    from support.env import make_settings

    from api.app import create_app

    sandbox.reset(generation_seconds=2.0)
    queue = f"{settings.queue_name}:crash:{secrets.token_hex(3)}"
    crash_settings = make_settings(
        settings.database_url,
        settings.redis_url,
        settings.data_dir,
        "unused",
        queue_name=queue,
        public_url=live_api,
        fal_queue_url=settings.fal_queue_url,
        fal_ca_file=settings.fal_ca_file,
    )
    crash_app = create_app(crash_settings)
    with WorkerProcess(worker_env(settings, queue_name=queue, public_url=live_api)) as proc:
        async with (
            crash_app.router.lifespan_context(crash_app),
            api_client(crash_app, owner[1]) as api,
        ):
            proc.start()
            gen = (await api.post("/v1/generations", json={"model_id": "mdl_flux_1_dev", "prompt": "crash"})).json()
            request_id = await provider_request_id(app, gen["id"])
            assert (await api.get(f"/v1/generations/{gen['id']}")).json()["status"] == "running"
            proc.kill9()
            await asyncio.sleep(0.5)
            assert (await api.get(f"/v1/generations/{gen['id']}")).json()["status"] == "running"
            proc.restart()
            try:
                done = await wait_for(api, f"/v1/generations/{gen['id']}", TERMINAL, timeout=60)
            except AssertionError:
                raise AssertionError(proc.output()) from None
            assert done["status"] == "succeeded", (done, proc.output())
            assert len(done["images"]) == 1
            assert [r["request_id"] for r in submissions(sandbox)] == [request_id], "exactly one submission"
            assert proc.starts == 2


async def test_nsfw_flag_is_kept_per_image(api: httpx.AsyncClient, sandbox: Any) -> None:
    sandbox.reset(generation_seconds=0.05)
    r = await api.post(
        "/v1/generations",
        json={"model_id": "mdl_flux_1_dev", "prompt": "nsfw beach", "image_size": "square", "num_images": 2},
    )
    done = await wait_for(api, f"/v1/generations/{r.json()['id']}", TERMINAL)
    assert done["status"] == "succeeded", done
    assert [i["nsfw"] for i in done["images"]] == [True, True]
    assert isinstance(done["seed"], int)  # chosen by the provider when none was asked for
    assert done["params"]["seed"] is None

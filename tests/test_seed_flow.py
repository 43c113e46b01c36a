"""The seed flow end to end, through the public API only: create a dataset → upload photos (multipart)
→ train a LoRA → generate with the new model → download the images and thumbnails (signed URLs)."""

from __future__ import annotations

import io
import time
from typing import Any

import httpx
import pytest
from PIL import Image as PILImage
from support.factories import create_owner, photo_jpeg

pytestmark = pytest.mark.usefixtures("worker")
TERMINAL = {"succeeded", "failed", "canceled"}


async def _wait(api: httpx.AsyncClient, path: str, timeout: float = 60.0) -> dict[str, Any]:
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = (await api.get(path)).json()
        if body["status"] in TERMINAL:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} did not finish: {body}")


async def test_dataset_upload_train_generate_download(app: Any, sandbox: Any, live_api: str) -> None:
    sandbox.reset(training_seconds=0.3, generation_seconds=0.1)
    _, key = await create_owner(app)
    async with (
        httpx.AsyncClient(base_url=live_api, headers={"Authorization": f"Bearer {key}"}, timeout=60) as api,
        httpx.AsyncClient(timeout=60) as anonymous,
    ):
        r = await api.post("/v1/datasets", json={"name": "Zoe", "trigger_word": "ZOE", "kind": "subject"})
        assert r.status_code == 201, r.text
        ds = r.json()

        files = [("files", (f"zoe{i}.jpg", photo_jpeg(i, side=384), "image/jpeg")) for i in range(4)]
        files.append(("files", ("zoe1.txt", b"a photo of ZOE in a garden", "text/plain")))
        r = await api.post(f"/v1/datasets/{ds['id']}/images", files=files)
        assert r.status_code == 201, r.text
        uploaded = r.json()
        assert len(uploaded["images"]) == 4 and uploaded["rejected"] == []
        assert (await api.get(f"/v1/datasets/{ds['id']}")).json()["image_count"] == 4

        r = await api.post("/v1/trainings", json={"dataset_id": ds["id"]}, headers={"Idempotency-Key": "seed-trn"})
        assert r.status_code == 202, r.text
        training = await _wait(api, f"/v1/trainings/{r.json()['id']}")
        assert training["status"] == "succeeded", training
        model_id = training["model_id"]
        assert (await api.get(f"/v1/models/{model_id}")).json()["trigger_word"] == "ZOE"

        r = await api.post(
            "/v1/generations",
            json={"model_id": model_id, "prompt": "in a garden", "image_size": "square", "num_images": 2},
            headers={"Idempotency-Key": "seed-gen"},
        )
        assert r.status_code == 202, r.text
        gen = await _wait(api, f"/v1/generations/{r.json()['id']}")
        assert gen["status"] == "succeeded", gen
        assert gen["prompt"] == "ZOE in a garden" and len(gen["images"]) == 2

        for image in gen["images"]:
            content = await anonymous.get(image["url"])  # signed: no API key needed
            assert content.status_code == 200 and len(content.content) == image["size_bytes"]
            with PILImage.open(io.BytesIO(content.content)) as im:
                im.load()
                assert im.size == (512, 512) == (image["width"], image["height"]) and im.format == "JPEG"
            thumb = await anonymous.get(image["thumbnail_url"])
            assert thumb.status_code == 200
            with PILImage.open(io.BytesIO(thumb.content)) as im:
                assert im.format == "WEBP" and im.size == (256, 256)

        [req] = sandbox.requests("fal-ai/flux-lora")["requests"]
        assert req["input"]["loras"][0]["path"].startswith(f"{live_api}/v1/files/")

"""Helpers of the modes and videos tests: trained-LoRA rows with real weights, images as PNG bytes."""

from __future__ import annotations

import io
import time
from typing import Any

import httpx
import numpy as np
from PIL import Image as PILImage
from safetensors.numpy import save as save_safetensors
from sqlalchemy import select

from shared.ids import new_id
from shared.models import Generation, Model


async def lora_with_weights(app: Any, owner_id: str, base_model_id: str, trigger: str) -> Model:
    """A trained-LoRA row whose weights are real safetensors in storage (as a training would leave them)."""
    model_id = new_id("model")
    key = f"owners/{owner_id}/models/{model_id}/lora.safetensors"
    blob = save_safetensors({"lora_unet.down": np.ones((4, 4), dtype=np.float32)})

    async def chunks() -> Any:
        yield blob

    stored = await app.state.storage.put(key, chunks(), "application/octet-stream")
    async with app.state.sessionmaker() as session:
        base = await session.get(Model, base_model_id)
        assert base is not None
        model = Model(
            id=model_id,
            owner_id=owner_id,
            name=f"{trigger} LoRA",
            type="lora",
            category="image",
            base_model_id=base_model_id,
            trigger_word=trigger,
            generation_endpoint=base.generation_endpoint,
            trainers={},
            weights_key=key,
            weights_size=stored.size,
            weights_sha256=stored.sha256,
        )
        session.add(model)
        await session.commit()
        return model


def png(image: PILImage.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def gradient(width: int, height: int) -> PILImage.Image:
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    rgb = np.stack([np.broadcast_to(x, (height, width)), np.broadcast_to(y, (height, width)), (x + y) / 2 + 0 * y], -1)
    return PILImage.fromarray(rgb.astype(np.uint8), "RGB")


async def upload(api: httpx.AsyncClient, data: bytes, name: str = "in.png") -> dict[str, Any]:
    r = await api.post("/v1/uploads", files={"file": (name, data, "image/png")})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def fetch(url: str) -> bytes:
    async with httpx.AsyncClient(timeout=30) as c:
        r = await c.get(url)
        assert r.status_code == 200, r.text
        return r.content


async def submitted_input(app: Any, sandbox: Any, generation_id: str, endpoint: str) -> dict[str, Any]:
    """What the sandbox received for this generation (found by its provider request id)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        async with app.state.sessionmaker() as session:
            rid = await session.scalar(select(Generation.provider_request_id).where(Generation.id == generation_id))
        if rid:
            found = [r for r in sandbox.requests(endpoint)["requests"] if r["request_id"] == rid]
            if found:
                return dict(found[0])
        time.sleep(0.05)
    raise AssertionError(f"{generation_id} never reached {endpoint}")

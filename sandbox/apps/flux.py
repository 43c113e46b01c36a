"""``fal-ai/flux-lora`` stand-in: real images of the requested size/format, deterministic in prompt+seed."""

from __future__ import annotations

import asyncio
import hashlib
import io
import time

import numpy as np
from PIL import Image, ImageDraw
from safetensors.numpy import load as load_safetensors

from sandbox.apps.common import (
    JSON,
    AppError,
    AppSpec,
    JobContext,
    bool_field,
    float_field,
    int_field,
    str_field,
)

IMAGE_SIZES: dict[str, tuple[int, int]] = {
    "square_hd": (1024, 1024),
    "square": (512, 512),
    "portrait_4_3": (768, 1024),
    "portrait_16_9": (576, 1024),
    "landscape_4_3": (1024, 768),
    "landscape_16_9": (1024, 576),
}
MAX_SIDE = 4096
MAX_SEED = 2**32 - 1


def parse_image_size(value: object) -> tuple[int, int]:
    if value is None:
        return IMAGE_SIZES["landscape_4_3"]
    if isinstance(value, str):
        if value not in IMAGE_SIZES:
            raise AppError.validation("image_size", f"Input should be one of {', '.join(IMAGE_SIZES)}", "enum", value)
        return IMAGE_SIZES[value]
    if isinstance(value, dict):
        out = []
        for key in ("width", "height"):
            v = value.get(key)
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_SIDE:
                raise AppError.validation(["image_size", key], f"must be an integer in 1..{MAX_SIDE}", "value_error", v)
            out.append(v)
        return out[0], out[1]
    raise AppError.validation("image_size", "must be a preset name or {width, height}", "value_error", value)


def render_image(prompt: str, seed: int, index: int, width: int, height: int, fmt: str, black: bool) -> bytes:
    digest = hashlib.sha256(f"{prompt}\x00{seed}\x00{index}".encode()).digest()
    if black:
        img = Image.new("RGB", (width, height), (0, 0, 0))
    else:
        rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
        small = (rng.random((8, 8, 3)) * 255).astype(np.uint8)
        img = Image.fromarray(small, "RGB").resize((width, height), Image.Resampling.BICUBIC)
        draw = ImageDraw.Draw(img)
        for _ in range(6):
            x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
            r = int(rng.integers(max(2, min(width, height) // 16), max(3, min(width, height) // 4)))
            color = tuple(int(c) for c in rng.integers(0, 256, 3))
            draw.ellipse((x0 - r, y0 - r, x0 + r, y0 + r), fill=color)
        draw.text((8, 8), prompt[:80], fill=(255, 255, 255))
    buf = io.BytesIO()
    if fmt == "jpeg":
        img.save(buf, "JPEG", quality=90)
    else:
        img.save(buf, "PNG")
    return buf.getvalue()


def check_lora(blob: bytes, index: int) -> int:
    try:
        tensors = load_safetensors(blob)
    except Exception as exc:
        raise AppError.validation(
            ["loras", index, "path"], f"LoRA file is not valid safetensors: {exc}", "lora_load_error"
        ) from exc
    if not tensors:
        raise AppError.validation(["loras", index, "path"], "LoRA file holds no tensors", "lora_load_error")
    return len(tensors)


async def handler(ctx: JobContext) -> JSON:
    started = time.monotonic()
    data = ctx.input
    prompt = str_field(data, "prompt", None, required=True)
    assert prompt is not None
    if not prompt.strip():
        raise AppError.validation("prompt", "String should have at least 1 character", "string_too_short")
    width, height = parse_image_size(data.get("image_size"))
    num_images = int_field(data, "num_images", 1, lo=1, hi=4)
    assert num_images is not None
    fmt = str_field(data, "output_format", "jpeg", choices=("jpeg", "png"))
    assert fmt is not None
    seed = int_field(data, "seed", None, lo=0, hi=2**63 - 1)
    float_field(data, "guidance_scale", 3.5, lo=0, hi=35)
    steps = int_field(data, "num_inference_steps", 28, lo=1, hi=50)
    assert steps is not None
    safety = bool_field(data, "enable_safety_checker", True)
    loras = data.get("loras", [])
    if not isinstance(loras, list) or len(loras) > 5:
        raise AppError.validation("loras", "Input should be a list of at most 5 LoRAs", "list_type", loras)
    for i, lora in enumerate(loras):
        if not isinstance(lora, dict) or "path" not in lora:
            raise AppError.validation(["loras", i, "path"], "Field required", "missing")
        float_field(lora, "scale", 1.0, lo=0, hi=4)
    if seed is None:
        seed = ctx.random_seed() % MAX_SEED
    for i, lora in enumerate(loras):
        blob = await ctx.download(lora["path"], ["loras", i, "path"])
        n = await asyncio.to_thread(check_lora, blob, i)
        ctx.log(f"Loaded LoRA {i} ({n} tensors, scale {lora.get('scale', 1.0)})")
    await ctx.steps(ctx.config().generation_seconds, steps)
    nsfw = "nsfw" in prompt.lower()
    images: list[JSON] = []
    content_type = "image/jpeg" if fmt == "jpeg" else "image/png"
    for index in range(num_images):
        blob = await asyncio.to_thread(render_image, prompt, seed, index, width, height, fmt, nsfw and safety)
        f = ctx.files.put(ctx.base_url, blob, f"image_{index}.{'jpg' if fmt == 'jpeg' else 'png'}", content_type)
        images.append(
            {
                "url": f["url"],
                "width": width,
                "height": height,
                "content_type": content_type,
                "file_name": f["file_name"],
                "file_size": f["file_size"],
            }
        )
    return {
        "images": images,
        "timings": {"inference": round(time.monotonic() - started, 4)},
        "seed": seed,
        "has_nsfw_concepts": [nsfw] * num_images,
        "prompt": prompt,
    }


FLUX_LORA = AppSpec(endpoint="fal-ai/flux-lora", handler=handler, duration=lambda c: c.generation_seconds)

"""``fal-ai/flux-lora`` stand-in: real images of the requested size/format, deterministic in prompt+seed.

Every LoRA ``path`` is downloaded and must be valid safetensors, as Fal's loader needs.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from safetensors.numpy import load as load_safetensors

from sandbox.apps import imaging
from sandbox.apps.common import JSON, AppError, AppSpec, JobContext
from sandbox.schemas.common import image_dimensions
from sandbox.schemas.flux import FluxLoraTextToImage

MAX_RANDOM_SEED = 2**32 - 1


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


async def load_loras(ctx: JobContext, loras: list[Any]) -> None:
    for i, lora in enumerate(loras):
        blob = await ctx.download(lora.path, ["loras", i, "path"])
        n = await asyncio.to_thread(check_lora, blob, i)
        ctx.log(f"Loaded LoRA {i} ({n} tensors, scale {lora.scale})")


def image_result(started: float, prompt: str, seed: int, images: list[JSON], nsfw: list[bool]) -> JSON:
    return {
        "images": images,
        "timings": {"inference": round(time.monotonic() - started, 4)},
        "seed": seed,
        "has_nsfw_concepts": nsfw,
        "prompt": prompt,
    }


async def handler(ctx: JobContext) -> JSON:
    started = time.monotonic()
    p: FluxLoraTextToImage = ctx.params
    width, height = image_dimensions(p.image_size, "landscape_4_3")
    seed = p.seed if p.seed is not None else ctx.random_seed() % MAX_RANDOM_SEED
    await load_loras(ctx, p.loras)
    await ctx.steps(ctx.config().generation_seconds, p.num_inference_steps)
    pictures = [imaging.generate(p.prompt, seed, i, width, height) for i in range(p.num_images)]
    nsfw = imaging.nsfw_flags(ctx, p.prompt, len(pictures))
    images = await asyncio.to_thread(
        imaging.store_images, ctx, pictures, p.output_format, nsfw, p.enable_safety_checker
    )
    return image_result(started, p.prompt, seed, images, nsfw)


FLUX_LORA = AppSpec(
    endpoint="fal-ai/flux-lora",
    schema=FluxLoraTextToImage,
    handler=handler,
    duration=lambda c: c.generation_seconds,
)

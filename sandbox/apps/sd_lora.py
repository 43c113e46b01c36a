"""``fal-ai/lora`` stand-in: Stable Diffusion 1.5 / SDXL (by ``model_name``) with LoRAs.

The base model is not downloaded (Fal resolves Hugging Face ids itself); LoRA files are, and must be valid
safetensors. The picture depends on model_name, prompt, negative prompt and seed.
"""

from __future__ import annotations

import asyncio
import time

from sandbox.apps import imaging
from sandbox.apps.common import JSON, AppSpec, JobContext
from sandbox.apps.flux import MAX_RANDOM_SEED, load_loras
from sandbox.schemas.common import image_dimensions
from sandbox.schemas.sd_lora import SdLoraInput


async def handler(ctx: JobContext) -> JSON:
    started = time.monotonic()
    p: SdLoraInput = ctx.params
    width, height = image_dimensions(p.image_size, "square_hd")
    seed = p.seed if p.seed is not None else ctx.random_seed() % MAX_RANDOM_SEED
    ctx.log(f"Using base model {p.model_name}")
    await load_loras(ctx, p.loras)
    await ctx.steps(ctx.config().generation_seconds, p.num_inference_steps)
    key = f"{p.model_name}\x00{p.prompt}\x00{p.negative_prompt}"
    pictures = [imaging.generate(key, seed, i, width, height) for i in range(p.num_images)]
    nsfw = imaging.nsfw_flags(ctx, p.prompt, len(pictures))
    images = await asyncio.to_thread(imaging.store_images, ctx, pictures, p.image_format, nsfw, p.enable_safety_checker)
    return {
        "images": images,
        "seed": seed,
        "has_nsfw_concepts": nsfw,
        "debug_latents": None,
        "debug_per_pass_latents": None,
        "timings": {"inference": round(time.monotonic() - started, 4)},
    }


SD_LORA = AppSpec(endpoint="fal-ai/lora", schema=SdLoraInput, handler=handler, duration=lambda c: c.generation_seconds)

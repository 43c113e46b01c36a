"""``fal-ai/flux-lora/image-to-image`` and ``fal-ai/flux-lora/inpainting`` stand-ins.

Outputs have the asked ``image_size`` (default: the init image's size) and visibly depend on the inputs:
image-to-image blends the init image with a generated picture, ``(1 - strength) * init + strength *
generated``; inpainting does the same only where the mask is white (> 127) and keeps the init image's
pixels exactly elsewhere (bit-exact with ``output_format: png``).
"""

from __future__ import annotations

import asyncio
import time

from PIL import Image

from sandbox.apps import imaging
from sandbox.apps.common import JSON, AppSpec, JobContext
from sandbox.apps.flux import MAX_RANDOM_SEED, image_result, load_loras
from sandbox.schemas.common import image_dimensions
from sandbox.schemas.flux import FluxLoraImageToImage, FluxLoraInpainting


def _render(
    p: FluxLoraImageToImage, init: Image.Image, mask: Image.Image | None, seed: int
) -> tuple[list[Image.Image], tuple[int, int]]:
    size = image_dimensions(p.image_size, "square") if p.image_size is not None else init.size
    init = init.resize(size, Image.Resampling.BICUBIC) if init.size != size else init
    if mask is not None and mask.size != size:
        mask = mask.resize(size, Image.Resampling.NEAREST)
    out = []
    for i in range(p.num_images):
        generated = imaging.generate(p.prompt, seed, i, *size)
        out.append(imaging.blend(init, generated, p.strength, mask))
    return out, size


async def _edit(ctx: JobContext, with_mask: bool) -> JSON:
    started = time.monotonic()
    p: FluxLoraImageToImage = ctx.params
    seed = p.seed if p.seed is not None else ctx.random_seed() % MAX_RANDOM_SEED
    init = await asyncio.to_thread(imaging.decode, await ctx.download(p.image_url, "image_url"), "image_url")
    mask = None
    if with_mask:
        assert isinstance(p, FluxLoraInpainting)
        blob = await ctx.download(p.mask_url, "mask_url")
        mask = await asyncio.to_thread(imaging.decode, blob, "mask_url", "L")
    await load_loras(ctx, p.loras)
    await ctx.steps(ctx.config().generation_seconds, max(1, round(p.num_inference_steps * p.strength)))
    pictures, size = await asyncio.to_thread(_render, p, init, mask, seed)
    ctx.log(f"Rendered {len(pictures)} image(s) of {size[0]}x{size[1]} at strength {p.strength}")
    nsfw = imaging.nsfw_flags(ctx, p.prompt, len(pictures))
    images = await asyncio.to_thread(
        imaging.store_images, ctx, pictures, p.output_format, nsfw, p.enable_safety_checker
    )
    return image_result(started, p.prompt, seed, images, nsfw)


async def image_to_image(ctx: JobContext) -> JSON:
    return await _edit(ctx, with_mask=False)


async def inpainting(ctx: JobContext) -> JSON:
    return await _edit(ctx, with_mask=True)


FLUX_LORA_I2I = AppSpec(
    endpoint="fal-ai/flux-lora/image-to-image",
    schema=FluxLoraImageToImage,
    handler=image_to_image,
    duration=lambda c: c.generation_seconds,
)
FLUX_LORA_INPAINTING = AppSpec(
    endpoint="fal-ai/flux-lora/inpainting",
    schema=FluxLoraInpainting,
    handler=inpainting,
    duration=lambda c: c.generation_seconds,
)

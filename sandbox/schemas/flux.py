"""Inputs of FLUX.1 [dev] with LoRAs: text-to-image, image-to-image and inpainting.

Sources (fields, types, ranges, defaults):
- ``fal-ai/flux-lora``: https://fal.ai/models/fal-ai/flux-lora/api (and ``…/llms.txt``)
- ``fal-ai/flux-lora/image-to-image``: https://fal.ai/models/fal-ai/flux-lora/image-to-image/api
- ``fal-ai/flux-lora/inpainting``: https://fal.ai/models/fal-ai/flux-lora/inpainting/api (``…/llms.txt``)

The sandbox is stricter than Fal in one place: an empty ``prompt`` is refused (Fal would render noise).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sandbox.schemas.common import FalInput, ImageSizeField, LoraWeight

MAX_SEED = 2**63 - 1


class FluxLoraTextToImage(FalInput):
    prompt: str = Field(min_length=1)
    image_size: ImageSizeField | None = "landscape_4_3"
    num_inference_steps: int = Field(default=28, ge=1, le=50)
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED)
    loras: list[LoraWeight] = Field(default_factory=list)
    guidance_scale: float = Field(default=3.5, ge=0, le=35)
    sync_mode: bool = False
    num_images: int = Field(default=1, ge=1, le=4)
    enable_safety_checker: bool = True
    output_format: Literal["jpeg", "png"] = "jpeg"
    acceleration: Literal["none", "regular"] = "none"


class FluxLoraImageToImage(FluxLoraTextToImage):
    # Without image_size the output keeps the init image's size.
    image_size: ImageSizeField | None = None
    image_url: str
    strength: float = Field(default=0.85, ge=0.01, le=1)


class FluxLoraInpainting(FluxLoraImageToImage):
    mask_url: str

"""Input of ``fal-ai/lora`` — "Stable Diffusion with LoRAs", any SD 1.5 / SDXL checkpoint by ``model_name``.

Source: https://fal.ai/models/fal-ai/lora/api (and ``…/llms.txt``). Fal serves SDXL
(``stabilityai/stable-diffusion-xl-base-1.0``) and SD 1.5 (``runwayml/stable-diffusion-v1-5``) with LoRAs on
this one endpoint; ``fal-ai/fast-sdxl`` takes LoRAs too but serves only SDXL, so ``fal-ai/lora`` covers both
with one schema. Nested objects the sandbox does not act on (embeddings, controlnets, IP adapters,
timesteps, sigmas) are accepted as objects without checking their insides.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from sandbox.schemas.common import FalInput, ImageSizeField

Scheduler = Literal[
    "DPM++ 2M",
    "DPM++ 2M Karras",
    "DPM++ 2M SDE",
    "DPM++ 2M SDE Karras",
    "Euler",
    "Euler A",
    "Euler (trailing timesteps)",
    "LCM",
    "LCM (trailing timesteps)",
    "DDIM",
    "TCD",
]


class SdLoraWeight(FalInput):
    path: str
    scale: float = 1.0


class SdLoraInput(FalInput):
    model_name: str = Field(min_length=1)
    unet_name: str | None = None
    variant: str | None = None
    prompt: str = Field(min_length=1)
    negative_prompt: str = ""
    prompt_weighting: bool = False
    loras: list[SdLoraWeight] = Field(default_factory=list)
    embeddings: list[dict[str, Any]] = Field(default_factory=list)
    controlnets: list[dict[str, Any]] = Field(default_factory=list)
    controlnet_guess_mode: bool = False
    ip_adapter: list[dict[str, Any]] = Field(default_factory=list)
    image_encoder_path: str | None = None
    image_encoder_subfolder: str | None = None
    image_encoder_weight_name: str = "pytorch_model.bin"
    ic_light_model_url: str | None = None
    ic_light_model_background_image_url: str | None = None
    ic_light_image_url: str | None = None
    seed: int | None = Field(default=None, ge=0)
    image_size: ImageSizeField | None = "square_hd"
    num_inference_steps: int = Field(default=30, ge=1, le=150)
    guidance_scale: float = Field(default=7.5, ge=0, le=20)
    clip_skip: int = Field(default=0, ge=0, le=2)
    scheduler: Scheduler | None = None
    timesteps: dict[str, Any] | None = None
    sigmas: dict[str, Any] | None = None
    prediction_type: Literal["v_prediction", "epsilon"] = "epsilon"
    rescale_betas_snr_zero: bool = False
    image_format: Literal["jpeg", "png"] = "png"
    num_images: int = Field(default=1, ge=1, le=8)
    enable_safety_checker: bool = False
    tile_width: int = Field(default=4096, ge=128, le=4096)
    tile_height: int = Field(default=4096, ge=128, le=4096)
    tile_stride_width: int = Field(default=2048, ge=64, le=2048)
    tile_stride_height: int = Field(default=2048, ge=64, le=2048)
    eta: float = Field(default=0, ge=0, le=1)
    debug_latents: bool = False
    debug_per_pass_latents: bool = False

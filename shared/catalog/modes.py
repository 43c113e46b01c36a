"""What each base model can make, on which Fal endpoint, with which parameters: its *modes*.

A mode's parameters are our own pydantic model (``extra="forbid"``), written after the endpoint's published
input schema (fields, ranges and Fal's defaults), so a request is validated before anything is queued and
``GET /v1/models/{id}`` can show the JSON Schema (``modes[].params_schema``). ``arguments`` turns validated
parameters into the provider's input, minus what the job adds when it submits (signed URLs of LoRA
weights and input images).

Sources:
- FLUX.1 [dev]: https://fal.ai/models/fal-ai/flux-lora/api, ``…/flux-lora/image-to-image/api``,
  ``…/flux-lora/inpainting/api``.
- SDXL and SD 1.5: https://fal.ai/models/fal-ai/lora/api ("Stable Diffusion with LoRAs": one endpoint, the
  checkpoint chosen by ``model_name``; text-to-image only here).
- Stable Video Diffusion: https://fal.ai/models/fal-ai/stable-video/api.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ModeName = Literal["text_to_image", "image_to_image", "inpainting", "image_to_video"]
ImageSizePreset = Literal["square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3", "landscape_16_9"]
OutputFormat = Literal["jpeg", "png"]
MAX_SEED = 2**32 - 1
SdScheduler = Literal[
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


class ImageSize(BaseModel):
    model_config = ConfigDict(extra="forbid")

    width: int = Field(ge=256, le=2048, multiple_of=8, description="Pixels, a multiple of 8.")
    height: int = Field(ge=256, le=2048, multiple_of=8, description="Pixels, a multiple of 8.")


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")

    num_images: int = Field(default=1, ge=1, le=4)
    seed: int | None = Field(
        default=None, ge=0, le=MAX_SEED, description="Same seed + prompt + params → same images. Random if unset."
    )


class FluxTextParams(_Params):
    image_size: ImageSizePreset | ImageSize = Field(
        default="landscape_4_3", description="A preset name or `{width, height}` (256..2048, multiples of 8)."
    )
    guidance_scale: float = Field(default=3.5, ge=0, le=35, description="How closely to follow the prompt.")
    num_inference_steps: int = Field(default=28, ge=1, le=50)
    output_format: OutputFormat = "jpeg"
    enable_safety_checker: bool = Field(
        default=True, description="Let the provider blank out images it flags (`nsfw: true` either way)."
    )


class FluxImageParams(FluxTextParams):
    image_size: ImageSizePreset | ImageSize | None = Field(  # type: ignore[assignment]
        default=None, description="Output size; default: the init image's size."
    )
    strength: float = Field(
        default=0.85, ge=0.01, le=1, description="How much to change the init image (1: repaint it entirely)."
    )


class SdTextParams(_Params):
    image_size: ImageSizePreset | ImageSize = Field(
        default="square_hd", description="A preset name or `{width, height}` (256..2048, multiples of 8)."
    )
    negative_prompt: str = Field(default="", max_length=2000, description="What the image should not show.")
    guidance_scale: float = Field(default=7.5, ge=0, le=20)
    num_inference_steps: int = Field(default=30, ge=1, le=150)
    scheduler: SdScheduler | None = Field(default=None, description="Sampler; the checkpoint's default if unset.")
    clip_skip: int = Field(default=0, ge=0, le=2)
    output_format: OutputFormat = "png"
    enable_safety_checker: bool = False


class VideoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    motion_bucket_id: int = Field(default=127, ge=1, le=255, description="More motion as it grows.")
    cond_aug: float = Field(default=0.02, ge=0, le=10, description="Noise added to the init image.")
    fps: int = Field(default=25, ge=10, le=100, description="Frames per second of the MP4.")
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED)


def _flux_arguments(p: BaseModel) -> dict[str, Any]:
    return p.model_dump(exclude_none=True)


def _sd_arguments(model_name: str) -> Callable[[BaseModel], dict[str, Any]]:
    def build(p: BaseModel) -> dict[str, Any]:
        args = p.model_dump(exclude_none=True)
        args["image_format"] = args.pop("output_format")  # fal-ai/lora names it image_format
        args["model_name"] = model_name
        return args

    return build


@dataclass(frozen=True)
class Mode:
    name: ModeName
    endpoint: str
    params: type[BaseModel]
    arguments: Callable[[BaseModel], dict[str, Any]] = field(compare=False)
    image: bool = False  # takes an init image (`image`)
    mask: bool = False  # takes a mask (`mask`)
    loras: bool = True  # takes LoRAs (`loras`)

    def params_schema(self) -> dict[str, Any]:
        return self.params.model_json_schema(mode="validation")


def _flux() -> dict[str, Mode]:
    return {
        "text_to_image": Mode("text_to_image", "fal-ai/flux-lora", FluxTextParams, _flux_arguments),
        "image_to_image": Mode(
            "image_to_image", "fal-ai/flux-lora/image-to-image", FluxImageParams, _flux_arguments, image=True
        ),
        "inpainting": Mode(
            "inpainting", "fal-ai/flux-lora/inpainting", FluxImageParams, _flux_arguments, image=True, mask=True
        ),
    }


def _sd(model_name: str) -> dict[str, Mode]:
    return {"text_to_image": Mode("text_to_image", "fal-ai/lora", SdTextParams, _sd_arguments(model_name))}


def _video_arguments(p: BaseModel) -> dict[str, Any]:
    return p.model_dump(exclude_none=True)


#: base model id → its modes by name. A trained LoRA has its base model's modes.
MODES: dict[str, dict[str, Mode]] = {
    "mdl_flux_1_dev": _flux(),
    "mdl_sdxl_1_0": _sd("stabilityai/stable-diffusion-xl-base-1.0"),
    "mdl_sd_1_5": _sd("runwayml/stable-diffusion-v1-5"),
    "mdl_stable_video_diffusion": {
        "image_to_video": Mode(
            "image_to_video", "fal-ai/stable-video", VideoParams, _video_arguments, image=True, loras=False
        )
    },
}


def modes_of(base_model_id: str | None) -> dict[str, Mode]:
    return MODES.get(base_model_id or "", {})

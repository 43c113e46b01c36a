from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.jobs.schemas import JobError
from shared.models.jobs import GenerationStatus as GenerationStatus  # the API filters by it

ImageSizePreset = Literal["square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3", "landscape_16_9"]
OutputFormat = Literal["jpeg", "png"]

MAX_SEED = 2**32 - 1
DEFAULT_IMAGE_SIZE: ImageSizePreset = "landscape_4_3"
PRESET_SIZES: dict[str, tuple[int, int]] = {
    "square_hd": (1024, 1024),
    "square": (512, 512),
    "portrait_4_3": (768, 1024),
    "portrait_16_9": (576, 1024),
    "landscape_4_3": (1024, 768),
    "landscape_16_9": (1024, 576),
}


class ImageSize(BaseModel):
    model_config = ConfigDict(extra="forbid")

    width: int = Field(ge=256, le=2048, multiple_of=8, description="Pixels, a multiple of 8.")
    height: int = Field(ge=256, le=2048, multiple_of=8, description="Pixels, a multiple of 8.")


class GenerationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model_id: str = Field(max_length=40, description="An image model: a base model or one of your trained LoRAs.")
    prompt: str = Field(
        min_length=1,
        max_length=2000,
        description="For a LoRA model, its trigger word is put in front of the prompt when the prompt lacks it.",
    )
    image_size: ImageSizePreset | ImageSize = Field(
        default=DEFAULT_IMAGE_SIZE, description="A preset name or `{width, height}` (256..2048, multiples of 8)."
    )
    num_images: int = Field(default=1, ge=1, le=4)
    seed: int | None = Field(
        default=None, ge=0, le=MAX_SEED, description="Same seed + prompt + params → same images. Random if unset."
    )
    guidance_scale: float = Field(default=3.5, ge=0, le=20, description="How closely to follow the prompt.")
    num_inference_steps: int = Field(default=28, ge=1, le=50)
    lora_scale: float | None = Field(
        default=None, ge=0, le=2, description="Strength of a LoRA model (default 1). Ignored for base models."
    )
    output_format: OutputFormat = "jpeg"
    enable_safety_checker: bool = Field(
        default=True, description="Let the provider blank out images it flags (`nsfw: true` either way)."
    )

    @field_validator("prompt")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the prompt must contain more than whitespace")
        return value


class GenerationParams(BaseModel):
    """The parameters as they were sent to the provider (defaults filled in)."""

    image_size: ImageSizePreset | ImageSize
    num_images: int
    seed: int | None = Field(description="The seed you asked for (null: random; the one used is `seed`).")
    guidance_scale: float
    num_inference_steps: int
    lora_scale: float | None = Field(description="Null for base models.")
    output_format: OutputFormat
    enable_safety_checker: bool


class GenerationImageOut(BaseModel):
    id: str
    url: str = Field(description="Short-lived signed URL of the stored image.")
    thumbnail_url: str = Field(description="Short-lived signed URL of a WebP thumbnail (longest side 256 px).")
    width: int
    height: int
    content_type: str
    size_bytes: int
    nsfw: bool = Field(description="The provider's NSFW flag for this image.")


class GenerationOut(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    id: str
    status: GenerationStatus
    model_id: str
    prompt: str = Field(description="The prompt as sent to the provider (trigger word included).")
    params: GenerationParams
    images: list[GenerationImageOut]
    seed: int | None = Field(description="The seed the provider used (known once the generation succeeded).")
    error: JobError | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

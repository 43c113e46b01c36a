from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.catalog.modes import MAX_SEED, ImageSize, ImageSizePreset, OutputFormat, SdScheduler
from shared.jobs.schemas import JobError
from shared.metadata import TaggedCreate, TaggedOut
from shared.models.jobs import GenerationStatus as GenerationStatus  # the API filters by it
from shared.uploads.references import ImageRef

GenerationMode = Literal["text_to_image", "image_to_image", "inpainting"]
MAX_LORAS = 3

#: Request fields that are the mode's parameters (validated by the mode's own schema, ``modes[].params_schema``).
PARAM_FIELDS = (
    "image_size",
    "num_images",
    "seed",
    "guidance_scale",
    "num_inference_steps",
    "output_format",
    "enable_safety_checker",
    "strength",
    "negative_prompt",
    "scheduler",
    "clip_skip",
)


class LoraRef(BaseModel):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model_id: str = Field(max_length=40, description="One of your trained LoRAs (same base model as the others).")
    scale: float = Field(default=1.0, ge=0, le=4, description="Strength of this LoRA.")


class GenerationCreate(TaggedCreate):
    """Parameters are top-level fields; which ones a model takes, their ranges and defaults depend on the
    model and `mode` (`GET /v1/models/{id}` → `modes[].params_schema`). A parameter the mode does not take
    is refused (422 `param_not_supported`)."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model_id: str = Field(max_length=40, description="An image model: a base model or one of your trained LoRAs.")
    prompt: str = Field(
        min_length=1,
        max_length=2000,
        description="Every LoRA's trigger word is put in front of the prompt when the prompt lacks it.",
    )
    mode: GenerationMode = Field(
        default="text_to_image",
        description="`image_to_image` needs `image`; `inpainting` needs `image` and `mask` (same size, white = "
        "repaint). Which modes a model has: `GET /v1/models/{id}` → `modes`.",
    )
    loras: list[LoraRef] = Field(
        default_factory=list,
        max_length=MAX_LORAS,
        description="Up to 3 LoRAs in all (counting `model_id` when it is a LoRA), all of one base model; "
        "`model_id` may then be that base model.",
    )
    image: ImageRef | None = Field(default=None, description="The init image (image_to_image, inpainting).")
    mask: ImageRef | None = Field(default=None, description="The mask (inpainting): white = repaint.")
    lora_scale: float | None = Field(
        default=None, ge=0, le=2, description="Strength of `model_id` when it is a LoRA (default 1)."
    )
    image_size: ImageSizePreset | ImageSize | None = Field(
        default=None, description="A preset name or `{width, height}` (256..2048, multiples of 8)."
    )
    num_images: int | None = Field(default=None, ge=1, le=4)
    seed: int | None = Field(
        default=None, ge=0, le=MAX_SEED, description="Same seed + prompt + params → same images. Random if unset."
    )
    guidance_scale: float | None = Field(default=None, ge=0, le=35, description="How closely to follow the prompt.")
    num_inference_steps: int | None = Field(default=None, ge=1, le=150)
    output_format: OutputFormat | None = None
    enable_safety_checker: bool | None = Field(
        default=None, description="Let the provider blank out images it flags (`nsfw: true` either way)."
    )
    strength: float | None = Field(
        default=None, ge=0, le=1, description="image_to_image and inpainting: how much to change the init image."
    )
    negative_prompt: str | None = Field(default=None, max_length=2000, description="SDXL and SD 1.5 only.")
    scheduler: SdScheduler | None = Field(default=None, description="SDXL and SD 1.5 only.")
    clip_skip: int | None = Field(default=None, ge=0, le=2, description="SDXL and SD 1.5 only.")

    @field_validator("prompt")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the prompt must contain more than whitespace")
        return value


class GenerationParams(BaseModel):
    """The request as it was sent to the provider (the mode's defaults filled in)."""

    model_config = ConfigDict(protected_namespaces=())

    mode: GenerationMode = "text_to_image"
    loras: list[LoraRef] = Field(
        default_factory=list, description="Every LoRA applied, `model_id` first when it is a LoRA."
    )
    image: ImageRef | None = None
    mask: ImageRef | None = None
    strength: float | None = None
    image_size: ImageSizePreset | ImageSize | None = Field(
        default=None, description="Null: the init image's size (image_to_image, inpainting)."
    )
    num_images: int
    seed: int | None = Field(description="The seed you asked for (null: random; the one used is `seed`).")
    guidance_scale: float
    num_inference_steps: int
    lora_scale: float | None = Field(default=None, description="Scale of `model_id` when it is a LoRA, else null.")
    negative_prompt: str | None = None
    scheduler: SdScheduler | None = None
    clip_skip: int | None = None
    output_format: OutputFormat
    enable_safety_checker: bool


class GenerationImageOut(BaseModel):
    id: str = Field(description="Use as `generation_image_id` in an image reference.")
    url: str | None = Field(
        default=None, description="Short-lived signed URL of the stored image (null when `withheld`)."
    )
    thumbnail_url: str | None = Field(
        default=None,
        description="Short-lived signed URL of a WebP thumbnail (longest side 256 px; null when `withheld`).",
    )
    width: int | None = None
    height: int | None = None
    content_type: str | None = None
    size_bytes: int | None = Field(default=None, description="Size of the stored copy.")
    sha256: str | None = Field(default=None, description="SHA-256 of the stored copy (lowercase hex).")
    nsfw: bool = Field(description="The provider's NSFW flag for this image.")
    withheld: bool = Field(
        default=False,
        description="Flagged NSFW under a policy with `withhold_nsfw_images`: stored nowhere, not charged; every "
        "other field but `id` and `nsfw` is null.",
    )


class GenerationOut(TaggedOut):
    model_config = ConfigDict(protected_namespaces=())

    id: str
    status: GenerationStatus
    model_id: str
    prompt: str = Field(description="The prompt as sent to the provider (trigger words included).")
    params: GenerationParams
    images: list[GenerationImageOut]
    seed: int | None = Field(description="The seed the provider used (known once the generation succeeded).")
    character_id: str | None = Field(
        default=None, description="The character it was made for (references, variations, scenes), else null."
    )
    error: JobError | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

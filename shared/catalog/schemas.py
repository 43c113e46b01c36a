from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.catalog.modes import ModeName

ModelType = Literal["base", "lora"]
ModelCategory = Literal["image", "3d", "video"]


class Weights(BaseModel):
    url: str = Field(description="Short-lived signed URL of the LoRA weights (.safetensors).")
    size_bytes: int
    sha256: str


class StoredFile(BaseModel):
    url: str = Field(description="Short-lived signed URL.")
    size_bytes: int
    sha256: str


class TrainerOut(BaseModel):
    """A trainer that can fine-tune a base model, with the inputs it takes."""

    name: Literal["fast", "portrait"] = Field(description="What `POST /v1/trainings` takes as `trainer`.")
    endpoint: str = Field(description="The Fal endpoint that trains.")
    min_images: int = Field(description="Fewest dataset images it accepts.")
    can_resume: bool = Field(description="Whether it can continue an existing LoRA (`resume_from_model_id`).")
    params_schema: dict[str, Any] = Field(
        description="JSON Schema of `params` on `POST /v1/trainings`: Fal's published input schema for the "
        "endpoint (fields, ranges, defaults), minus the inputs FotoGen fills (images, trigger word, resume)."
    )


class ModeOut(BaseModel):
    name: ModeName = Field(description="The `mode` of a generation (or `image_to_video` for a video model).")
    endpoint: str = Field(description="The provider endpoint this mode runs on.")
    params_schema: dict[str, Any] = Field(
        description="JSON Schema of the parameters this mode takes (top-level request fields), with their "
        "ranges and defaults; anything else is refused with 422 `param_not_supported`."
    )
    loras: bool = Field(description="Whether this mode takes LoRAs (`loras`, or a LoRA as `model_id`).")


class ModelOut(BaseModel):
    id: str
    name: str
    type: ModelType
    category: ModelCategory
    base_model_id: str | None
    training_id: str | None
    trigger_word: str | None
    description: str | None = None
    trainers: list[TrainerOut] = Field(
        default_factory=list, description="Trainers that can fine-tune this model (base models only)."
    )
    weights: Weights | None
    config: StoredFile | None = Field(
        default=None, description="The trainer's `config.json`, as stored with the weights."
    )
    parent_model_id: str | None = Field(
        default=None, description="The LoRA this one was trained from (`resume_from_model_id`), if any."
    )
    modes: list[ModeOut] = Field(
        default_factory=list, description="What the model makes and how (a trained LoRA has its base model's)."
    )
    created_at: datetime


class ModelPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)

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
    trainers: list[Literal["fast", "portrait"]] = Field(
        default_factory=list, description="Trainers that can fine-tune this model (base models only)."
    )
    weights: Weights | None
    modes: list[ModeOut] = Field(
        default_factory=list, description="What the model makes and how (a trained LoRA has its base model's)."
    )
    created_at: datetime


class ModelPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)

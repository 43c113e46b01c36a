from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ModelType = Literal["base", "lora"]
ModelCategory = Literal["image", "3d"]


class Weights(BaseModel):
    url: str = Field(description="Short-lived signed URL of the LoRA weights (.safetensors).")
    size_bytes: int
    sha256: str


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
    created_at: datetime


class ModelPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)

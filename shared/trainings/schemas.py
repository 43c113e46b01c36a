from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.jobs.schemas import JobError as JobError  # re-exported: other domains import it from here
from shared.metadata import TaggedCreate, TaggedOut
from shared.models.jobs import TrainingStatus as TrainingStatus  # the API filters by it

Trainer = Literal["fast", "portrait"]
TRIGGER_PATTERN = r"^[\w][\w .'-]{0,49}$"


class TrainingParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: int = Field(default=1000, ge=1, le=10000, description="Training steps.")
    learning_rate: float = Field(default=0.0005, gt=0, le=0.01)
    is_style: bool = Field(default=False, description="Style LoRA (fast trainer): no segmentation, no captions.")
    create_masks: bool = Field(default=True, description="Segmentation masks for subject training.")


class TrainingCreate(TaggedCreate):
    model_config = ConfigDict(extra="forbid")

    dataset_id: str = Field(max_length=40)
    base_model_id: str = Field(default="mdl_flux_1_dev", max_length=40)
    trainer: Trainer = "fast"
    name: str | None = Field(default=None, min_length=1, max_length=200)
    trigger_word: str | None = Field(
        default=None, pattern=TRIGGER_PATTERN, description="Defaults to the dataset's trigger word, else `TOK`."
    )
    params: TrainingParams = Field(default_factory=TrainingParams)


class ProviderRef(BaseModel):
    name: str
    request_id: str | None


class TrainingOut(TaggedOut):
    id: str
    status: TrainingStatus
    progress: float = Field(ge=0, le=1)
    stage: str | None
    dataset_id: str
    base_model_id: str
    trainer: Trainer
    name: str
    trigger_word: str | None
    params: TrainingParams
    image_count: int
    model_id: str | None
    error: JobError | None
    provider: ProviderRef | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

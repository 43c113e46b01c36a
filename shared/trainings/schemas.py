from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.jobs.schemas import JobError as JobError  # re-exported: other domains import it from here
from shared.metadata import TaggedCreate, TaggedOut
from shared.models.jobs import TrainingStatus as TrainingStatus  # the API filters by it

Trainer = Literal["fast", "portrait"]
# ':' and '=' let an integrator put the sandbox's magic words (``sandbox:fail=…``) in a trigger word
TRIGGER_PATTERN = r"^[\w][\w .'=:-]{0,49}$"


class TrainingCreate(TaggedCreate):
    model_config = ConfigDict(extra="forbid")

    dataset_id: str = Field(max_length=40)
    base_model_id: str = Field(default="mdl_flux_1_dev", max_length=40)
    trainer: Trainer = "fast"
    name: str | None = Field(default=None, min_length=1, max_length=200)
    trigger_word: str | None = Field(
        default=None, pattern=TRIGGER_PATTERN, description="Defaults to the dataset's trigger word, else `TOK`."
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="The trainer's inputs: exactly the fields of the base model's `trainers[].params_schema` "
        "(`GET /v1/models/{id}`), which follows Fal's published schema for that trainer; Fal's defaults fill "
        "what you leave out. An unknown or out-of-range field → 422 naming it.",
    )
    start: bool = Field(
        default=True,
        description="`false`: create the training in status `created` (nothing queued or charged) and start it "
        "later with `POST /v1/trainings/{id}/start`.",
    )
    resume_from_model_id: str | None = Field(
        default=None,
        max_length=40,
        description="Continue training one of your LoRAs of the same base model (more photos or steps), through "
        "the trainer's resume input; a trainer without one → 422 `trainer_cannot_resume`. The new model's "
        "`parent_model_id` is this model.",
    )


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
    params: dict[str, Any] = Field(description="The trainer's inputs as sent to Fal (validated, Fal's defaults).")
    resume_from_model_id: str | None = None
    image_count: int
    model_id: str | None
    error: JobError | None
    provider: ProviderRef | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

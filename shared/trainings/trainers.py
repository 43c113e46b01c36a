"""The trainers FotoGen can run, each declared once: Fal endpoint, input schema, resume input, duration.

Each trainer's ``params`` model is **Fal's published input schema** for its endpoint (fields, types,
ranges, defaults), minus the inputs FotoGen fills itself: ``images_data_url`` (our dataset ZIP),
the trigger (``trigger_word`` / ``trigger_phrase``, from the training's ``trigger_word``),
``resume_from_checkpoint`` (from ``resume_from_model_id``) and ``data_archive_format`` (our archive is
always a ZIP, which Fal recognises by itself). The same model validates ``params`` on
``POST /v1/trainings`` (unknown fields refused), is shown as ``params_schema`` on the base model, and
builds what is sent to Fal: the validated params with Fal's defaults, nothing the trainer does not take.

- ``fal-ai/flux-lora-fast-training``: https://fal.ai/models/fal-ai/flux-lora-fast-training/api
- ``fal-ai/flux-lora-portrait-trainer``: https://fal.ai/models/fal-ai/flux-lora-portrait-trainer/api

``typical_*`` is what a training is assumed to take on Fal (start-up plus time per step): Fal publishes no
durations, so these are conservative estimates for FLUX [dev] LoRA runs, to be replaced by figures measured
in production. Progress is estimated from them only when the trainer logs no step numbers, and is capped
below 1 until the result arrives, so a wrong estimate shows a slower or faster bar, never a false finish.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.errors import ValidationFailed


class FastTrainingParams(BaseModel):
    """``fal-ai/flux-lora-fast-training`` inputs (Fal's ``PublicInput``). It takes no learning rate."""

    model_config = ConfigDict(extra="forbid", title="FastTrainingParams")

    steps: int = Field(default=1000, ge=1, le=10000, description="Number of training steps.")
    create_masks: bool = Field(
        default=True, description="Segmentation masks for the subject (ignored for style training)."
    )
    is_style: bool = Field(
        default=False, description="A style LoRA: no segmentation, no automatic captions, no trigger word."
    )
    is_input_format_already_preprocessed: bool = Field(
        default=False, description="The images are already preprocessed (cropped, captioned); skip that step."
    )


class PortraitTrainerParams(BaseModel):
    """``fal-ai/flux-lora-portrait-trainer`` inputs."""

    model_config = ConfigDict(extra="forbid", title="PortraitTrainerParams")

    learning_rate: float = Field(default=0.00009, ge=0.000001, le=0.001, description="Learning rate.")
    steps: int = Field(default=2500, ge=1, le=10000, description="Number of training steps.")
    multiresolution_training: bool = Field(default=True, description="Train at several resolutions.")
    subject_crop: bool = Field(default=True, description="Crop the images around the subject.")
    create_masks: bool = Field(default=False, description="Segmentation masks for the subject.")


@dataclass(frozen=True)
class Trainer:
    endpoint: str
    params: type[BaseModel]
    trigger_input: str  # the Fal input that carries the trigger word
    resume_input: str | None  # the Fal input that continues from existing LoRA weights, if any
    typical_startup_seconds: float
    typical_seconds_per_step: float

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` checked against Fal's schema, with Fal's defaults filled in (422 names a wrong field)."""
        try:
            return self.params.model_validate(params).model_dump()
        except ValidationError as exc:
            errors = [
                {"loc": ["body", "params", *e["loc"]], "code": e["type"], "detail": e["msg"]}
                for e in exc.errors(include_url=False)
            ]
            first = errors[0]
            raise ValidationFailed(
                f"{'.'.join(str(p) for p in first['loc'])}: {first['detail']}", errors=errors
            ) from None

    def params_schema(self) -> dict[str, Any]:
        return self.params.model_json_schema()

    def expected_seconds(self, params: dict[str, Any]) -> float:
        steps = int(params.get("steps") or self.params.model_fields["steps"].default)
        return self.typical_startup_seconds + self.typical_seconds_per_step * steps

    def arguments(
        self, params: dict[str, Any], images_url: str, trigger: str | None, resume_url: str | None
    ) -> dict[str, Any]:
        """The request sent to Fal: the stored (validated) params, plus what FotoGen fills."""
        # trainings stored before the schema was Fal's may hold fields this trainer does not take
        known = self.params.model_fields
        args = self.params.model_validate({k: v for k, v in params.items() if k in known}).model_dump()
        args["images_data_url"] = images_url
        if trigger:
            args[self.trigger_input] = trigger
        if resume_url is not None:
            assert self.resume_input is not None
            args[self.resume_input] = resume_url
        return args


TRAINERS: dict[str, Trainer] = {
    "fal-ai/flux-lora-fast-training": Trainer(
        endpoint="fal-ai/flux-lora-fast-training",
        params=FastTrainingParams,
        trigger_input="trigger_word",
        resume_input=None,
        typical_startup_seconds=30.0,
        typical_seconds_per_step=0.15,
    ),
    "fal-ai/flux-lora-portrait-trainer": Trainer(
        endpoint="fal-ai/flux-lora-portrait-trainer",
        params=PortraitTrainerParams,
        trigger_input="trigger_phrase",
        resume_input="resume_from_checkpoint",
        typical_startup_seconds=60.0,
        typical_seconds_per_step=0.5,
    ),
}


def trainer_for(endpoint: str) -> Trainer:
    return TRAINERS[endpoint]

"""The Fal apps the sandbox imitates, keyed by full endpoint id."""

from __future__ import annotations

from sandbox.apps.common import AppError, AppSpec, JobContext
from sandbox.apps.flux import FLUX_LORA
from sandbox.apps.flux_edit import FLUX_LORA_I2I, FLUX_LORA_INPAINTING
from sandbox.apps.sd_lora import SD_LORA
from sandbox.apps.trainers import FAST_TRAINING, PORTRAIT_TRAINER
from sandbox.apps.tripo import TRIPO
from sandbox.apps.video import STABLE_VIDEO

APPS: dict[str, AppSpec] = {
    spec.endpoint: spec
    for spec in (
        FAST_TRAINING,
        PORTRAIT_TRAINER,
        FLUX_LORA,
        FLUX_LORA_I2I,
        FLUX_LORA_INPAINTING,
        SD_LORA,
        STABLE_VIDEO,
        TRIPO,
    )
}

__all__ = ["APPS", "AppError", "AppSpec", "JobContext"]

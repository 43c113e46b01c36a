"""The Fal apps the sandbox imitates, keyed by full endpoint id."""

from __future__ import annotations

from sandbox.apps.common import AppError, AppSpec, JobContext
from sandbox.apps.flux import FLUX_LORA
from sandbox.apps.trainers import FAST_TRAINING, PORTRAIT_TRAINER
from sandbox.apps.tripo import TRIPO

APPS: dict[str, AppSpec] = {spec.endpoint: spec for spec in (FAST_TRAINING, PORTRAIT_TRAINER, FLUX_LORA, TRIPO)}

__all__ = ["APPS", "AppError", "AppSpec", "JobContext"]

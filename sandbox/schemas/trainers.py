"""Inputs of the two FLUX LoRA trainers.

- ``fal-ai/flux-lora-fast-training``: https://fal.ai/models/fal-ai/flux-lora-fast-training/api
  (``PublicInput``). It has **no** ``learning_rate``; ``steps`` defaults to 1000 (1..10000),
  ``create_masks`` to true, ``is_style`` and ``is_input_format_already_preprocessed`` to false.
- ``fal-ai/flux-lora-portrait-trainer``: https://fal.ai/models/fal-ai/flux-lora-portrait-trainer/api
  (``…/llms.txt``). Verified defaults: ``learning_rate`` 0.00009 (0.000001..0.001), ``steps`` 2500
  (1..10000), ``create_masks`` **false**, ``multiresolution_training`` and ``subject_crop`` true,
  ``resume_from_checkpoint`` "".
"""

from __future__ import annotations

from pydantic import Field

from sandbox.schemas.common import FalInput


class FastTrainingInput(FalInput):
    images_data_url: str
    trigger_word: str | None = None
    create_masks: bool = True
    steps: int | None = Field(default=1000, ge=1, le=10000)
    is_style: bool = False
    is_input_format_already_preprocessed: bool = False
    data_archive_format: str | None = None


class PortraitTrainerInput(FalInput):
    images_data_url: str
    trigger_phrase: str | None = None
    learning_rate: float = Field(default=0.00009, ge=0.000001, le=0.001)
    steps: int = Field(default=2500, ge=1, le=10000)
    multiresolution_training: bool = True
    subject_crop: bool = True
    data_archive_format: str | None = None
    resume_from_checkpoint: str = ""
    create_masks: bool = False

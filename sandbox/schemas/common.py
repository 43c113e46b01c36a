"""Pieces every Fal input schema shares, and validation that answers in Fal's 422 shape.

Fal's apps are pydantic models served by FastAPI, so a rejected input is a FastAPI-style error list:
``{"detail": [{"loc": ["body", "field", ...], "msg": ..., "type": ..., "input": ...}]}`` (Fal's "Model
Errors", https://docs.fal.ai/documentation/model-apis/errors). The sandbox adds ``error_type`` (the first
error's type) beside ``detail``, as its other failures carry one.

Each schema forbids unknown fields (``extra="forbid"``): a field the endpoint does not take is an error,
not silently ignored. With the ``strict_inputs`` knob off, unknown top-level fields are dropped instead.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

JSON = dict[str, Any]

# https://fal.ai/models/fal-ai/flux-lora/api (ImageSize presets, shared by Fal's image endpoints)
IMAGE_SIZES: dict[str, tuple[int, int]] = {
    "square_hd": (1024, 1024),
    "square": (512, 512),
    "portrait_4_3": (768, 1024),
    "portrait_16_9": (576, 1024),
    "landscape_4_3": (1024, 768),
    "landscape_16_9": (1024, 576),
}
ImageSizePreset = Literal["square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3", "landscape_16_9"]
MAX_SIDE = 14142  # Fal's ImageSize bound


class FalInput(BaseModel):
    """Base of every endpoint's input: unknown fields are rejected, as Fal's apps do."""

    model_config = ConfigDict(extra="forbid")


class ImageSize(FalInput):
    width: int = Field(default=512, gt=0, le=MAX_SIDE)
    height: int = Field(default=512, gt=0, le=MAX_SIDE)


ImageSizeField = Annotated[ImageSize | ImageSizePreset, Field(union_mode="left_to_right")]


def image_dimensions(value: ImageSize | str | None, default: str) -> tuple[int, int]:
    if value is None:
        return IMAGE_SIZES[default]
    if isinstance(value, ImageSize):
        return value.width, value.height
    return IMAGE_SIZES[value]


class LoraWeight(FalInput):
    """https://fal.ai/models/fal-ai/flux-lora/api (LoraWeight)."""

    path: str = Field(description="URL or the path to the LoRA weights")
    scale: float = Field(default=1.0, ge=0, le=4)


M = TypeVar("M", bound=FalInput)


def _loc_part(part: str | int) -> bool:
    # pydantic puts union member tags (``ImageSize``, ``literal['square', ...]``) into ``loc``; FastAPI's
    # answers, and so Fal's, name only fields and list indexes.
    return isinstance(part, int) or (part.isidentifier() and part[:1].islower())


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def fal_errors(exc: ValidationError) -> list[JSON]:
    """pydantic's errors as Fal's ``detail`` list."""
    out: list[JSON] = []
    for err in exc.errors(include_url=False):
        item: JSON = {
            "loc": ["body", *[p for p in err["loc"] if _loc_part(p)]],
            "msg": err["msg"],
            "type": err["type"],
        }
        if "input" in err and err["type"] != "missing":
            item["input"] = _jsonable(err["input"])
        if err.get("ctx"):
            item["ctx"] = {k: _jsonable(v) for k, v in err["ctx"].items()}
        out.append(item)
    return out


def parse_input(schema: type[M], data: JSON, strict: bool) -> tuple[M, list[str]]:
    """Validate ``data``; returns the model and the unknown fields dropped (only when not ``strict``).

    Raises ``pydantic.ValidationError``; :func:`fal_errors` renders it.
    """
    dropped: list[str] = []
    if not strict:
        dropped = sorted(k for k in data if k not in schema.model_fields)
        data = {k: v for k, v in data.items() if k in schema.model_fields}
    return schema.model_validate(data), dropped

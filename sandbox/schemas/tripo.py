"""Input of ``tripo3d/tripo/v2.5/image-to-3d``.

Source: https://fal.ai/models/tripo3d/tripo/v2.5/image-to-3d/api. ``face_limit`` has no published bound;
the sandbox keeps 6..500000 so its sphere mesh stays meaningful.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sandbox.schemas.common import FalInput


class TripoImageTo3dInput(FalInput):
    image_url: str
    seed: int | None = None
    face_limit: int | None = Field(default=None, ge=6, le=500_000)
    pbr: bool = False
    texture: Literal["no", "standard", "HD"] = "standard"
    texture_seed: int | None = None
    auto_size: bool = False
    style: str | None = None
    quad: bool = False
    texture_alignment: Literal["original_image", "geometry"] = "original_image"
    orientation: Literal["default", "align_image"] = "default"

"""Input of ``fal-ai/stable-video`` (Stable Video Diffusion v1.1, image-to-video).

Source: https://fal.ai/models/fal-ai/stable-video/api (and ``…/llms.txt``): ``image_url`` (required),
``seed``, ``motion_bucket_id`` 127 (1..255), ``cond_aug`` 0.02 (0..10), ``fps`` 25 (10..100). The output is
``{video: File, seed}``; SVD v1.1 (img2vid-xt-1-1) renders 25 frames at 1024x576, which the sandbox mirrors.
"""

from __future__ import annotations

from pydantic import Field

from sandbox.schemas.common import FalInput

SVD_FRAMES = 25


class StableVideoInput(FalInput):
    image_url: str
    seed: int | None = Field(default=None, ge=0)
    motion_bucket_id: int = Field(default=127, ge=1, le=255)
    cond_aug: float = Field(default=0.02, ge=0, le=10)
    fps: int = Field(default=25, ge=10, le=100)

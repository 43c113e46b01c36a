"""The global base-model catalogue. ``fotogen seed`` upserts it; the first migration seeds a snapshot."""

from __future__ import annotations

from typing import Any

BASE_MODELS: list[dict[str, Any]] = [
    {
        "id": "mdl_flux_1_dev",
        "name": "FLUX.1 [dev]",
        "type": "base",
        "category": "image",
        "description": "FLUX.1 [dev] text-to-image, LoRA-trainable.",
        "generation_endpoint": "fal-ai/flux-lora",
        "trainers": {
            "fast": "fal-ai/flux-lora-fast-training",
            "portrait": "fal-ai/flux-lora-portrait-trainer",
        },
    },
    {
        "id": "mdl_tripo3d_v2_5",
        "name": "Tripo3D v2.5",
        "type": "base",
        "category": "3d",
        "description": "Tripo3D v2.5 image-to-3D.",
        "generation_endpoint": "tripo3d/tripo/v2.5/image-to-3d",
        "trainers": {},
    },
    {
        "id": "mdl_sdxl_1_0",
        "name": "Stable Diffusion XL 1.0",
        "type": "base",
        "category": "image",
        "description": "SDXL base 1.0 text-to-image with LoRAs (Fal's `fal-ai/lora`).",
        "generation_endpoint": "fal-ai/lora",
        "trainers": {},
    },
    {
        "id": "mdl_sd_1_5",
        "name": "Stable Diffusion 1.5",
        "type": "base",
        "category": "image",
        "description": "Stable Diffusion v1.5 text-to-image with LoRAs (Fal's `fal-ai/lora`).",
        "generation_endpoint": "fal-ai/lora",
        "trainers": {},
    },
    {
        "id": "mdl_stable_video_diffusion",
        "name": "Stable Video Diffusion",
        "type": "base",
        "category": "video",
        "description": "Stable Video Diffusion v1.1 image-to-video: 25 frames at 1024x576.",
        "generation_endpoint": "fal-ai/stable-video",
        "trainers": {},
    },
]

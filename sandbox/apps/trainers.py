"""``fal-ai/flux-lora-fast-training`` and ``fal-ai/flux-lora-portrait-trainer`` stand-ins."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import zipfile
from pathlib import PurePosixPath
from typing import Any

import numpy as np
from PIL import Image
from safetensors.numpy import save as save_safetensors

from sandbox.apps.common import JSON, AppError, AppSpec, JobContext
from sandbox.schemas.common import FalInput
from sandbox.schemas.trainers import FastTrainingInput, PortraitTrainerInput

IMAGE_EXTS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
LORA_RANK = 16
LORA_DIM = 256
LORA_TARGETS = [
    f"transformer.single_transformer_blocks.{block}.attn.{proj}"
    for block in range(2)
    for proj in ("to_q", "to_k", "to_v")
]


def inspect_archive(data: bytes) -> JSON:
    """Check a training archive the way the sandbox's trainers need it; raise a 422 AppError if bad."""
    field = "images_data_url"
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise AppError.validation(
            field, "The file at images_data_url is not a valid zip archive", "invalid_archive"
        ) from exc
    images: dict[str, str] = {}
    captions: dict[str, str] = {}
    with zf:
        for info in zf.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or path.parts[0] == "__MACOSX" or path.name.startswith("."):
                continue
            ext = path.suffix.lower()
            blob = zf.read(info)
            key = str(path.with_suffix(""))
            if ext in IMAGE_EXTS:
                try:
                    with Image.open(io.BytesIO(blob)) as im:
                        fmt = im.format
                        im.load()
                except Exception as exc:
                    raise AppError.validation(
                        field, f"{info.filename}: cannot be decoded as an image ({exc})", "image_load_error"
                    ) from exc
                if fmt not in {"JPEG", "PNG", "WEBP"}:
                    raise AppError.validation(
                        field, f"{info.filename}: unsupported image format {fmt}", "image_load_error"
                    )
                if key in images:
                    raise AppError.validation(field, f"{info.filename}: duplicate image stem", "invalid_archive")
                images[key] = info.filename
            elif ext == ".txt":
                try:
                    captions[key] = blob.decode("utf-8").strip()
                except UnicodeDecodeError as exc:
                    raise AppError.validation(
                        field, f"{info.filename}: caption is not UTF-8 text", "invalid_archive"
                    ) from exc
            else:
                raise AppError.validation(
                    field,
                    f"{info.filename}: unsupported file type (expected .jpg/.jpeg/.png/.webp/.txt)",
                    "invalid_archive",
                )
    orphans = sorted(set(captions) - set(images))
    if orphans:
        raise AppError.validation(
            field, f"caption(s) without a same-stem image: {', '.join(orphans)}", "invalid_archive"
        )
    return {"images": sorted(images.values()), "captions": {k: captions[k] for k in sorted(captions)}}


def build_lora(seed_material: bytes) -> bytes:
    seed = int.from_bytes(hashlib.sha256(seed_material).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    tensors: dict[str, Any] = {}
    for target in LORA_TARGETS:
        tensors[f"{target}.lora_A.weight"] = (rng.standard_normal((LORA_RANK, LORA_DIM)) * 0.01).astype(np.float16)
        tensors[f"{target}.lora_B.weight"] = (rng.standard_normal((LORA_DIM, LORA_RANK)) * 0.01).astype(np.float16)
    metadata = {"format": "pt", "generator": "fotogen-fal-sandbox", "rank": str(LORA_RANK)}
    return bytes(save_safetensors(tensors, metadata=metadata))


def _make_trainer(endpoint: str, schema: type[FalInput], trigger_key: str) -> AppSpec:
    async def handler(ctx: JobContext) -> JSON:
        p: Any = ctx.params
        trigger: str | None = getattr(p, trigger_key)
        steps: int = p.steps if p.steps is not None else 1000
        learning_rate: float | None = getattr(p, "learning_rate", None)
        is_style: bool = getattr(p, "is_style", False)
        url = p.images_data_url
        ctx.log(f"Downloading training data from {url}")
        archive = await ctx.download(url, "images_data_url")
        summary = await asyncio.to_thread(inspect_archive, archive)
        n_images = len(summary["images"])
        if n_images < ctx.config().min_training_images:
            raise AppError.validation(
                "images_data_url",
                f"At least {ctx.config().min_training_images} images are required, found {n_images}",
                "not_enough_images",
            )
        ctx.log(f"Found {n_images} images and {len(summary['captions'])} captions")
        if p.create_masks and not is_style:
            ctx.log("Creating masks")
        await ctx.steps(ctx.config().training_seconds, steps)
        material = archive + json.dumps([trigger, steps, learning_rate], sort_keys=True).encode()
        lora = await asyncio.to_thread(build_lora, material)
        config = {
            "endpoint": endpoint,
            "trigger": trigger,
            trigger_key: trigger,
            **p.model_dump(exclude={"images_data_url", trigger_key}),
            "steps": steps,
            "rank": LORA_RANK,
            "images": summary["images"],
            "captions": summary["captions"],
            "archive_sha256": hashlib.sha256(archive).hexdigest(),
        }
        ctx.log("Training completed")
        return {
            "diffusers_lora_file": ctx.files.put(
                ctx.base_url, lora, "pytorch_lora_weights.safetensors", "application/octet-stream"
            ),
            "config_file": ctx.files.put(
                ctx.base_url, json.dumps(config, indent=2).encode(), "config.json", "application/json"
            ),
        }

    return AppSpec(endpoint=endpoint, schema=schema, handler=handler, duration=lambda c: c.training_seconds)


FAST_TRAINING = _make_trainer("fal-ai/flux-lora-fast-training", FastTrainingInput, "trigger_word")
PORTRAIT_TRAINER = _make_trainer("fal-ai/flux-lora-portrait-trainer", PortraitTrainerInput, "trigger_phrase")

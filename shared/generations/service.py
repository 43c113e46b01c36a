"""Generations, API side: validate, create, list, render (the worker pipeline is ``shared.generations.jobs``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import Settings
from shared.errors import ValidationFailed
from shared.generations.schemas import (
    GenerationCreate,
    GenerationImageOut,
    GenerationOut,
    GenerationParams,
    GenerationStatus,
)
from shared.ids import new_id
from shared.jobs.registry import get_kind
from shared.jobs.runner import create_job
from shared.jobs.schemas import JobError
from shared.models import Generation, GenerationImage, Model
from shared.pagination import Page, paginate
from shared.scope import OwnerScope
from shared.storage import Storage

DEFAULT_LORA_SCALE = 1.0


def with_trigger_word(prompt: str, trigger_word: str | None) -> str:
    """Put ``trigger_word`` in front of ``prompt`` unless the prompt already has it as a whole word
    (case-insensitive)."""
    if not trigger_word or not trigger_word.strip():
        return prompt
    word = trigger_word.strip()
    if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", prompt, re.IGNORECASE):
        return prompt
    return f"{word} {prompt}"


def _image_out(img: GenerationImage, url: str, thumbnail_url: str) -> GenerationImageOut:
    return GenerationImageOut(
        id=img.id,
        url=url,
        thumbnail_url=thumbnail_url,
        width=img.width,
        height=img.height,
        content_type=img.content_type,
        size_bytes=img.size_bytes,
        nsfw=img.nsfw,
    )


async def generations_out(
    session: AsyncSession, storage: Storage, ttl: timedelta, rows: Sequence[Generation]
) -> list[GenerationOut]:
    """Render generations as the API returns them (one query for all their images; URLs signed now)."""
    images: dict[str, list[GenerationImage]] = {r.id: [] for r in rows}
    done = [r.id for r in rows if r.status == "succeeded"]
    if done:
        found = await session.scalars(
            select(GenerationImage)
            .where(GenerationImage.generation_id.in_(done))
            .order_by(GenerationImage.generation_id, GenerationImage.index)
        )
        for img in found:
            images[img.generation_id].append(img)
    out = []
    for row in rows:
        rendered = [
            _image_out(
                img, await storage.signed_url(img.storage_key, ttl), await storage.signed_url(img.thumbnail_key, ttl)
            )
            for img in images[row.id]
        ]
        out.append(
            GenerationOut(
                id=row.id,
                status=row.status,
                model_id=row.model_id,
                prompt=row.prompt,
                params=GenerationParams.model_validate(row.params),
                images=rendered,
                seed=row.seed,
                error=JobError(code=row.error_code, message=row.error_message or "") if row.error_code else None,
                created_at=row.created_at,
                started_at=row.started_at,
                finished_at=row.finished_at,
            )
        )
    return out


async def generation_out(session: AsyncSession, storage: Storage, ttl: timedelta, row: Generation) -> GenerationOut:
    return (await generations_out(session, storage, ttl, [row]))[0]


async def serialize(session: AsyncSession, storage: Storage, ttl: timedelta, row: Any) -> GenerationOut:
    return await generation_out(session, storage, ttl, row)


async def list_generations(
    scope: OwnerScope,
    storage: Storage,
    ttl: timedelta,
    *,
    model_id: str | None = None,
    status: GenerationStatus | None = None,
    limit: int,
    after: str | None,
) -> Page[GenerationOut]:
    """The owner's generations, newest first, optionally only one model's or one status; URLs signed now."""
    stmt = scope.select(Generation)
    if model_id is not None:
        stmt = stmt.where(Generation.model_id == model_id)
    if status is not None:
        stmt = stmt.where(Generation.status == status)
    rows = await paginate(scope.session, stmt, Generation.id, limit=limit, after=after)
    return rows.page(await generations_out(scope.session, storage, ttl, rows.items))


async def create_generation(
    scope: OwnerScope, storage: Storage, settings: Settings, body: GenerationCreate, request_id: str | None
) -> Generation:
    model = await scope.get(Model, body.model_id, "model")
    if model.category != "image" or not model.generation_endpoint:
        raise ValidationFailed(
            f"Model {model.id!r} is not an image model (category {model.category!r}).",
            code="model_not_image",
            errors=[{"loc": ["body", "model_id"], "code": "model_not_image", "detail": "not an image model"}],
        )
    lora_key: str | None = None
    if model.type == "lora":
        if not model.weights_key:
            raise ValidationFailed(
                f"Model {model.id!r} has no stored weights.",
                code="model_weights_missing",
                errors=[{"loc": ["body", "model_id"], "code": "model_weights_missing", "detail": "no weights"}],
            )
        lora_key = model.weights_key
    params = GenerationParams(
        image_size=body.image_size,
        num_images=body.num_images,
        seed=body.seed,
        guidance_scale=body.guidance_scale,
        num_inference_steps=body.num_inference_steps,
        lora_scale=(DEFAULT_LORA_SCALE if body.lora_scale is None else body.lora_scale) if lora_key else None,
        output_format=body.output_format,
        enable_safety_checker=body.enable_safety_checker,
    )
    row = Generation(
        id=new_id("generation"),
        owner_id=scope.owner_id,
        model_id=model.id,
        prompt=with_trigger_word(body.prompt, model.trigger_word if lora_key else None),
        params=params.model_dump(mode="json"),
        seed=body.seed,
        provider_name="fal",
        provider_endpoint=model.generation_endpoint,
        request_id=request_id,
        # worker-internal state: the weights to pass (snapshotted: the model may be renamed or deleted later)
        result={"lora_key": lora_key} if lora_key else {},
    )
    await create_job(scope.session, storage, settings.signed_url_ttl, get_kind("generation"), row)
    return row

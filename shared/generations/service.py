"""Generations, API side: validate, create, list, render (the worker pipeline is ``shared.generations.jobs``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.billing import admit, moderate
from shared.config import Settings
from shared.generations.requests import plan_generation
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
from shared.metadata import TagFilter
from shared.models import Generation, GenerationImage
from shared.pagination import Page, paginate
from shared.scope import OwnerScope
from shared.storage import Storage


async def _image_out(img: GenerationImage, storage: Storage, ttl: timedelta) -> GenerationImageOut:
    if img.storage_key is None or img.thumbnail_key is None:  # withheld as NSFW: stored nowhere
        return GenerationImageOut(id=img.id, nsfw=img.nsfw, withheld=True)
    url = await storage.signed_url(img.storage_key, ttl)
    thumbnail_url = await storage.signed_url(img.thumbnail_key, ttl)
    return GenerationImageOut(
        id=img.id,
        url=url,
        thumbnail_url=thumbnail_url,
        width=img.width,
        height=img.height,
        content_type=img.content_type,
        size_bytes=img.size_bytes,
        sha256=img.sha256,
        nsfw=img.nsfw,
    )


# ``session.info`` key: {generation id: its image rows} that this transaction just wrote, so the rendering of the
# ``succeeded`` event does not read them back.
WRITTEN_IMAGES = "fotogen.generation_images_written"


async def generations_out(
    session: AsyncSession, storage: Storage, ttl: timedelta, rows: Sequence[Generation]
) -> list[GenerationOut]:
    """Render generations as the API returns them (one query for all their images; URLs signed now)."""
    written: dict[str, list[GenerationImage]] = session.info.get(WRITTEN_IMAGES, {})
    images: dict[str, list[GenerationImage]] = {r.id: list(written.get(r.id, [])) for r in rows}
    done = [r.id for r in rows if r.status == "succeeded" and r.id not in written]
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
        rendered = [await _image_out(img, storage, ttl) for img in images[row.id]]
        out.append(
            GenerationOut(
                id=row.id,
                status=row.status,
                model_id=row.model_id,
                prompt=row.prompt,
                params=GenerationParams.model_validate(row.params),
                images=rendered,
                seed=row.seed,
                character_id=row.character_id,
                error=JobError(code=row.error_code, message=row.error_message or "") if row.error_code else None,
                metadata=row.metadata_,
                end_user=row.end_user,
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
    character_id: str | None = None,
    tags: TagFilter | None = None,
    limit: int,
    after: str | None,
) -> Page[GenerationOut]:
    """The owner's generations, newest first, optionally only one model's or one status; URLs signed now."""
    stmt = scope.select(Generation)
    if model_id is not None:
        stmt = stmt.where(Generation.model_id == model_id)
    if status is not None:
        stmt = stmt.where(Generation.status == status)
    if character_id is not None:
        stmt = stmt.where(Generation.character_id == character_id)
    if tags is not None:
        stmt = tags.apply(stmt, Generation)
    rows = await paginate(scope.session, stmt, Generation.id, limit=limit, after=after)
    return rows.page(await generations_out(scope.session, storage, ttl, rows.items))


async def create_generation(
    scope: OwnerScope,
    storage: Storage,
    settings: Settings,
    body: GenerationCreate,
    request_id: str | None,
    *,
    character_id: str | None = None,
) -> Generation:
    """Check the request against its model (``shared.generations.requests``), insert the job, write
    ``generation.queued`` and schedule it (sent when the caller commits). ``character_id``: made for
    a character (its references, variations and scenes)."""
    prompts = {"prompt": body.prompt, "negative_prompt": body.negative_prompt}
    policy = await moderate(scope.session, scope.owner_id, prompts)
    plan = await plan_generation(scope, body)
    if policy.moderation.force_safety_checker and "enable_safety_checker" in plan.arguments:
        plan.arguments["enable_safety_checker"] = True
        plan.params = plan.params.model_copy(update={"enable_safety_checker": True})
    job_id = new_id("generation")
    row = Generation(
        id=job_id,
        owner_id=scope.owner_id,
        model_id=body.model_id,
        prompt=plan.prompt,
        params=plan.params.model_dump(mode="json"),
        seed=plan.params.seed,
        provider_name="fal",
        provider_endpoint=plan.mode.endpoint,
        request_id=request_id,
        metadata_=body.metadata,
        end_user=body.end_user,
        character_id=character_id,
        # worker-internal: the provider input and the stored objects to sign when submitting
        result={
            "arguments": plan.arguments,
            "loras": plan.lora_keys,
            "image_key": plan.image_key,
            "mask_key": plan.mask_key,
            "withhold_nsfw": policy.moderation.withhold_nsfw_images,
        },
    )
    await create_job(scope.session, storage, settings.signed_url_ttl, get_kind("generation"), row)
    # last: it locks the end user's row until the commit (a refusal rolls the job back with it)
    await admit(scope.session, scope.owner_id, body.end_user, "generation", job_id, plan.params.num_images)
    return row

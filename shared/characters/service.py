"""Characters, API side: the profile, its references and its scenes (training: ``shared.characters.training``).

A character's ``status`` is derived, never stored twice: ``draft`` until a reference is picked, then
``referenced``; while its training flow (job kind ``character``) runs, ``training``; then ``trained`` or
``failed`` as the flow ended (a canceled flow leaves it as it was before).
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.catalog.modes import MAX_SEED
from shared.characters.moderation import check_prompt_fields
from shared.characters.prompts import REFERENCE_SCENE, build_prompt
from shared.characters.schemas import (
    CharacterCreate,
    CharacterOut,
    CharacterPatch,
    CharacterStatus,
    ReferenceOut,
    ReferencesCreate,
    SceneCreate,
)
from shared.config import Settings
from shared.datasets.crud import delete_dataset
from shared.errors import Conflict, NotFound
from shared.events.service import write_event
from shared.generations.schemas import GenerationCreate
from shared.generations.service import create_generation
from shared.ids import new_id
from shared.metadata import TagFilter, merged
from shared.models import Character, CharacterJob, Dataset, Generation, GenerationImage, Training
from shared.models.characters import CharacterJobStatus as J
from shared.pagination import Page, paginate
from shared.scope import OwnerScope
from shared.storage import Storage

BASE_MODEL_ID = "mdl_flux_1_dev"
JOB_TYPE = "character"
ENDED = (J.SUCCEEDED, J.FAILED, J.CANCELED)
REFERENCE_IMAGE_SIZE = "portrait_4_3"


def trigger_word_for(name: str, character_id: str) -> str:
    """A rare token for the LoRA: the name's letters plus the id's tail (``MIRA7QZ3``)."""
    letters = re.sub(r"[^A-Za-z0-9]", "", name)[:16] or "CHAR"
    return f"{letters}{character_id[-4:]}".upper()


def status_of(row: Character, job: CharacterJob | None) -> CharacterStatus:
    if job is not None and job.status not in ENDED:
        return "training"
    if job is not None and job.status == J.SUCCEEDED:
        # The row and the job are read by two statements: a row read just before the commit that set
        # ``model_id`` (with the job's success) must not show ``trained`` without a model.
        return "trained" if row.model_id else "training"
    if job is not None and job.status == J.FAILED:
        return "failed"
    if row.model_id:
        return "trained"
    return "referenced" if row.reference else "draft"


async def characters_out(
    session: AsyncSession, storage: Storage, ttl: timedelta, rows: Sequence[Character]
) -> list[CharacterOut]:
    """Render characters (one query for their jobs, one for their reference images; URLs signed now)."""
    ids = [r.id for r in rows]
    jobs = {j.id: j for j in await session.scalars(select(CharacterJob).where(CharacterJob.id.in_(ids)))} if ids else {}
    image_ids = [r.reference["image_id"] for r in rows if r.reference]
    images = (
        {i.id: i for i in await session.scalars(select(GenerationImage).where(GenerationImage.id.in_(image_ids)))}
        if image_ids
        else {}
    )
    out = []
    for row in rows:
        job = jobs.get(row.id)
        reference = None
        img = images.get(row.reference["image_id"]) if row.reference else None
        if row.reference and img is not None and img.storage_key and img.thumbnail_key:  # withheld: stored nowhere
            reference = ReferenceOut(
                generation_id=row.reference["generation_id"],
                image_id=img.id,
                seed=row.reference.get("seed"),
                url=await storage.signed_url(img.storage_key, ttl),
                thumbnail_url=await storage.signed_url(img.thumbnail_key, ttl),
            )
        failed = job is not None and job.status == J.FAILED
        out.append(
            CharacterOut(
                id=row.id,
                name=row.name,
                description=row.description,
                art_style=row.art_style,
                style_modifiers=list(row.style_modifiers),
                trigger_word=row.trigger_word,
                reference=reference,
                dataset_id=row.dataset_id,
                model_id=row.model_id,
                training_id=row.training_id,
                status=status_of(row, job),
                error={"code": job.error_code or "", "message": job.error_message or ""} if failed and job else None,
                metadata=row.metadata_,
                end_user=row.end_user,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
        )
    return out


async def character_out(session: AsyncSession, storage: Storage, ttl: timedelta, row: Character) -> CharacterOut:
    return (await characters_out(session, storage, ttl, [row]))[0]


async def write_character_event(
    session: AsyncSession, storage: Storage, ttl: timedelta, row: Character, what: str, **extra: Any
) -> None:
    """``character.{what}`` (``job_id``: the character id) with ``data.job`` = the character as GET shows it."""
    await session.flush()
    await session.refresh(row)
    out = await character_out(session, storage, ttl, row)
    await write_event(
        session,
        owner_id=row.owner_id,
        type=f"{JOB_TYPE}.{what}",
        job_type=JOB_TYPE,
        job_id=row.id,
        data={"job": out.model_dump(mode="json"), **extra},
    )


async def list_characters(
    scope: OwnerScope, storage: Storage, ttl: timedelta, *, tags: TagFilter, limit: int, after: str | None
) -> Page[CharacterOut]:
    stmt = tags.apply(scope.select(Character), Character)
    rows = await paginate(scope.session, stmt, Character.id, limit=limit, after=after)
    return rows.page(await characters_out(scope.session, storage, ttl, rows.items))


async def create_character(scope: OwnerScope, body: CharacterCreate) -> Character:
    await check_prompt_fields(
        scope, {"name": body.name, "description": body.description, "art_style": body.art_style or ""}
    )
    character_id = new_id("character")
    row = Character(
        id=character_id,
        owner_id=scope.owner_id,
        name=body.name.strip(),
        description=body.description.strip(),
        art_style=body.art_style.strip() if body.art_style else None,
        style_modifiers=[m.strip() for m in body.style_modifiers],
        base_model_id=BASE_MODEL_ID,
        trigger_word=trigger_word_for(body.name, character_id),
        metadata_=body.metadata,
        end_user=body.end_user,
    )
    scope.session.add(row)
    await scope.session.flush()
    await scope.session.refresh(row)
    return row


async def update_character(scope: OwnerScope, character_id: str, body: CharacterPatch) -> Character:
    row = await scope.get(Character, character_id, "character", for_update=True)
    sent = body.model_fields_set
    for name in ("name", "description"):
        if name in sent and getattr(body, name) is None:
            raise _null(name)
    await check_prompt_fields(
        scope, {f: getattr(body, f) or "" for f in ("name", "description", "art_style") if f in sent}
    )
    if "name" in sent and body.name is not None:
        row.name = body.name.strip()
    if "description" in sent and body.description is not None:
        row.description = body.description.strip()
    if "art_style" in sent:
        row.art_style = body.art_style.strip() if body.art_style else None
    if "style_modifiers" in sent:
        row.style_modifiers = [m.strip() for m in body.style_modifiers or []]
    if "metadata" in sent and body.metadata is not None:
        row.metadata_ = merged(row.metadata_, body.metadata)
    await scope.session.flush()
    await scope.session.refresh(row)
    return row


def _null(field: str) -> Exception:
    from shared.errors import ValidationFailed

    return ValidationFailed(
        f"`{field}` cannot be null.", errors=[{"loc": ["body", field], "code": "not_null", "detail": "required"}]
    )


async def delete_character(scope: OwnerScope, storage: Storage, character_id: str) -> list[str]:
    """Delete the character, its dataset (with the finished trainings that used it) and its model; its
    generations stay (``character_id`` kept). 409 ``character_training`` while its training runs. Returns
    the storage prefixes to purge after the commit."""
    from shared.catalog.service import delete_model

    row = await scope.get(Character, character_id, "character", for_update=True)
    job = await scope.session.get(CharacterJob, row.id)
    if job is not None and job.status not in ENDED:
        raise Conflict(
            "The character's training is running; cancel it or wait for it to end.", code="character_training"
        )
    purge: list[str] = []
    if row.dataset_id and await scope.session.get(Dataset, row.dataset_id) is not None:
        await scope.session.execute(delete(Training).where(Training.dataset_id == row.dataset_id))
        purge.append(await delete_dataset(scope, row.dataset_id))
    if row.model_id:
        with contextlib.suppress(NotFound):  # already deleted on its own
            await delete_model(scope, storage, row.model_id)
    await scope.session.delete(row)
    await scope.session.flush()
    return purge


async def make_references(
    scope: OwnerScope,
    storage: Storage,
    settings: Settings,
    character_id: str,
    body: ReferencesCreate,
    request_id: str | None,
) -> Generation:
    """Reference candidates: the base model, the profile's prompt, a fresh seed unless one is given."""
    row = await scope.get(Character, character_id, "character")
    built = build_prompt(
        trigger_word=None,
        description=row.description,
        scene=REFERENCE_SCENE,
        art_style=row.art_style,
        modifiers=row.style_modifiers,
    )
    seed = body.seed if body.seed is not None else secrets.randbelow(MAX_SEED + 1)
    request = GenerationCreate(
        model_id=row.base_model_id,
        prompt=built.prompt,
        num_images=body.num_images,
        seed=seed,
        image_size=REFERENCE_IMAGE_SIZE,
        end_user=row.end_user,
    )
    return await create_generation(scope, storage, settings, request, request_id, character_id=row.id)


async def make_scene(
    scope: OwnerScope,
    storage: Storage,
    settings: Settings,
    character_id: str,
    body: SceneCreate,
    request_id: str | None,
) -> Generation:
    """A scene: with the character's LoRA (its trigger word first) once trained, else the base model with
    the reference's seed; the prompt in the documented order (``shared.characters.prompts``)."""
    row = await scope.get(Character, character_id, "character")
    await check_prompt_fields(scope, {"scene": body.scene})
    lora = row.model_id
    built = build_prompt(
        trigger_word=row.trigger_word if lora else None,
        description=row.description,
        scene=body.scene,
        art_style=row.art_style,
        modifiers=row.style_modifiers,
    )
    seed = body.seed
    if seed is None and not lora and row.reference:
        seed = row.reference.get("seed")
    request = GenerationCreate(
        model_id=lora or row.base_model_id,
        prompt=built.prompt,
        num_images=body.num_images,
        image_size=body.image_size,
        seed=seed,
        end_user=body.end_user if body.end_user is not None else row.end_user,
        metadata=body.metadata,
    )
    return await create_generation(scope, storage, settings, request, request_id, character_id=row.id)

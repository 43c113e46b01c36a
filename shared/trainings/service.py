"""Trainings, API side: validate, create, list, render (the worker pipeline is ``shared.trainings.jobs``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import Settings
from shared.errors import ValidationFailed
from shared.ids import new_id
from shared.jobs.registry import get_kind
from shared.jobs.runner import create_job
from shared.metadata import TagFilter
from shared.models import Dataset, Model, Training
from shared.pagination import Page, paginate
from shared.scope import OwnerScope
from shared.storage import Storage
from shared.trainings.schemas import (
    JobError,
    ProviderRef,
    TrainingCreate,
    TrainingOut,
    TrainingParams,
    TrainingStatus,
)

DEFAULT_TRIGGER_WORD = "TOK"


def min_images(settings: Settings, trainer: str) -> int:
    return settings.min_images_portrait if trainer == "portrait" else settings.min_images_fast


def training_out(row: Training) -> TrainingOut:
    return TrainingOut(
        id=row.id,
        status=row.status,
        progress=round(row.progress, 4),
        stage=row.stage,
        dataset_id=row.dataset_id,
        base_model_id=row.base_model_id,
        trainer=row.trainer,
        name=row.name,
        trigger_word=row.trigger_word,
        params=TrainingParams.model_validate(row.params),
        image_count=row.image_count,
        model_id=row.model_id,
        error=JobError(code=row.error_code, message=row.error_message or "") if row.error_code else None,
        provider=ProviderRef(name=row.provider_name, request_id=row.provider_request_id) if row.provider_name else None,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        metadata=row.metadata_,
        end_user=row.end_user,
    )


async def serialize(session: AsyncSession, storage: Storage, ttl: int, row: Any) -> TrainingOut:
    return training_out(row)


async def list_trainings(
    scope: OwnerScope,
    *,
    status: TrainingStatus | None = None,
    dataset_id: str | None = None,
    tags: TagFilter | None = None,
    limit: int,
    after: str | None,
) -> Page[TrainingOut]:
    """The owner's trainings, newest first, optionally only one status or one dataset's."""
    stmt = scope.select(Training)
    if status is not None:
        stmt = stmt.where(Training.status == status)
    if dataset_id is not None:
        stmt = stmt.where(Training.dataset_id == dataset_id)
    if tags is not None:
        stmt = tags.apply(stmt, Training)
    rows = await paginate(scope.session, stmt, Training.id, limit=limit, after=after)
    return rows.page([training_out(r) for r in rows.items])


async def create_training(
    scope: OwnerScope, storage: Storage, settings: Settings, body: TrainingCreate, request_id: str | None
) -> Training:
    dataset = await scope.get(Dataset, body.dataset_id, "dataset", for_update=True)
    base = await scope.get(Model, body.base_model_id, "model")
    if base.type != "base" or body.trainer not in base.trainers:
        raise ValidationFailed(
            f"Model {base.id!r} cannot be trained with the {body.trainer!r} trainer.",
            code="trainer_not_available",
            errors=[{"loc": ["body", "trainer"], "code": "trainer_not_available", "detail": "not offered"}],
        )
    minimum = min_images(settings, body.trainer)
    if dataset.image_count < minimum:
        raise ValidationFailed(
            f"The {body.trainer} trainer needs at least {minimum} images; dataset {dataset.id} has "
            f"{dataset.image_count}.",
            code="dataset_too_small",
        )
    row = Training(
        id=new_id("training"),
        owner_id=scope.owner_id,
        dataset_id=dataset.id,
        base_model_id=base.id,
        trainer=body.trainer,
        name=body.name or f"{dataset.name} LoRA",
        trigger_word=body.trigger_word or dataset.trigger_word or DEFAULT_TRIGGER_WORD,
        params=body.params.model_dump(),
        image_count=dataset.image_count,
        provider_name="fal",
        provider_endpoint=base.trainers[body.trainer],
        request_id=request_id,
        stage="queued",
        metadata_=body.metadata,
        end_user=body.end_user,
    )
    await create_job(scope.session, storage, settings.signed_url_ttl_seconds, get_kind("training"), row)
    return row

"""Trainings, API side: validate, create, list, render (the worker pipeline is ``shared.trainings.jobs``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.billing import admit, moderate
from shared.config import Settings
from shared.db import utcnow
from shared.errors import Conflict, ValidationFailed
from shared.ids import new_id
from shared.jobs.env import JobEnv
from shared.jobs.registry import get_kind
from shared.jobs.runner import create_job, request_cancel
from shared.jobs.transitions import schedule_step, transition
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
    TrainingStatus,
)
from shared.trainings.trainers import trainer_for

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
        params=row.params,
        resume_from_model_id=row.resume_from_model_id,
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


async def serialize(session: AsyncSession, storage: Storage, ttl: timedelta, row: Any) -> TrainingOut:
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
    """Validate and insert a training; queued at once, or ``created`` when ``body.start`` is false."""
    dataset = await scope.get(Dataset, body.dataset_id, "dataset", for_update=True)
    base = await scope.get(Model, body.base_model_id, "model")
    if base.type != "base" or body.trainer not in base.trainers:
        raise ValidationFailed(
            f"Model {base.id!r} cannot be trained with the {body.trainer!r} trainer.",
            code="trainer_not_available",
            errors=[{"loc": ["body", "trainer"], "code": "trainer_not_available", "detail": "not offered"}],
        )
    trainer = trainer_for(base.trainers[body.trainer])
    params = trainer.validate(body.params)
    if body.resume_from_model_id is not None:
        await _check_resumable(scope, body, base, trainer.resume_input)
    minimum = min_images(settings, body.trainer)
    if dataset.image_count < minimum:
        raise ValidationFailed(
            f"The {body.trainer} trainer needs at least {minimum} images; dataset {dataset.id} has "
            f"{dataset.image_count}.",
            code="dataset_too_small",
        )
    trigger_word = body.trigger_word or dataset.trigger_word or DEFAULT_TRIGGER_WORD
    await moderate(scope.session, scope.owner_id, {"trigger_word": trigger_word})
    job_id = new_id("training")
    await admit(scope.session, scope.owner_id, body.end_user, "training", job_id, 1)
    row = Training(
        id=job_id,
        owner_id=scope.owner_id,
        dataset_id=dataset.id,
        base_model_id=base.id,
        trainer=body.trainer,
        name=body.name or f"{dataset.name} LoRA",
        trigger_word=trigger_word,
        params=params,
        resume_from_model_id=body.resume_from_model_id,
        image_count=dataset.image_count,
        provider_name="fal",
        provider_endpoint=trainer.endpoint,
        request_id=request_id,
        stage="queued",
        metadata_=body.metadata,
        end_user=body.end_user,
    )
    if body.start:
        await create_job(scope.session, storage, settings.signed_url_ttl, get_kind("training"), row)
    else:
        row.status = TrainingStatus.CREATED
        row.stage = "created"
        scope.session.add(row)
        await scope.session.flush()
    return row


async def _check_resumable(scope: OwnerScope, body: TrainingCreate, base: Model, resume_input: str | None) -> None:
    if resume_input is None:
        raise ValidationFailed(
            f"The {body.trainer!r} trainer cannot continue an existing LoRA.",
            code="trainer_cannot_resume",
            errors=[{"loc": ["body", "trainer"], "code": "trainer_cannot_resume", "detail": "no resume input"}],
        )
    parent = await scope.get(Model, body.resume_from_model_id or "", "model")
    if parent.owner_id != scope.owner_id or parent.type != "lora" or not parent.weights_key:
        problem = "is not one of your trained LoRAs"
    elif parent.base_model_id != base.id:
        problem = f"is a LoRA of {parent.base_model_id!r}, not of {base.id!r}"
    else:
        return
    raise ValidationFailed(
        f"Model {parent.id!r} {problem}.",
        code="model_not_resumable",
        errors=[{"loc": ["body", "resume_from_model_id"], "code": "model_not_resumable", "detail": problem}],
    )


async def start_training(scope: OwnerScope, env: JobEnv, training_id: str) -> Training:
    """``created`` → ``queued`` (its first step scheduled after commit); any other status → 409."""
    kind = get_kind("training")
    row = await scope.get(Training, training_id, "training", for_update=True)
    if row.status != TrainingStatus.CREATED:
        raise Conflict(f"Only a created training can be started; this one is {row.status}.", code="job_not_startable")
    values = {"next_run_at": utcnow(), "stage": "queued"}
    moved = await transition(
        scope.session,
        env,
        kind,
        row.id,
        from_statuses=(TrainingStatus.CREATED,),
        to="queued",
        event="queued",
        values=values,
    )
    assert moved is not None  # the row is locked
    schedule_step(scope.session, kind, moved.id, moved.step_seq)
    return moved  # type: ignore[no-any-return]


async def cancel_training(scope: OwnerScope, env: JobEnv, training_id: str) -> Training:
    """A ``created`` training is canceled at once (nothing runs); otherwise the runner's cancel."""
    kind = get_kind("training")
    row = await scope.get(Training, training_id, "training", for_update=True)
    if row.status == TrainingStatus.CREATED:
        values = {"cancel_requested_at": utcnow(), "stage": "canceled"}
        ended = await transition(
            scope.session,
            env,
            kind,
            row.id,
            from_statuses=(TrainingStatus.CREATED,),
            to="canceled",
            event="canceled",
            values=values,
        )
        assert ended is not None
        return ended  # type: ignore[no-any-return]
    canceled: Training = await request_cancel(scope.session, env, kind, training_id)
    return canceled

"""The model catalogue: global base models plus each owner's trained LoRAs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.catalog.data import BASE_MODELS
from shared.catalog.modes import modes_of
from shared.catalog.schemas import (
    ModelCategory,
    ModelOut,
    ModelPatch,
    ModelType,
    ModeOut,
    StoredFile,
    TrainerOut,
    Weights,
)
from shared.config import Settings
from shared.errors import Conflict, Forbidden
from shared.models import Generation, Model
from shared.pagination import Page, paginate
from shared.scope import OwnerScope
from shared.storage import Storage

MODEL_PREFIX = "owners/{owner}/models/{model}/"


async def seed_catalog(session: AsyncSession) -> int:
    """Upsert the base catalogue (idempotent)."""
    for entry in BASE_MODELS:
        values: dict[str, Any] = {**entry, "owner_id": None}
        stmt = insert(Model).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[Model.id], set_={k: stmt.excluded[k] for k in values if k != "id"}
        )
        await session.execute(stmt)
    await session.flush()
    return len(BASE_MODELS)


def trainers_out(model: Model, settings: Settings) -> list[TrainerOut]:
    """The base model's trainers with their declared input schemas (``shared.trainings.trainers``)."""
    from shared.trainings.service import min_images
    from shared.trainings.trainers import trainer_for

    out = []
    for name, endpoint in sorted(model.trainers.items()):
        trainer = trainer_for(endpoint)
        out.append(
            TrainerOut(
                name=name,
                endpoint=endpoint,
                min_images=min_images(settings, name),
                can_resume=trainer.resume_input is not None,
                params_schema=trainer.params_schema(),
            )
        )
    return out


async def model_out(model: Model, storage: Storage, settings: Settings) -> ModelOut:
    ttl = settings.signed_url_ttl
    weights = None
    if model.weights_key and model.weights_size is not None and model.weights_sha256:
        url = await storage.signed_url(model.weights_key, ttl, download_name="lora.safetensors")
        weights = Weights(url=url, size_bytes=model.weights_size, sha256=model.weights_sha256)
    config = None
    if model.config_key and model.config_size is not None and model.config_sha256:
        url = await storage.signed_url(model.config_key, ttl, download_name="config.json")
        config = StoredFile(url=url, size_bytes=model.config_size, sha256=model.config_sha256)
    return ModelOut(
        id=model.id,
        name=model.name,
        type=model.type,
        category=model.category,
        base_model_id=model.base_model_id,
        training_id=model.training_id,
        trigger_word=model.trigger_word,
        description=model.description,
        trainers=trainers_out(model, settings),
        weights=weights,
        config=config,
        parent_model_id=model.parent_model_id,
        modes=[
            ModeOut(name=m.name, endpoint=m.endpoint, params_schema=m.params_schema(), loras=m.loras)
            for m in modes_of(model.base_model_id if model.type == "lora" else model.id).values()
        ],
        created_at=model.created_at,
    )


async def list_models(
    scope: OwnerScope,
    storage: Storage,
    settings: Settings,
    *,
    model_type: ModelType | None = None,
    category: ModelCategory | None = None,
    limit: int,
    after: str | None,
) -> Page[ModelOut]:
    """The base catalogue plus the owner's trained models, newest first, optionally one type or category."""
    stmt = scope.select(Model)
    if model_type is not None:
        stmt = stmt.where(Model.type == model_type)
    if category is not None:
        stmt = stmt.where(Model.category == category)
    rows = await paginate(scope.session, stmt, Model.id, limit=limit, after=after)
    return rows.page([await model_out(m, storage, settings) for m in rows.items])


def ensure_owned_trained(model: Model) -> None:
    if model.owner_id is None:
        raise Forbidden("Base models are read-only.", code="base_model_read_only")


async def rename_model(scope: OwnerScope, model_id: str, patch: ModelPatch) -> Model:
    """Rename one of the owner's trained models (base models: 403 ``base_model_read_only``)."""
    model = await scope.get(Model, model_id, "model", for_update=True)
    ensure_owned_trained(model)
    model.name = patch.name
    await scope.session.flush()
    return model


async def delete_model(scope: OwnerScope, storage: Storage, model_id: str) -> None:
    """Delete one of the owner's trained models and its stored weights (409 ``model_in_use`` while a generation
    with it runs)."""
    model = await scope.get(Model, model_id, "model", for_update=True)
    ensure_owned_trained(model)
    session = scope.session
    in_use = await session.scalar(
        select(Generation.id)
        .where(Generation.model_id == model.id, Generation.status.in_(("queued", "running")))
        .limit(1)
    )
    if in_use:
        raise Conflict("A generation using this model is still running.", code="model_in_use")
    assert model.owner_id is not None
    # Generations keep their images but lose the row they point at: detach by deleting them first
    # would lose user data, so finished generations keep a dangling model id by design.
    await session.delete(model)
    await session.flush()
    await storage.delete_prefix(MODEL_PREFIX.format(owner=model.owner_id, model=model.id))

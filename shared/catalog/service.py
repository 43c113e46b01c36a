"""The model catalogue: global base models plus each owner's trained LoRAs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.catalog.data import BASE_MODELS
from shared.catalog.schemas import ModelOut, Weights
from shared.errors import Conflict, Forbidden
from shared.models import Generation, Model
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


async def model_out(model: Model, storage: Storage, ttl: timedelta) -> ModelOut:
    weights = None
    if model.weights_key and model.weights_size is not None and model.weights_sha256:
        url = await storage.signed_url(model.weights_key, ttl, download_name="lora.safetensors")
        weights = Weights(url=url, size_bytes=model.weights_size, sha256=model.weights_sha256)
    return ModelOut(
        id=model.id,
        name=model.name,
        type=model.type,
        category=model.category,
        base_model_id=model.base_model_id,
        training_id=model.training_id,
        trigger_word=model.trigger_word,
        description=model.description,
        trainers=sorted(model.trainers),
        weights=weights,
        created_at=model.created_at,
    )


def ensure_owned_trained(model: Model) -> None:
    if model.owner_id is None:
        raise Forbidden("Base models are read-only.", code="base_model_read_only")


async def delete_trained_model(session: AsyncSession, storage: Storage, model: Model) -> None:
    ensure_owned_trained(model)
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

"""``/v1/models``: the base catalogue plus the owner's trained LoRAs (base models are read-only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import AfterQuery, LimitQuery, RedisDep, ScopeDep, SettingsDep, StorageDep
from api.problems import AUTHED, problems
from shared.catalog import service
from shared.catalog.schemas import ModelCategory, ModelOut, ModelPatch, ModelType
from shared.models import Model
from shared.pagination import DEFAULT_LIMIT, Page
from shared.queue import commit

router = APIRouter(prefix="/v1/models", tags=["models"])


@router.get("", operation_id="models-list", responses=problems(*AUTHED, 400))
async def list_models(
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    type: Annotated[ModelType | None, Query(description="Filter by model type.")] = None,
    category: Annotated[ModelCategory | None, Query(description="Filter by category.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: AfterQuery = None,
) -> Page[ModelOut]:
    """The base catalogue plus your trained models, newest first."""
    return await service.list_models(
        scope, storage, settings, model_type=type, category=category, limit=limit, after=after
    )


@router.get("/{model_id}", operation_id="models-get", responses=problems(*AUTHED, 404))
async def get_model(model_id: str, scope: ScopeDep, storage: StorageDep, settings: SettingsDep) -> ModelOut:
    """One model. A base model lists its `trainers` with each one's `params_schema` (Fal's input schema);
    a trained LoRA shows its `weights`, stored `config` and `parent_model_id` (when it continued another)."""
    model = await scope.get(Model, model_id, "model")
    return await service.model_out(model, storage, settings)


@router.patch("/{model_id}", operation_id="models-update", responses=problems(*AUTHED, 403, 404))
async def update_model(
    model_id: str,
    body: ModelPatch,
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    redis: RedisDep,
) -> ModelOut:
    """Rename a trained model (base models are read-only)."""
    model = await service.rename_model(scope, model_id, body)
    await commit(scope.session, redis)
    return await service.model_out(model, storage, settings)


@router.delete("/{model_id}", operation_id="models-delete", status_code=204, responses=problems(*AUTHED, 403, 404, 409))
async def delete_model(model_id: str, scope: ScopeDep, storage: StorageDep, redis: RedisDep) -> Response:
    """Delete a trained model and its stored weights."""
    await service.delete_model(scope, storage, model_id)
    await commit(scope.session, redis)
    return Response(status_code=204)

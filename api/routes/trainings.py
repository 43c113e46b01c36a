from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sse_starlette import EventSourceResponse
from starlette.responses import JSONResponse, Response

from api.deps import (
    AfterQuery,
    JobEnvDep,
    LimitQuery,
    PrincipalDep,
    RedisDep,
    ScopeDep,
    SessionDep,
    SettingsDep,
    StorageDep,
)
from api.idempotency import IdempotencyKeyHeader, idempotent_create
from api.problems import AUTHED, problems
from api.sse import SSE_RESPONSES, LastEventIdDep, job_event_stream
from api.stream_auth import StreamPrincipalDep
from api.tags import TagFilterDep
from shared.cache import NotifiedCache
from shared.errors import not_found
from shared.events.schemas import EventOut
from shared.events.service import list_job_events
from shared.metadata import METADATA_QUERY
from shared.models import Training
from shared.pagination import DEFAULT_LIMIT, Page
from shared.queue import commit
from shared.scope import OwnerScope
from shared.trainings import service
from shared.trainings.schemas import TrainingCreate, TrainingOut, TrainingStatus

router = APIRouter(prefix="/v1/trainings", tags=["trainings"])


@router.post(
    "",
    operation_id="trainings-create",
    status_code=202,
    response_model=TrainingOut,
    responses={
        201: {"model": TrainingOut, "description": "Created with `start: false`: status `created`, nothing queued."},
        **problems(*AUTHED, 400, 402, 404, 409, 429),
    },
)
async def create(
    request: Request,
    body: TrainingCreate,
    session: SessionDep,
    redis: RedisDep,
    principal: PrincipalDep,
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Start fine-tuning a LoRA of `base_model_id` on a dataset. Answers 202 with the queued training;
    follow it with `GET /v1/trainings/{id}`, its `/stream` (SSE) or a webhook. With `"start": false` it
    answers 201 with a `created` training that waits for `POST /v1/trainings/{id}/start`.

    `params` are the trainer's own inputs (`trainers[].params_schema` of the base model: Fal's schema and
    defaults); an unknown or out-of-range field → 422 `validation_error` naming it. A dataset below the
    trainer's minimum image count (4 for `fast`, 10 for `portrait` by default) → 422 `dataset_too_small`.
    `resume_from_model_id` continues one of your LoRAs of the same base model: 422 `trainer_cannot_resume`
    when the trainer has no resume input, 422 `model_not_resumable` for a model that is not your LoRA of
    this base model."""

    async def _create() -> tuple[int, TrainingOut]:
        row = await service.create_training(scope, storage, settings, body, request.state.request_id)
        return (202 if body.start else 201), service.training_out(row)

    return await idempotent_create(
        request, session, redis, owner_id=principal.owner_id, key=idempotency_key, body=body, create=_create
    )


@router.get("", operation_id="trainings-list", responses=problems(*AUTHED, 400), openapi_extra=METADATA_QUERY)
async def list_trainings(
    scope: ScopeDep,
    tags: TagFilterDep,
    status: Annotated[TrainingStatus | None, Query(description="Only trainings in this status.")] = None,
    dataset_id: Annotated[str | None, Query(max_length=40, description="Only trainings of this dataset.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: AfterQuery = None,
) -> Page[TrainingOut]:
    """Your trainings, newest first; `?metadata[key]=value` and `?end_user=` filter them."""
    return await service.list_trainings(
        scope, status=status, dataset_id=dataset_id, tags=tags, limit=limit, after=after
    )


@router.get(
    "/{training_id}", operation_id="trainings-get", response_model=TrainingOut, responses=problems(*AUTHED, 404)
)
async def get_training(training_id: str, request: Request, principal: PrincipalDep) -> Response:
    """One training. Polling it is cheap (or follow `/v1/trainings/{id}/stream` and poll nothing): answers come
    from a cache that every change to the training empties at once, on every API replica."""
    # shared.cache: per-process, emptied by a trigger's NOTIFY (other processes) and by our own commits.
    cache: NotifiedCache[tuple[str, bytes]] = request.app.state.training_cache

    async def load() -> tuple[str, bytes]:
        async with request.app.state.sessionmaker() as session:
            row = await OwnerScope(session, principal.owner_id).get(Training, training_id, "training")
            return principal.owner_id, service.training_out(row).model_dump_json().encode()

    hit = await cache.get_or_load(training_id, load)
    assert hit is not None  # load answers or raises
    owner_id, body = hit
    if owner_id != principal.owner_id:  # cached for its owner; anyone else gets what a miss would give them
        raise not_found("training", training_id)
    return Response(body, media_type="application/json")


@router.post(
    "/{training_id}/start",
    operation_id="trainings-start",
    status_code=202,
    responses=problems(*AUTHED, 404, 409),
)
async def start_training(training_id: str, scope: ScopeDep, redis: RedisDep, env: JobEnvDep) -> TrainingOut:
    """Queue a training created with `"start": false` (202, status `queued`). A training in any other
    status → 409 `job_not_startable`."""
    row = await service.start_training(scope, env, training_id)
    await commit(scope.session, redis)
    return service.training_out(row)


@router.post(
    "/{training_id}/cancel",
    operation_id="trainings-cancel",
    status_code=202,
    responses=problems(*AUTHED, 404, 409),
)
async def cancel_training(training_id: str, scope: ScopeDep, redis: RedisDep, env: JobEnvDep) -> TrainingOut:
    """Cancel a training that is created, queued, preparing or training (the provider is asked to cancel).
    A created or queued training is canceled at once; otherwise the answer shows the training still running
    and the `training.canceled` event follows shortly. A result the trainer delivers after the cancel is
    dropped: the training stays `canceled` and no model is made. 409 `job_already_terminal` once it ended,
    and 409 `job_not_cancelable` while it is `saving` (the weights exist and are being stored)."""
    row = await service.cancel_training(scope, env, training_id)
    await commit(scope.session, redis)
    return service.training_out(row)


@router.get("/{training_id}/events", operation_id="trainings-events", responses=problems(*AUTHED, 400, 404))
async def list_training_events(
    training_id: str,
    scope: ScopeDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: Annotated[
        str | None, Query(max_length=200, description="An event id: the page starts after it (`next_cursor`).")
    ] = None,
) -> Page[EventOut]:
    """The training's events, **oldest first** (a history to replay): `training.queued`, `training.started`,
    `training.progress` and `training.log` (with `message`), then `training.succeeded`, `training.failed` or
    `training.canceled`. `data.job` is the training as `GET` returned it at that moment."""
    await scope.get(Training, training_id, "training")
    return await list_job_events(scope.session, scope.owner_id, training_id, limit=limit, after=after)


@router.get(
    "/{training_id}/stream",
    operation_id="trainings-stream",
    response_class=EventSourceResponse,
    responses=SSE_RESPONSES,
)
async def stream_training(
    request: Request, training_id: str, principal: StreamPrincipalDep, last_event_id: LastEventIdDep = None
) -> Response:
    """The training's events as Server-Sent Events: its history (after `Last-Event-ID` when given), then
    live, closed after the terminal event. Authenticate with the API key or `?token=` from
    `POST /v1/stream-tokens` (browsers' `EventSource` sends no headers)."""
    return await job_event_stream(request, principal.owner_id, "training", training_id, last_event_id)

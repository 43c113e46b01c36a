from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sse_starlette import EventSourceResponse
from starlette.responses import JSONResponse

from api.deps import AfterQuery, LimitQuery, PrincipalDep, RedisDep, ScopeDep, SessionDep, SettingsDep, StorageDep
from api.idempotency import IdempotencyKeyHeader, idempotent_create
from api.problems import AUTHED, problems
from api.sse import SSE_RESPONSES, LastEventIdDep, job_event_stream
from api.stream_auth import StreamPrincipalDep
from shared.events.schemas import EventOut
from shared.events.service import list_job_events
from shared.generations import service
from shared.generations.jobs import CANCELABLE
from shared.generations.schemas import GenerationCreate, GenerationOut, GenerationStatus
from shared.jobs.env import JobEnv
from shared.jobs.registry import get_kind
from shared.jobs.runner import request_cancel
from shared.models import Generation
from shared.pagination import DEFAULT_LIMIT, Page
from shared.queue import commit

router = APIRouter(prefix="/v1/generations", tags=["generations"])


@router.post(
    "",
    operation_id="generations-create",
    status_code=202,
    response_model=GenerationOut,
    responses=problems(*AUTHED, 400, 404, 409),
)
async def create(
    request: Request,
    body: GenerationCreate,
    session: SessionDep,
    redis: RedisDep,
    principal: PrincipalDep,
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Generate images with an image model: a base model (e.g. `mdl_flux_1_dev`) or one of your trained
    LoRAs. Answers 202 with the queued generation; follow it with `GET /v1/generations/{id}`.

    **For a LoRA model the model's trigger word is put in front of your prompt when the prompt does not
    already contain it** (whole word, case-insensitive); `prompt` in the answer is the prompt as sent to
    the provider. The LoRA is applied with `lora_scale` (default 1; ignored for base models).

    Outputs are copied into FotoGen's storage with a 256 px WebP thumbnail each; `url` and `thumbnail_url`
    are short-lived signed URLs made when the generation is read (fetch it again for fresh ones).

    422 `model_not_image` for a model that does not make images, 422 `model_weights_missing` for a LoRA
    without stored weights, 404 `model_not_found` for an unknown model (or another owner's)."""

    async def _create() -> tuple[int, GenerationOut]:
        row = await service.create_generation(scope, storage, settings, body, request.state.request_id)
        return 202, await service.generation_out(session, storage, settings.signed_url_ttl, row)

    return await idempotent_create(
        request, session, redis, owner_id=principal.owner_id, key=idempotency_key, body=body, create=_create
    )


@router.get("", operation_id="generations-list", responses=problems(*AUTHED, 400))
async def list_generations(
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    model_id: Annotated[str | None, Query(max_length=40, description="Only generations of this model.")] = None,
    status: Annotated[GenerationStatus | None, Query(description="Only generations in this status.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: AfterQuery = None,
) -> Page[GenerationOut]:
    """Your generations, newest first."""
    return await service.list_generations(
        scope, storage, settings.signed_url_ttl, model_id=model_id, status=status, limit=limit, after=after
    )


@router.get("/{generation_id}", operation_id="generations-get", responses=problems(*AUTHED, 404))
async def get_generation(
    generation_id: str, scope: ScopeDep, storage: StorageDep, settings: SettingsDep
) -> GenerationOut:
    """One generation; its image URLs are signed afresh on every read."""
    row = await scope.get(Generation, generation_id, "generation")
    return await service.generation_out(scope.session, storage, settings.signed_url_ttl, row)


@router.post(
    "/{generation_id}/cancel",
    operation_id="generations-cancel",
    status_code=202,
    responses=problems(*AUTHED, 404, 409),
)
async def cancel_generation(
    request: Request,
    generation_id: str,
    scope: ScopeDep,
    redis: RedisDep,
    storage: StorageDep,
    settings: SettingsDep,
) -> GenerationOut:
    """Cancel a generation that is queued or running (the provider is asked to cancel). A queued generation
    is canceled at once; otherwise the answer shows it still running and the `generation.canceled` event
    follows shortly. 409 `job_already_terminal` once it ended."""
    await scope.get(Generation, generation_id, "generation")
    env = JobEnv(settings=settings, sessionmaker=request.app.state.sessionmaker, storage=storage, redis=redis)
    row = await request_cancel(scope.session, env, get_kind("generation"), generation_id, cancelable=CANCELABLE)
    await commit(scope.session, redis)
    return await service.generation_out(scope.session, storage, settings.signed_url_ttl, row)


@router.get("/{generation_id}/events", operation_id="generations-events", responses=problems(*AUTHED, 400, 404))
async def list_generation_events(
    generation_id: str,
    scope: ScopeDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: Annotated[
        str | None, Query(max_length=200, description="An event id: the page starts after it (`next_cursor`).")
    ] = None,
) -> Page[EventOut]:
    """The generation's events, **oldest first** (a history to replay): `generation.queued`,
    `generation.started`, then `generation.succeeded`, `generation.failed` or `generation.canceled`.
    `data.job` is the generation as `GET` returned it then (its signed URLs may have expired)."""
    await scope.get(Generation, generation_id, "generation")
    return await list_job_events(scope.session, scope.owner_id, generation_id, limit=limit, after=after)


@router.get(
    "/{generation_id}/stream",
    operation_id="generations-stream",
    response_class=EventSourceResponse,
    responses=SSE_RESPONSES,
)
async def stream_generation(
    request: Request, generation_id: str, principal: StreamPrincipalDep, last_event_id: LastEventIdDep = None
) -> Response:
    """The generation's events as Server-Sent Events: its history (after `Last-Event-ID` when given), then
    live, closed after the terminal event. Authenticate with the API key or `?token=` from
    `POST /v1/stream-tokens`."""
    return await job_event_stream(request, principal.owner_id, "generation", generation_id, last_event_id)

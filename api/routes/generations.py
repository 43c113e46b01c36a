from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sse_starlette import EventSourceResponse
from starlette.responses import JSONResponse

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
from shared.events.schemas import EventOut
from shared.events.service import list_job_events
from shared.generations import service
from shared.generations.schemas import GenerationCreate, GenerationOut, GenerationStatus
from shared.jobs.registry import get_kind
from shared.jobs.runner import request_cancel
from shared.metadata import METADATA_QUERY
from shared.models import Generation
from shared.pagination import DEFAULT_LIMIT, Page
from shared.queue import commit

router = APIRouter(prefix="/v1/generations", tags=["generations"])


@router.post(
    "",
    operation_id="generations-create",
    status_code=202,
    response_model=GenerationOut,
    responses=problems(*AUTHED, 400, 402, 404, 409, 429),
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
    """Generate images with an image model: a base model (e.g. `mdl_flux_1_dev`, `mdl_sdxl_1_0`,
    `mdl_sd_1_5`) or one of your trained LoRAs. Answers 202 with the queued generation; follow it with
    `GET /v1/generations/{id}`.

    **Modes**: `text_to_image` (default), `image_to_image` (`image`, `strength`) and `inpainting` (`image`,
    `mask` of the same size, white = repaint), each on its own provider endpoint; which modes a model has,
    and the parameters each takes with their ranges and defaults, is in `GET /v1/models/{id}` → `modes`.
    `image` and `mask` are image references: exactly one of `upload_id` (`POST /v1/uploads`),
    `dataset_image_id` or `generation_image_id`.

    **LoRAs**: `model_id` may be a trained LoRA (scale `lora_scale`, default 1) and `loras` adds more (up to
    3 in all, e.g. a character and a style, all trained on the same base model; `model_id` may then be that
    base model). **Every LoRA's trigger word is put in front of your prompt when the prompt does not already
    contain it** (whole word, case-insensitive); `prompt` in the answer is the prompt as sent.

    Outputs are copied into FotoGen's storage (normalised like uploads: upright, no metadata; `sha256` and
    `size_bytes` describe the stored copy) with a 256 px WebP thumbnail each; `url` and `thumbnail_url`
    are short-lived signed URLs made when the generation is read (fetch it again for fresh ones).

    422: `model_not_image`, `model_weights_missing`, `mode_not_supported`, `param_not_supported` (a
    parameter the model's mode does not take), `not_a_lora`, `lora_base_mismatch`, `duplicate_lora`,
    `too_many_loras`, `mask_size_mismatch`, `missing` (`image`/`mask` the mode needs), `validation_error`.
    404: `model_not_found`, `upload_not_found`, `image_not_found`, `generation_image_not_found` (unknown
    ids and other owners' alike).

    **Your policy** (`PUT /v1/policy`) applies before anything is created: 422 `prompt_blocked` (`prompt`,
    `negative_prompt`), and for an `end_user` 429 `quota_exceeded` (`generation_images_per_day` counts
    `num_images`), 402 `insufficient_credits` (`num_images` x `prices.generation_image` reserved, captured per
    image delivered), 422 `end_user_required`. With `withhold_nsfw_images` a flagged image is stored nowhere
    (`withheld: true`, `url: null`) and not charged; `force_safety_checker` ignores `enable_safety_checker: false`."""

    async def _create() -> tuple[int, GenerationOut]:
        row = await service.create_generation(scope, storage, settings, body, request.state.request_id)
        return 202, await service.generation_out(session, storage, settings.signed_url_ttl, row)

    return await idempotent_create(
        request, session, redis, owner_id=principal.owner_id, key=idempotency_key, body=body, create=_create
    )


@router.get("", operation_id="generations-list", responses=problems(*AUTHED, 400), openapi_extra=METADATA_QUERY)
async def list_generations(
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    tags: TagFilterDep,
    model_id: Annotated[str | None, Query(max_length=40, description="Only generations of this model.")] = None,
    status: Annotated[GenerationStatus | None, Query(description="Only generations in this status.")] = None,
    character_id: Annotated[
        str | None, Query(max_length=40, description="Only generations made for this character (`chr_…`).")
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: AfterQuery = None,
) -> Page[GenerationOut]:
    """Your generations, newest first; `?metadata[key]=value` (exact, several AND) and `?end_user=` filter."""
    return await service.list_generations(
        scope,
        storage,
        settings.signed_url_ttl,
        model_id=model_id,
        status=status,
        character_id=character_id,
        tags=tags,
        limit=limit,
        after=after,
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
    generation_id: str, scope: ScopeDep, redis: RedisDep, storage: StorageDep, settings: SettingsDep, env: JobEnvDep
) -> GenerationOut:
    """Cancel a generation that is queued or running (the provider is asked to cancel). A queued generation
    is canceled at once; otherwise the answer shows it still running and the `generation.canceled` event
    follows shortly. 409 `job_already_terminal` once it ended."""
    await scope.get(Generation, generation_id, "generation")
    row = await request_cancel(scope.session, env, get_kind("generation"), generation_id)
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

"""``/v1/videos``: image-to-video (Stable Video Diffusion), the MP4 and a poster copied into our storage."""

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
from shared.events.schemas import EventOut
from shared.events.service import list_job_events
from shared.jobs.registry import get_kind
from shared.jobs.runner import request_cancel
from shared.metadata import METADATA_QUERY
from shared.models import Video
from shared.pagination import DEFAULT_LIMIT, Page
from shared.queue import commit
from shared.videos import service
from shared.videos.schemas import VideoCreate, VideoOut, VideoStatus

router = APIRouter(prefix="/v1/videos", tags=["videos"])


@router.post(
    "",
    operation_id="videos-create",
    status_code=202,
    response_model=VideoOut,
    responses=problems(*AUTHED, 400, 402, 404, 409, 429),
)
async def create(
    request: Request,
    body: VideoCreate,
    session: SessionDep,
    redis: RedisDep,
    principal: PrincipalDep,
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Make a short video from an image with a video model (default `mdl_stable_video_diffusion`: 25 frames
    at 1024x576, at `fps`). `image` is an image reference: exactly one of `upload_id`, `dataset_image_id`,
    `generation_image_id`. Answers 202 with the queued video; follow it with `GET /v1/videos/{id}` or its
    stream. Once succeeded, `video` describes the stored MP4 (`frames`, `duration_s`, size) with signed
    `url` and `poster_url` (the first frame, WebP).

    422 `model_not_video`, `validation_error`; 404 `model_not_found`, `upload_not_found`,
    `image_not_found`, `generation_image_not_found` (unknown ids and other owners' alike)."""

    async def _create() -> tuple[int, VideoOut]:
        row = await service.create_video(scope, storage, settings, body, request.state.request_id)
        return 202, await service.video_out(row, storage, settings.signed_url_ttl)

    return await idempotent_create(
        request, session, redis, owner_id=principal.owner_id, key=idempotency_key, body=body, create=_create
    )


@router.get("", operation_id="videos-list", responses=problems(*AUTHED, 400), openapi_extra=METADATA_QUERY)
async def list_videos(
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    tags: TagFilterDep,
    status: Annotated[VideoStatus | None, Query(description="Only videos in this status.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: AfterQuery = None,
) -> Page[VideoOut]:
    """Your videos, newest first; `?metadata[key]=value` and `?end_user=` filter them."""
    return await service.list_videos(
        scope, storage, settings.signed_url_ttl, status=status, tags=tags, limit=limit, after=after
    )


@router.get("/{video_id}", operation_id="videos-get", responses=problems(*AUTHED, 404))
async def get_video(video_id: str, scope: ScopeDep, storage: StorageDep, settings: SettingsDep) -> VideoOut:
    """One video; its URLs are signed afresh on every read."""
    row = await scope.get(Video, video_id, "video")
    return await service.video_out(row, storage, settings.signed_url_ttl)


@router.post("/{video_id}/cancel", operation_id="videos-cancel", status_code=202, responses=problems(*AUTHED, 404, 409))
async def cancel_video(
    video_id: str, scope: ScopeDep, redis: RedisDep, storage: StorageDep, settings: SettingsDep, env: JobEnvDep
) -> VideoOut:
    """Cancel a video that is queued or running (the provider is asked to cancel); the `video.canceled`
    event follows. 409 `job_already_terminal` once it ended."""
    await scope.get(Video, video_id, "video")
    row = await request_cancel(scope.session, env, get_kind("video"), video_id)
    await commit(scope.session, redis)
    return await service.video_out(row, storage, settings.signed_url_ttl)


@router.get("/{video_id}/events", operation_id="videos-events", responses=problems(*AUTHED, 400, 404))
async def list_video_events(
    video_id: str,
    scope: ScopeDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: Annotated[
        str | None, Query(max_length=200, description="An event id: the page starts after it (`next_cursor`).")
    ] = None,
) -> Page[EventOut]:
    """The video's events, **oldest first**: `video.queued`, `video.started`, then `video.succeeded`,
    `video.failed` or `video.canceled`. `data.job` is the video as `GET` returned it then."""
    await scope.get(Video, video_id, "video")
    return await list_job_events(scope.session, scope.owner_id, video_id, limit=limit, after=after)


@router.get(
    "/{video_id}/stream", operation_id="videos-stream", response_class=EventSourceResponse, responses=SSE_RESPONSES
)
async def stream_video(
    request: Request, video_id: str, principal: StreamPrincipalDep, last_event_id: LastEventIdDep = None
) -> Response:
    """The video's events as Server-Sent Events: history (after `Last-Event-ID`), then live, closed after
    the terminal event. Authenticate with the API key or `?token=` from `POST /v1/stream-tokens`."""
    return await job_event_stream(request, principal.owner_id, "video", video_id, last_event_id)

"""Videos, API side: validate, create, list, render (the worker pipeline is ``shared.videos.jobs``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.billing import admit
from shared.catalog.modes import VideoParams, modes_of
from shared.config import Settings
from shared.errors import ValidationFailed
from shared.ids import new_id
from shared.jobs.registry import get_kind
from shared.jobs.runner import create_job
from shared.jobs.schemas import JobError
from shared.metadata import TagFilter
from shared.models import Model, Video
from shared.pagination import Page, paginate
from shared.scope import OwnerScope
from shared.storage import Storage
from shared.uploads.references import ImageRef, resolve_image
from shared.videos.schemas import VideoCreate, VideoFile, VideoOut, VideoStatus

KIND_NAME = "video"


async def video_out(row: Video, storage: Storage, ttl: timedelta) -> VideoOut:
    video = None
    stored = row.video
    if row.status == "succeeded" and stored:
        video = VideoFile(
            url=await storage.signed_url(stored["key"], ttl, download_name="video.mp4"),
            poster_url=await storage.signed_url(stored["poster_key"], ttl),
            content_type=stored["content_type"],
            size_bytes=stored["size_bytes"],
            width=stored["width"],
            height=stored["height"],
            frames=stored["frames"],
            duration_s=stored["duration_s"],
        )
    return VideoOut(
        id=row.id,
        status=row.status,
        model_id=row.model_id,
        image=ImageRef.model_validate(row.image),
        params=VideoParams.model_validate(row.params),
        video=video,
        seed=row.seed,
        error=JobError(code=row.error_code, message=row.error_message or "") if row.error_code else None,
        metadata=row.metadata_,
        end_user=row.end_user,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


async def videos_out(rows: Sequence[Video], storage: Storage, ttl: timedelta) -> list[VideoOut]:
    return [await video_out(r, storage, ttl) for r in rows]


async def serialize(session: AsyncSession, storage: Storage, ttl: timedelta, row: Any) -> VideoOut:
    return await video_out(row, storage, ttl)


async def list_videos(
    scope: OwnerScope,
    storage: Storage,
    ttl: timedelta,
    *,
    status: VideoStatus | None,
    tags: TagFilter,
    limit: int,
    after: str | None,
) -> Page[VideoOut]:
    stmt = tags.apply(scope.select(Video), Video)
    if status is not None:
        stmt = stmt.where(Video.status == status)
    rows = await paginate(scope.session, stmt, Video.id, limit=limit, after=after)
    return rows.page(await videos_out(rows.items, storage, ttl))


async def create_video(
    scope: OwnerScope, storage: Storage, settings: Settings, body: VideoCreate, request_id: str | None
) -> Video:
    """Check the model and the image (404 for unknown or other owners' ids), insert the job, write
    ``video.queued`` and schedule it (sent when the caller commits)."""
    model = await scope.get(Model, body.model_id, "model")
    mode = modes_of(model.id).get("image_to_video")
    if model.category != "video" or mode is None:
        detail = f"Model {model.id!r} is not a video model."
        raise ValidationFailed(
            detail,
            code="model_not_video",
            errors=[{"loc": ["body", "model_id"], "code": "model_not_video", "detail": detail}],
        )
    image = await resolve_image(scope, body.image)
    sent = body.model_dump(include={"motion_bucket_id", "cond_aug", "fps", "seed"}, exclude_none=True)
    params = VideoParams.model_validate(sent)
    job_id = new_id("video")
    row = Video(
        id=job_id,
        owner_id=scope.owner_id,
        model_id=model.id,
        image=body.image.model_dump(exclude_none=True),
        image_key=image.key,
        params=params.model_dump(mode="json"),
        seed=params.seed,
        provider_name="fal",
        provider_endpoint=mode.endpoint,
        request_id=request_id,
        metadata_=body.metadata,
        end_user=body.end_user,
    )
    await create_job(scope.session, storage, settings.signed_url_ttl, get_kind(KIND_NAME), row)
    # last: it locks the end user's row until the commit (a refusal rolls the job back with it)
    await admit(scope.session, scope.owner_id, body.end_user, "video", job_id, 1)
    return row

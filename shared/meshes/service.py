"""Mesh jobs, API side: create a job from uploaded photos, list and render jobs as the API returns them, cancel.

Storage keys: inputs ``owners/{owner}/meshes/{id}/inputs/{index}.{ext}`` (the normalised photo, passed to
the provider by signed URL), outputs ``owners/{owner}/meshes/{id}/{index}/{kind}.{ext}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.billing import admit
from shared.config import Settings
from shared.errors import NotFound, ValidationFailed, not_found
from shared.ids import new_id
from shared.jobs.env import JobEnv
from shared.jobs.registry import get_kind
from shared.jobs.runner import create_job, request_cancel
from shared.meshes.schemas import (
    JobError,
    MeshFile,
    MeshFileKind,
    MeshItemOut,
    MeshJobOut,
    MeshJobStatus,
    MeshOptions,
)
from shared.metadata import TagFilter, TaggedCreate, tags_from_form
from shared.models import MeshItem, MeshJob
from shared.pagination import Rows, paginate
from shared.scope import OwnerScope
from shared.storage import Storage
from shared.uploads import (
    IMAGE_FIELD,
    DuplicateFilter,
    ImageLimiter,
    ImagePipeline,
    IncomingBatch,
    RejectedFile,
    Upload,
    image_limits,
    nothing_accepted,
    purge_prefix,
)

ENDPOINT = "tripo3d/tripo/v2.5/image-to-3d"
KIND_NAME = "mesh"
ITEM_ENDED = ("succeeded", "failed", "canceled")


def job_prefix(owner_id: str, job_id: str) -> str:
    return f"owners/{owner_id}/meshes/{job_id}/"


def input_key(owner_id: str, job_id: str, index: int, ext: str) -> str:
    return f"{job_prefix(owner_id, job_id)}inputs/{index}.{ext}"


def output_key(owner_id: str, job_id: str, index: int, kind: str, ext: str) -> str:
    return f"{job_prefix(owner_id, job_id)}{index}/{kind}.{ext}"


def _error(code: str | None, message: str | None) -> JobError | None:
    return JobError(code=code, message=message or "") if code else None


async def item_out(item: MeshItem, storage: Storage, ttl: timedelta) -> MeshItemOut:
    files = [
        MeshFile(
            kind=f["kind"],
            content_type=f["content_type"],
            size_bytes=f["size_bytes"],
            url=await storage.signed_url(f["key"], ttl),
        )
        for f in item.files or []
    ]
    return MeshItemOut(
        id=item.id,
        index=item.index,
        filename=item.filename,
        status=item.status,
        error=_error(item.error_code, item.error_message),
        files=files,
        started_at=item.started_at,
        finished_at=item.finished_at,
    )


async def mesh_out(row: MeshJob, items: Sequence[MeshItem], storage: Storage, ttl: timedelta) -> MeshJobOut:
    return MeshJobOut(
        id=row.id,
        status=row.status,
        progress=round(row.progress, 4),
        options=MeshOptions.model_validate(row.options),
        item_count=row.item_count,
        items=[await item_out(i, storage, ttl) for i in items],
        error=_error(row.error_code, row.error_message),
        metadata=row.metadata_,
        end_user=row.end_user,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


async def load_items(session: AsyncSession, job_ids: Sequence[str]) -> dict[str, list[MeshItem]]:
    """The items of several jobs in one query (fresh from the database), by job id, in index order."""
    out: dict[str, list[MeshItem]] = {job_id: [] for job_id in job_ids}
    if not job_ids:
        return out
    stmt = (
        select(MeshItem)
        .where(MeshItem.mesh_job_id.in_(list(job_ids)))
        .order_by(MeshItem.mesh_job_id, MeshItem.index)
        .execution_options(populate_existing=True)
    )
    for item in (await session.scalars(stmt)).all():
        out[item.mesh_job_id].append(item)
    return out


async def render_job(session: AsyncSession, row: MeshJob, storage: Storage, ttl: timedelta) -> MeshJobOut:
    """A job with its items (read fresh), as ``GET /v1/meshes/{id}`` returns it."""
    items = await load_items(session, [row.id])
    return await mesh_out(row, items[row.id], storage, ttl)


async def render_jobs(
    session: AsyncSession, rows: Sequence[MeshJob], storage: Storage, ttl: timedelta
) -> list[MeshJobOut]:
    items = await load_items(session, [r.id for r in rows])
    return [await mesh_out(r, items[r.id], storage, ttl) for r in rows]


async def serialize(session: AsyncSession, storage: Storage, ttl: timedelta, row: Any) -> MeshJobOut:
    """The job kind's renderer for events (``shared.jobs.registry`` passes the lifetime in seconds)."""
    return await render_job(session, row, storage, ttl)


async def list_mesh_jobs(
    scope: OwnerScope, status: MeshJobStatus | None, tags: TagFilter, *, limit: int, after: str | None
) -> Rows[MeshJob]:
    """The owner's mesh jobs, newest first, optionally only those in ``status``, filtered by metadata."""
    stmt = tags.apply(scope.select(MeshJob), MeshJob)
    if status is not None:
        stmt = stmt.where(MeshJob.status == status)
    return await paginate(scope.session, stmt, MeshJob.id, limit=limit, after=after)


async def item_file_key(scope: OwnerScope, job_id: str, item_id: str, kind: MeshFileKind) -> str:
    """The storage key of one output of an item; 404 ``mesh_file_not_found`` when it has no such file."""
    await scope.get(MeshJob, job_id, "mesh")
    item = await scope.session.scalar(select(MeshItem).where(MeshItem.id == item_id, MeshItem.mesh_job_id == job_id))
    if item is None:
        raise not_found("mesh_item", item_id)
    found = next((f for f in item.files or [] if f.get("kind") == kind), None)
    if found is None:
        raise NotFound(f"Item {item_id!r} has no {kind} file.", code="mesh_file_not_found")
    key: str = found["key"]
    return key


# ---------------------------------------------------------------------------------------------
# Create: the mesh policy on top of the common upload pipeline
# ---------------------------------------------------------------------------------------------


@dataclass
class CreatedMesh:
    row: MeshJob
    rejected: list[RejectedFile]
    stored_keys: list[str]  # the inputs: delete these if the commit fails


def parse_options(fields: dict[str, str]) -> MeshOptions:
    """The form fields as :class:`MeshOptions`; empty fields count as absent, unknown fields are refused."""
    try:
        return MeshOptions.model_validate({k: v for k, v in fields.items() if v.strip()})
    except ValidationError as exc:
        errors = [
            {"loc": ["body", *[str(p) for p in e["loc"]]], "code": e["type"], "detail": e["msg"]} for e in exc.errors()
        ]
        first = errors[0]
        raise ValidationFailed(f"{first['loc'][-1]}: {first['detail']}", errors=errors) from None


def _sort_files(batch: IncomingBatch) -> tuple[list[Upload], list[RejectedFile]]:
    """The photos to process, and what is refused before processing: captions (mesh jobs take none) and
    files sent under another field name."""
    rejected = list(batch.rejected)
    rejected += [
        RejectedFile(
            filename=f"{stem}.txt",
            code="unsupported_format",
            detail="Text files are not images; mesh jobs take no captions.",
        )
        for stem in batch.captions
    ]
    photos: list[Upload] = []
    for file in batch.files:
        if file.field_name != IMAGE_FIELD:
            rejected.append(
                RejectedFile(
                    filename=file.display_name,
                    code="unexpected_field",
                    detail=f"Photos go in `files` parts, not {file.field_name[:50]!r}.",
                )
            )
        else:
            photos.append(Upload(len(photos), file))
    return photos, rejected


async def create_mesh_job(
    scope: OwnerScope,
    storage: Storage,
    settings: Settings,
    limiter: ImageLimiter,
    batch: IncomingBatch,
    request_id: str | None,
) -> CreatedMesh:
    """Validate the photos (one item per accepted photo, duplicates refused), store them, insert the job and
    its items, write ``mesh.queued`` and schedule the first step (sent to arq when the caller commits).

    422 ``no_images_accepted`` (every file in ``errors``) when no photo is accepted, ``no_files`` when none
    was sent. Flushes, never commits; what was stored is deleted again on failure.
    """
    tags = tags_from_form(batch.fields)
    options = parse_options(batch.fields)
    photos, rejected = _sort_files(batch)
    async with ImagePipeline(image_limits(settings), settings.tmp_dir, limiter) as pipeline:
        await pipeline.run(photos)
        DuplicateFilter().apply(photos)
        rejected += [p.rejection for p in photos if p.rejection is not None]
        accepted = [p for p in photos if p.accepted]
        if not accepted:
            raise nothing_accepted(rejected)
        row, keys = await _insert_job(scope, storage, settings, options, accepted, request_id, tags)
    return CreatedMesh(row=row, rejected=rejected, stored_keys=keys)


async def _insert_job(
    scope: OwnerScope,
    storage: Storage,
    settings: Settings,
    options: MeshOptions,
    photos: Sequence[Upload],
    request_id: str | None,
    tags: TaggedCreate,
) -> tuple[MeshJob, list[str]]:
    job_id = new_id("mesh")
    owner_id = scope.owner_id
    session = scope.session
    await admit(session, owner_id, tags.end_user, KIND_NAME, job_id, len(photos))  # before anything is stored
    keys: list[str] = []
    try:
        items = []
        for index, photo in enumerate(photos):
            assert photo.image is not None and photo.normalised is not None
            key = input_key(owner_id, job_id, index, photo.image.ext)
            await storage.put_file(key, photo.normalised, photo.image.content_type, consume=True)
            keys.append(key)
            items.append(
                MeshItem(
                    id=new_id("mesh_item"),
                    mesh_job_id=job_id,
                    index=index,
                    filename=photo.file.display_name,
                    input_key=key,
                    status="queued",
                    files=[],
                )
            )
        row = MeshJob(
            id=job_id,
            owner_id=owner_id,
            options=options.model_dump(mode="json"),
            item_count=len(items),
            provider_name="fal",
            provider_endpoint=ENDPOINT,
            request_id=request_id,
            metadata_=tags.metadata,
            end_user=tags.end_user,
        )
        session.add(row)
        await session.flush()
        session.add_all(items)
        await create_job(session, storage, settings.signed_url_ttl, get_kind(KIND_NAME), row)
    except BaseException:
        await purge_prefix(storage, job_prefix(owner_id, job_id))  # whatever this create stored
        raise
    return row, keys


async def cancel_mesh_job(scope: OwnerScope, env: JobEnv, job_id: str) -> MeshJob:
    """Cancel a queued or running job. One nobody works on yet is canceled at once (its items too, by the
    kind's ``on_cancel``); otherwise the worker cancels in-flight provider requests and marks the remaining
    items ``canceled``."""
    await scope.get(MeshJob, job_id, "mesh")
    result: MeshJob = await request_cancel(scope.session, env, get_kind(KIND_NAME), job_id)
    return result

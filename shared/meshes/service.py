"""Mesh jobs, API side: create a job from validated photos, render jobs as the API returns them, cancel.

Storage keys: inputs ``owners/{owner}/meshes/{id}/inputs/{index}.{ext}`` (the normalised photo, passed to
the provider by signed URL), outputs ``owners/{owner}/meshes/{id}/{index}/{kind}.{ext}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import anyio
import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.errors import not_found
from shared.ids import new_id
from shared.jobs.env import JobEnv
from shared.jobs.registry import get_kind
from shared.jobs.runner import create_job, request_cancel
from shared.meshes.schemas import JobError, MeshFile, MeshItemOut, MeshJobOut, MeshOptions
from shared.models import MeshItem, MeshJob
from shared.scope import OwnerScope
from shared.storage import Storage
from shared.uploads import AcceptedImage

log = structlog.get_logger("meshes")
ENDPOINT = "tripo3d/tripo/v2.5/image-to-3d"
KIND_NAME = "mesh"
CANCELABLE = ("queued", "running")
ITEM_ENDED = ("succeeded", "failed", "canceled")


def job_prefix(owner_id: str, job_id: str) -> str:
    return f"owners/{owner_id}/meshes/{job_id}/"


def input_key(owner_id: str, job_id: str, index: int, ext: str) -> str:
    return f"{job_prefix(owner_id, job_id)}inputs/{index}.{ext}"


def output_key(owner_id: str, job_id: str, index: int, kind: str, ext: str) -> str:
    return f"{job_prefix(owner_id, job_id)}{index}/{kind}.{ext}"


def _error(code: str | None, message: str | None) -> JobError | None:
    return JobError(code=code, message=message or "") if code else None


async def item_out(storage: Storage, ttl: int, item: MeshItem) -> MeshItemOut:
    files = [
        MeshFile(
            kind=f["kind"],
            content_type=f["content_type"],
            size_bytes=f["size_bytes"],
            url=await storage.signed_url(f["key"], timedelta(seconds=ttl)),
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


async def mesh_out(storage: Storage, ttl: int, row: MeshJob, items: Sequence[MeshItem]) -> MeshJobOut:
    return MeshJobOut(
        id=row.id,
        status=row.status,
        progress=round(row.progress, 4),
        options=MeshOptions.model_validate(row.options),
        item_count=row.item_count,
        items=[await item_out(storage, ttl, i) for i in items],
        error=_error(row.error_code, row.error_message),
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


async def serialize(session: AsyncSession, storage: Storage, ttl: int, row: Any) -> MeshJobOut:
    items = await load_items(session, [row.id])
    return await mesh_out(storage, ttl, row, items[row.id])


async def serialize_many(
    session: AsyncSession, storage: Storage, ttl: int, rows: Sequence[MeshJob]
) -> list[MeshJobOut]:
    items = await load_items(session, [r.id for r in rows])
    return [await mesh_out(storage, ttl, r, items[r.id]) for r in rows]


async def create_mesh_job(
    scope: OwnerScope,
    storage: Storage,
    ttl: int,
    options: MeshOptions,
    images: Sequence[AcceptedImage],
    request_id: str | None,
) -> MeshJob:
    """Store the normalised photos, insert the job and its items, write ``mesh.queued`` and schedule the
    first step (sent to arq when the caller commits). Stored inputs are deleted again on failure."""
    assert images, "validate before creating"
    job_id = new_id("mesh")
    owner_id = scope.owner_id
    session = scope.session
    try:
        items = []
        for index, image in enumerate(images):
            key = input_key(owner_id, job_id, index, image.image.ext)
            await storage.put_file(key, image.path, image.image.content_type)
            items.append(
                MeshItem(
                    id=new_id("mesh_item"),
                    mesh_job_id=job_id,
                    index=index,
                    filename=image.filename,
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
        )
        session.add(row)
        await session.flush()
        session.add_all(items)
        await create_job(session, storage, ttl, get_kind(KIND_NAME), row)
    except BaseException:
        await delete_stored_inputs(storage, owner_id, job_id)
        raise
    return row


async def delete_stored_inputs(storage: Storage, owner_id: str, job_id: str) -> None:
    """Remove what a failed create stored (shielded from cancellation; failures are logged, not raised)."""
    with anyio.CancelScope(shield=True):
        try:
            await storage.delete_prefix(job_prefix(owner_id, job_id))
        except Exception:
            log.exception("mesh_inputs_not_deleted", mesh_id=job_id)


async def cancel_mesh_job(scope: OwnerScope, env: JobEnv, job_id: str) -> MeshJob:
    """Cancel a queued or running job. One nobody works on yet is canceled at once (its items too);
    otherwise the worker cancels in-flight provider requests and marks the remaining items ``canceled``."""
    session = scope.session
    await scope.get(MeshJob, job_id, "mesh")
    row = await session.get(MeshJob, job_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise not_found("mesh", job_id)
    now = utcnow()
    if row.status == "queued" and (row.lease_until is None or row.lease_until < now):
        # request_cancel ends this job at once: end its items first, so the event shows them canceled.
        await session.execute(
            update(MeshItem)
            .where(MeshItem.mesh_job_id == job_id, MeshItem.status == "queued")
            .values(status="canceled", finished_at=now)
        )
    result: MeshJob = await request_cancel(session, env, get_kind(KIND_NAME), job_id, cancelable=CANCELABLE)
    return result

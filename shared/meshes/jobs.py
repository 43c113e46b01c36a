"""The mesh pipeline (worker side): one job step drives the whole batch, a few provider requests at a time.

Each step (see ``shared.jobs.runner``: claimed under a lease, safe to repeat; cancel is the runner's) does,
in order:

1. ``queued`` → ``running`` (``mesh.started``).
2. Poll every in-flight item (``running``, provider request id set). A completed request's outputs
   (``model_mesh``, ``pbr_model``, ``base_model``, ``rendered_image`` — whichever came back) are copied into
   our storage under deterministic keys, then the item becomes ``succeeded``; a request that completed with
   an error (or whose outputs cannot be fetched) makes the item ``failed`` with the provider's error code.
3. Submit queued items while fewer than ``settings.mesh_concurrency`` are in flight, persisting each
   provider request id in its own transaction right after its submit (a repeated step never resubmits an
   item whose id was saved; the only window for a duplicate provider request is a crash between Fal
   accepting the submit and that commit).
4. When every item ended: the job is ``succeeded`` if at least one item succeeded (the others report their
   own ``error``), ``failed`` only when every item failed (its error is the items' common code, or
   ``all_items_failed``).

Every item change is a conditional ``UPDATE mesh_items … WHERE status IN (…)`` in the same transaction as
the job's ``mesh.progress`` event (``data.item`` names the item; ``data.job.items`` has every item's
status) and the job's progress (the fraction of ended items, never backwards).

Cancel (``cancel_requested_at``): in-flight provider requests are asked to cancel, every item that has not
ended becomes ``canceled`` (succeeded items keep their files) and the job ends ``canceled``.
Provider webhooks are not requested for mesh items: polling finds completions.
Transient provider errors (5xx, 429, timeouts) propagate to the runner, which retries the step with
backoff; non-retryable ones end only the item concerned (``settle``). Each item's request id is persisted
by the item's own conditional update right after its submit (the runner's submit-then-persist is for
kinds whose job row carries the one request id).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.fal.errors import PROVIDER_FAILED, ProviderError
from shared.jobs.env import JobEnv
from shared.jobs.files import copy_url_to_storage
from shared.jobs.registry import JobKind, PollPolicy
from shared.jobs.steps import Job, ProviderSteps, settle
from shared.jobs.transitions import progress_value
from shared.meshes.schemas import MESH_FILE_KINDS, MeshOptions
from shared.meshes.service import ENDPOINT, ITEM_ENDED, KIND_NAME, output_key, serialize
from shared.models import MeshItem, MeshJob
from shared.models.jobs import MeshItemStatus as I
from shared.models.jobs import MeshJobStatus as S
from shared.queue import commit

log = structlog.get_logger("meshes")
INPUT_URL_TTL = timedelta(hours=6)  # the provider may queue a request for a while before fetching its input

# What we store for a provider file: extension -> content type. Anything else is kept as opaque bytes.
_TYPES = {
    "glb": "model/gltf-binary",
    "gltf": "model/gltf+json",
    "fbx": "application/octet-stream",
    "obj": "model/obj",
    "usdz": "model/vnd.usdz+zip",
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
}
_EXT_BY_TYPE = {v: k for k, v in _TYPES.items() if k != "fbx"} | {"image/jpeg": "jpg"}


def file_type(kind: str, meta: dict[str, Any]) -> tuple[str, str]:
    """(extension, content type) of a provider file, from its name, else its type, else the kind."""
    name = str(meta.get("file_name") or meta.get("url") or "").split("?", 1)[0]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    if ext == "jpeg":
        ext = "jpg"
    if ext not in _TYPES:
        ext = _EXT_BY_TYPE.get(str(meta.get("content_type") or "").split(";")[0].strip().lower(), "")
    if not ext:
        ext = "png" if kind == "rendered_image" else "glb"
    return ext, _TYPES[ext]


def provider_arguments(options: MeshOptions, image_url: str) -> dict[str, Any]:
    args: dict[str, Any] = {
        "image_url": image_url,
        "face_limit": options.face_limit,
        "texture": options.texture,
        "pbr": options.pbr,
    }
    if options.seed is not None:
        args["seed"] = options.seed
    return args


def _item_ref(item: MeshItem, status: str) -> dict[str, Any]:
    return {"id": item.id, "index": item.index, "filename": item.filename, "status": status}


async def _items(env: JobEnv, job_id: str) -> list[MeshItem]:
    async with env.sessionmaker() as session:
        query = select(MeshItem).where(MeshItem.mesh_job_id == job_id).order_by(MeshItem.index)
        return list((await session.scalars(query)).all())


async def find_item_request(session: AsyncSession, model: Any, request_id: str) -> str | None:
    """Provider requests belong to mesh items, not to the job row."""
    job_id: str | None = await session.scalar(
        select(MeshItem.mesh_job_id).where(MeshItem.provider_request_id == request_id)
    )
    return job_id


class MeshSteps(ProviderSteps):
    async def advance(self, job: Job) -> float | None:
        """Poll what is in flight, submit what fits, finish when every item ended."""
        endpoint = job.row.provider_endpoint or ENDPOINT
        for item in await _items(job.env, job.id):
            if item.status == I.RUNNING and item.provider_request_id:
                await _poll_item(job, endpoint, item)
        items = await _items(job.env, job.id)
        free = job.env.settings.mesh_concurrency - sum(1 for i in items if i.status == I.RUNNING)
        options = MeshOptions.model_validate(job.row.options)
        for item in [i for i in items if i.status == I.QUEUED and not i.provider_request_id][: max(0, free)]:
            await _submit_item(job, endpoint, options, item)
        items = await _items(job.env, job.id)
        if all(i.status in ITEM_ENDED for i in items):
            await _finish(job, items)
            return None
        started = [i.started_at for i in items if i.status == I.RUNNING and i.started_at is not None]
        return job.poll_delay(max(started) if started else None)

    async def cancel_requests(self, job: Job) -> list[str]:
        items = await _items(job.env, job.id)
        return [i.provider_request_id for i in items if i.status == I.RUNNING and i.provider_request_id]

    async def on_cancel(self, job: Job, session: AsyncSession) -> dict[str, Any]:
        """Items that had not ended end with the job (succeeded items keep their files)."""
        await session.execute(
            update(MeshItem)
            .where(MeshItem.mesh_job_id == job.id, MeshItem.status.in_((I.QUEUED, I.RUNNING)))
            .values(status=I.CANCELED, finished_at=utcnow())
        )
        return {}


async def _submit_item(job: Job, endpoint: str, options: MeshOptions, item: MeshItem) -> None:
    url = await job.env.storage.signed_url(item.input_key, INPUT_URL_TTL)
    request_id = await settle(job.submit(endpoint, provider_arguments(options, url), webhook=False))
    if isinstance(request_id, ProviderError):
        await _end_item(job, item, (I.QUEUED,), I.FAILED, error=(request_id.code, request_id.message))
        return
    # Persist the request id at once: from here on a repeated step polls it instead of resubmitting.
    async with job.env.sessionmaker() as session:
        moved = (
            await session.execute(
                update(MeshItem)
                .where(MeshItem.id == item.id, MeshItem.status == I.QUEUED, MeshItem.provider_request_id.is_(None))
                .values(status=I.RUNNING, provider_request_id=request_id, started_at=utcnow())
                .returning(MeshItem.id)
            )
        ).scalar_one_or_none()
        if moved is None:
            log.warning("mesh_item_moved_during_submit", item_id=item.id, request_id=request_id)
            await session.rollback()
            return
        extra = {"message": f"{item.filename}: submitted", "item": _item_ref(item, I.RUNNING)}
        await job.move((S.RUNNING,), None, "progress", extra=extra, session=session)
        await commit(session, job.env.redis)


async def _poll_item(job: Job, endpoint: str, item: MeshItem) -> None:
    assert item.provider_request_id
    outcome = await settle(_fetch_item(job, endpoint, item))
    if isinstance(outcome, ProviderError):
        await _end_item(job, item, (I.RUNNING,), I.FAILED, error=(outcome.code, outcome.message))
    elif outcome is None:
        return
    elif not any(f["kind"] != "rendered_image" for f in outcome):
        await _end_item(job, item, (I.RUNNING,), I.FAILED, error=(PROVIDER_FAILED, "The provider returned no mesh."))
    else:
        await _end_item(job, item, (I.RUNNING,), I.SUCCEEDED, files=outcome)


async def _fetch_item(job: Job, endpoint: str, item: MeshItem) -> list[dict[str, Any]] | None:
    """The item's stored output files once its request completed; None while it is still running."""
    assert item.provider_request_id
    status = await job.env.provider.status(endpoint, item.provider_request_id, with_logs=False)
    if status.state != "completed":
        return None
    result = await job.env.provider.result(endpoint, item.provider_request_id)
    return await _copy_outputs(job, item, result)


async def _copy_outputs(job: Job, item: MeshItem, result: dict[str, Any]) -> list[dict[str, Any]]:
    http = job.env.http
    assert http is not None
    files: list[dict[str, Any]] = []
    for kind in MESH_FILE_KINDS:
        meta = result.get(kind)
        if not isinstance(meta, dict) or not isinstance(meta.get("url"), str):
            continue
        ext, content_type = file_type(kind, meta)
        key = output_key(job.row.owner_id, job.id, item.index, kind, ext)
        stored = await copy_url_to_storage(http, job.env.storage, meta["url"], key, content_type)
        files.append(
            {
                "kind": kind,
                "key": stored.key,
                "content_type": content_type,
                "size_bytes": stored.size,
                "sha256": stored.sha256,
            }
        )
    return files


async def _end_item(
    job: Job,
    item: MeshItem,
    from_statuses: tuple[str, ...],
    to: str,
    *,
    error: tuple[str, str] | None = None,
    files: list[dict[str, Any]] | None = None,
) -> None:
    values: dict[str, Any] = {"status": to, "finished_at": utcnow()}
    if error is not None:
        values.update(error_code=error[0], error_message=error[1][:2000])
    if files is not None:
        values["files"] = files
    async with job.env.sessionmaker() as session:
        moved = (
            await session.execute(
                update(MeshItem)
                .where(MeshItem.id == item.id, MeshItem.status.in_(from_statuses))
                .values(**values)
                .returning(MeshItem.id)
            )
        ).scalar_one_or_none()
        if moved is None:
            await session.rollback()
            return
        ended = await session.scalar(
            select(func.count())
            .select_from(MeshItem)
            .where(MeshItem.mesh_job_id == job.id, MeshItem.status.in_(ITEM_ENDED))
        )
        message = f"{item.filename}: {to}" + (f" ({error[0]})" if error else "")
        progress = {"progress": progress_value(MeshJob, (ended or 0) / max(1, job.row.item_count))}
        extra = {"message": message, "item": _item_ref(item, to)}
        if await job.move((S.RUNNING,), None, "progress", progress, extra, session=session) is None:
            await session.rollback()  # the job ended meanwhile (canceled, failed): leave its items alone
            return
        await commit(session, job.env.redis)


async def _finish(job: Job, items: list[MeshItem]) -> None:
    if any(i.status == I.SUCCEEDED for i in items):
        await job.move((S.RUNNING,), S.SUCCEEDED, "succeeded", {"progress": 1.0})
        return
    codes = {i.error_code for i in items if i.error_code}
    code = codes.pop() if len(codes) == 1 else "all_items_failed"
    message = f"All {len(items)} item(s) failed; see each item's error."
    await job.move((S.RUNNING,), S.FAILED, "failed", {"progress": 1.0, "error_code": code, "error_message": message})


def delivered_items(row: Any) -> ColumnElement[int]:
    """What a succeeded mesh job is charged for: its items that succeeded (the others are refunded)."""
    succeeded = select(func.count()).where(MeshItem.mesh_job_id == row.id, MeshItem.status == I.SUCCEEDED)
    return succeeded.scalar_subquery()


MESH = JobKind(
    name=KIND_NAME,
    model=MeshJob,
    statuses=S,
    started=S.RUNNING,
    cancelable=frozenset({S.QUEUED, S.RUNNING}),
    serialize=serialize,
    steps=MeshSteps(),
    # Poll often while requests are young, then back off as they run long.
    poll=PollPolicy(first=lambda settings: settings.provider_poll_interval, growth=0.1),
    find_request=find_item_request,
    delivered=delivered_items,
)

"""The mesh pipeline (worker side): one job step drives the whole batch, a few provider requests at a time.

Each step (see ``shared.jobs.runner``: claimed under a lease, safe to repeat) does, in order:

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
backoff; non-retryable ones end only the item concerned.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import func, select, update

from shared.db import utcnow
from shared.fal.errors import PROVIDER_FAILED, ProviderError
from shared.jobs.env import JobEnv
from shared.jobs.files import copy_url_to_storage
from shared.jobs.registry import TERMINAL, JobKind, register
from shared.jobs.runner import progress_value, transition
from shared.meshes.schemas import MESH_FILE_KINDS, MeshOptions
from shared.meshes.service import CANCELABLE, ENDPOINT, ITEM_ENDED, KIND_NAME, output_key, serialize
from shared.models import MeshItem, MeshJob
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


async def _load(env: JobEnv, job_id: str) -> tuple[MeshJob | None, list[MeshItem]]:
    async with env.sessionmaker() as session:
        row = await session.get(MeshJob, job_id)
        if row is None:
            return None, []
        items = (
            await session.scalars(select(MeshItem).where(MeshItem.mesh_job_id == job_id).order_by(MeshItem.index))
        ).all()
        return row, list(items)


async def advance(env: JobEnv, job_id: str) -> float | None:
    row, items = await _load(env, job_id)
    if row is None or row.status in TERMINAL:
        return None
    if row.cancel_requested_at is not None:
        await _cancel(env, row, items)
        return None
    if row.status == "queued":
        async with env.sessionmaker() as session:
            moved = await transition(
                session,
                env,
                KIND,
                row.id,
                from_statuses=("queued",),
                to="running",
                event="started",
                values={"started_at": utcnow()},
            )
            await commit(session, env.redis)
        if moved is None:
            return 0.0
    endpoint = row.provider_endpoint or ENDPOINT
    options = MeshOptions.model_validate(row.options)

    for item in items:
        if item.status == "running" and item.provider_request_id:
            await _poll_item(env, row, endpoint, item)

    _, items = await _load(env, job_id)
    free = env.settings.mesh_concurrency - sum(1 for i in items if i.status == "running")
    for item in [i for i in items if i.status == "queued" and not i.provider_request_id][: max(0, free)]:
        await _submit_item(env, row, endpoint, options, item)

    _, items = await _load(env, job_id)
    if all(i.status in ITEM_ENDED for i in items):
        await _finish(env, row, items)
        return None
    return _interval(env, items)


def _interval(env: JobEnv, items: list[MeshItem]) -> float:
    """Poll often while requests are young, then back off (up to the max) as they run long."""
    base = env.settings.provider_poll_interval
    started = [i.started_at for i in items if i.status == "running" and i.started_at is not None]
    if not started:
        return base
    young = (utcnow() - max(started)).total_seconds()
    return float(min(env.settings.provider_poll_max_interval, max(base, young / 10)))


async def _submit_item(env: JobEnv, row: MeshJob, endpoint: str, options: MeshOptions, item: MeshItem) -> None:
    url = await env.storage.signed_url(item.input_key, INPUT_URL_TTL)
    try:
        request_id = await env.provider.submit(endpoint, provider_arguments(options, url))
    except ProviderError as exc:
        if exc.retryable:
            raise
        await _end_item(env, row, item, ("queued",), "failed", error=(exc.code, exc.message))
        return
    # Persist the request id at once: from here on a repeated step polls it instead of resubmitting.
    async with env.sessionmaker() as session:
        moved = (
            await session.execute(
                update(MeshItem)
                .where(MeshItem.id == item.id, MeshItem.status == "queued", MeshItem.provider_request_id.is_(None))
                .values(status="running", provider_request_id=request_id, started_at=utcnow())
                .returning(MeshItem.id)
            )
        ).scalar_one_or_none()
        if moved is None:
            log.warning("mesh_item_moved_during_submit", item_id=item.id, request_id=request_id)
            await session.rollback()
            return
        await transition(
            session,
            env,
            KIND,
            row.id,
            from_statuses=("running",),
            to=None,
            event="progress",
            extra={"message": f"{item.filename}: submitted", "item": _item_ref(item, "running")},
        )
        await commit(session, env.redis)


async def _poll_item(env: JobEnv, row: MeshJob, endpoint: str, item: MeshItem) -> None:
    assert item.provider_request_id
    try:
        status = await env.provider.status(endpoint, item.provider_request_id, with_logs=False)
        if status.state != "completed":
            return
        result = await env.provider.result(endpoint, item.provider_request_id)
        files = await _copy_outputs(env, row, item, result)
    except ProviderError as exc:
        if exc.retryable:
            raise
        await _end_item(env, row, item, ("running",), "failed", error=(exc.code, exc.message))
        return
    if not any(f["kind"] != "rendered_image" for f in files):
        await _end_item(
            env, row, item, ("running",), "failed", error=(PROVIDER_FAILED, "The provider returned no mesh.")
        )
        return
    await _end_item(env, row, item, ("running",), "succeeded", files=files)


async def _copy_outputs(env: JobEnv, row: MeshJob, item: MeshItem, result: dict[str, Any]) -> list[dict[str, Any]]:
    http = env.http
    assert http is not None
    files: list[dict[str, Any]] = []
    for kind in MESH_FILE_KINDS:
        meta = result.get(kind)
        if not isinstance(meta, dict) or not isinstance(meta.get("url"), str):
            continue
        ext, content_type = file_type(kind, meta)
        key = output_key(row.owner_id, row.id, item.index, kind, ext)
        stored = await copy_url_to_storage(http, env.storage, meta["url"], key, content_type)
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
    env: JobEnv,
    row: MeshJob,
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
    async with env.sessionmaker() as session:
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
            .where(MeshItem.mesh_job_id == row.id, MeshItem.status.in_(ITEM_ENDED))
        )
        message = f"{item.filename}: {to}" + (f" ({error[0]})" if error else "")
        job = await transition(
            session,
            env,
            KIND,
            row.id,
            from_statuses=("running",),
            to=None,
            event="progress",
            values={"progress": progress_value(MeshJob, (ended or 0) / max(1, row.item_count))},
            extra={"message": message, "item": _item_ref(item, to)},
        )
        if job is None:  # the job ended meanwhile (canceled, failed): leave its items alone
            await session.rollback()
            return
        await commit(session, env.redis)


async def _finish(env: JobEnv, row: MeshJob, items: list[MeshItem]) -> None:
    succeeded = sum(1 for i in items if i.status == "succeeded")
    async with env.sessionmaker() as session:
        if succeeded:
            await transition(
                session,
                env,
                KIND,
                row.id,
                from_statuses=("running",),
                to="succeeded",
                event="succeeded",
                values={"progress": 1.0},
            )
        else:
            codes = {i.error_code for i in items if i.error_code}
            code = codes.pop() if len(codes) == 1 else "all_items_failed"
            await transition(
                session,
                env,
                KIND,
                row.id,
                from_statuses=("running",),
                to="failed",
                event="failed",
                values={
                    "progress": 1.0,
                    "error_code": code,
                    "error_message": f"All {len(items)} item(s) failed; see each item's error.",
                },
            )
        await commit(session, env.redis)


async def _cancel(env: JobEnv, row: MeshJob, items: list[MeshItem]) -> None:
    endpoint = row.provider_endpoint or ENDPOINT
    for item in items:
        if item.status == "running" and item.provider_request_id:
            try:
                answer = await env.provider.cancel(endpoint, item.provider_request_id)
                log.info("provider_cancel", mesh_id=row.id, item_id=item.id, answer=answer)
            except ProviderError as exc:
                if exc.retryable:
                    raise
                log.warning("provider_cancel_failed", mesh_id=row.id, item_id=item.id, code=exc.code)
    async with env.sessionmaker() as session:
        await session.execute(
            update(MeshItem)
            .where(MeshItem.mesh_job_id == row.id, MeshItem.status.in_(("queued", "running")))
            .values(status="canceled", finished_at=utcnow())
        )
        done = await transition(
            session, env, KIND, row.id, from_statuses=CANCELABLE, to="canceled", event="canceled", values={}
        )
        if done is None:
            await session.rollback()
            return
        await commit(session, env.redis)


KIND: JobKind = register(JobKind(name=KIND_NAME, model=MeshJob, serialize=serialize, advance=advance))

"""The generation pipeline (worker side), one short idempotent step at a time.

queued → running (submit to the model's generation endpoint — for a LoRA model with
``loras: [{path: <signed URL of our weights>, scale}]`` — and persist the request id at once) → poll the
status in short self-rescheduling steps (first at ``generation_poll_interval``, slower for long requests) →
on completion fetch the result (a failed request → ``failed`` with the provider error code), copy every
output image into ``owners/{owner}/generations/{gen}/{n}.{ext}``, check it decodes, make
``{n}.thumb.webp``, insert the image rows → succeeded. Every step re-reads the row and is safe to repeat:
copies are keyed deterministically, image rows are ``ON CONFLICT DO NOTHING`` and state changes are
conditional. Retries, leases and crash recovery are the shared mechanism's (``shared.jobs.runner``).

Cancel works while ``queued`` or ``running`` (the provider is asked to cancel). A cancel that lands while
the outputs are being copied still wins: the copies are deleted and the generation ends ``canceled``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from PIL import Image
from sqlalchemy.dialects.postgresql import insert

from shared.db import utcnow
from shared.fal.errors import PROVIDER_FAILED, ProviderError
from shared.generations.service import serialize
from shared.ids import new_id
from shared.imaging import make_thumbnail
from shared.jobs.env import JobEnv
from shared.jobs.files import copy_url_to_storage
from shared.jobs.registry import JobKind, register
from shared.jobs.runner import transition
from shared.models import Generation, GenerationImage
from shared.queue import commit
from shared.storage import ObjectExists, StoredObject

log = structlog.get_logger("generations")
CANCELABLE = ("queued", "running")
LORA_URL_TTL = timedelta(hours=6)  # the provider may queue the request for a while before fetching
THUMBNAIL_SIDE = 256
_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


def prefix(row: Generation) -> str:
    return f"owners/{row.owner_id}/generations/{row.id}/"


def provider_arguments(row: Generation, lora_url: str | None) -> dict[str, Any]:
    params = row.params
    args: dict[str, Any] = {
        "prompt": row.prompt,
        "image_size": params["image_size"],
        "num_images": params["num_images"],
        "guidance_scale": params["guidance_scale"],
        "num_inference_steps": params["num_inference_steps"],
        "output_format": params["output_format"],
        "enable_safety_checker": params["enable_safety_checker"],
    }
    if params.get("seed") is not None:
        args["seed"] = params["seed"]
    if lora_url is not None:
        args["loras"] = [{"path": lora_url, "scale": params.get("lora_scale") or 0.0}]
    return args


def poll_delay(env: JobEnv, row: Generation) -> float:
    """Snappy at first (``generation_poll_interval``), then a fifth of the time spent so far, capped."""
    base = env.settings.generation_poll_interval
    started = row.started_at or row.created_at
    elapsed = max(0.0, (utcnow() - started).total_seconds()) if started else 0.0
    return min(env.settings.provider_poll_max_interval, max(base, elapsed / 5))


async def _load(env: JobEnv, job_id: str) -> Generation | None:
    async with env.sessionmaker() as session:
        return await session.get(Generation, job_id)


async def advance(env: JobEnv, job_id: str) -> float | None:
    row = await _load(env, job_id)
    if row is None or row.status in ("succeeded", "failed", "canceled"):
        return None
    if row.cancel_requested_at is not None and row.status in CANCELABLE:
        await _cancel(env, row)
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
        row = moved
    if row.provider_request_id is None:
        await _submit(env, row)
        return env.settings.generation_poll_interval
    return await _poll(env, row)


async def _submit(env: JobEnv, row: Generation) -> None:
    lora_key = (row.result or {}).get("lora_key")
    lora_url = await env.storage.signed_url(lora_key, LORA_URL_TTL) if lora_key else None
    webhook = "/v1/provider-webhooks/fal" if env.settings.fal_webhooks_enabled else None
    request_id = await env.provider.submit(
        row.provider_endpoint or "", provider_arguments(row, lora_url), webhook_url=webhook
    )
    # Persist the request id before anything else can fail: a repeated step must never resubmit.
    async with env.sessionmaker() as session:
        moved = await transition(
            session,
            env,
            KIND,
            row.id,
            from_statuses=("running",),
            to=None,
            event=None,
            values={"provider_request_id": request_id},
        )
        await commit(session, env.redis)
    if moved is None:
        log.warning("generation_moved_during_submit", generation_id=row.id, request_id=request_id)


async def _poll(env: JobEnv, row: Generation) -> float | None:
    assert row.provider_request_id and row.provider_endpoint
    status = await env.provider.status(row.provider_endpoint, row.provider_request_id, with_logs=False)
    if status.state != "completed":
        return poll_delay(env, row)
    # Fal reports failures as COMPLETED; the result fetch says which (retryable errors go to the mechanism).
    try:
        result = await env.provider.result(row.provider_endpoint, row.provider_request_id)
    except ProviderError as exc:
        if exc.retryable:
            raise
        await _fail(env, row, exc.code, exc.message)
        return None
    outputs = result.get("images")
    if not isinstance(outputs, list) or not outputs or not all(isinstance(o, dict) and o.get("url") for o in outputs):
        await _fail(env, row, PROVIDER_FAILED, "The provider returned no images.")
        return None
    nsfw = result.get("has_nsfw_concepts") or []
    stored = await asyncio.gather(*(_store_image(env, row, n, o) for n, o in enumerate(outputs)))
    seed = result.get("seed")
    async with env.sessionmaker() as session:
        # the row lock orders this against an API cancel (which locks the row too)
        current = await session.get(Generation, row.id, with_for_update=True, populate_existing=True)
        canceled = current is not None and current.cancel_requested_at is not None
        if current is None or current.status != "running" or canceled:
            await session.rollback()
            if canceled:
                await _cancel(env, row)
            return None
        await session.execute(
            insert(GenerationImage)
            .values(
                [
                    {
                        "id": new_id("generation_image"),
                        "generation_id": row.id,
                        "index": n,
                        "storage_key": image["key"],
                        "thumbnail_key": image["thumbnail_key"],
                        "width": image["width"],
                        "height": image["height"],
                        "content_type": image["content_type"],
                        "size_bytes": image["size"],
                        "sha256": image["sha256"],
                        "nsfw": bool(nsfw[n]) if n < len(nsfw) else False,
                    }
                    for n, image in enumerate(stored)
                ]
            )
            .on_conflict_do_nothing(index_elements=["generation_id", "index"])
        )
        await transition(
            session,
            env,
            KIND,
            row.id,
            from_statuses=("running",),
            to="succeeded",
            event="succeeded",
            values={
                "seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else row.seed,
                "result": {**(row.result or {}), "timings": result.get("timings")},
            },
        )
        await commit(session, env.redis)
    return None


async def _store_image(env: JobEnv, row: Generation, n: int, output: dict[str, Any]) -> dict[str, Any]:
    """Copy output ``n`` into storage (streamed), check it decodes, make its thumbnail. Safe to repeat."""
    http = env.http
    assert http is not None
    fmt = row.params.get("output_format", "jpeg")
    declared, ext = ("image/png", "png") if fmt == "png" else ("image/jpeg", "jpg")
    key = f"{prefix(row)}{n}.{ext}"
    thumb_key = f"{prefix(row)}{n}.thumb.webp"
    obj = await copy_url_to_storage(http, env.storage, str(output["url"]), key, declared)
    tmp_dir = env.settings.tmp_dir
    await asyncio.to_thread(tmp_dir.mkdir, parents=True, exist_ok=True)
    fd, name = await asyncio.to_thread(tempfile.mkstemp, dir=tmp_dir, prefix=f"{row.id}-{n}-")
    os.close(fd)
    src, thumb = Path(name), Path(name + ".thumb.webp")
    try:
        await env.storage.download_to(key, src)
        try:
            width, height, pil_format = await asyncio.to_thread(_inspect, src)
            if await env.storage.stat(thumb_key) is None:
                await asyncio.to_thread(make_thumbnail, src, thumb, THUMBNAIL_SIDE)
        except Exception as exc:  # any decoder error: the provider sent no usable image
            await env.storage.delete(key)
            raise ProviderError(PROVIDER_FAILED, f"Output image {n} does not decode: {exc}", False) from exc
        if await env.storage.stat(thumb_key) is None:
            with contextlib.suppress(ObjectExists):
                await env.storage.put_file(thumb_key, thumb, "image/webp")
    finally:
        for path in (src, thumb):
            with contextlib.suppress(OSError):
                await asyncio.to_thread(path.unlink)
    content_type = _FORMATS[pil_format][0]
    return _image_record(obj, thumb_key, width, height, content_type)


def _image_record(obj: StoredObject, thumb_key: str, width: int, height: int, content_type: str) -> dict[str, Any]:
    return {
        "key": obj.key,
        "thumbnail_key": thumb_key,
        "width": width,
        "height": height,
        "content_type": content_type,
        "size": obj.size,
        "sha256": obj.sha256,
    }


def _inspect(path: Path) -> tuple[int, int, str]:
    """Fully decode the image (Pillow's default pixel limit applies); return width, height, format."""
    with Image.open(path, formats=tuple(_FORMATS)) as im:
        im.load()
        assert im.format is not None
        return im.width, im.height, im.format


async def _fail(env: JobEnv, row: Generation, code: str, message: str) -> None:
    async with env.sessionmaker() as session:
        await transition(
            session,
            env,
            KIND,
            row.id,
            from_statuses=("running",),
            to="failed",
            event="failed",
            values={"error_code": code, "error_message": message},
        )
        await commit(session, env.redis)


async def _cancel(env: JobEnv, row: Generation) -> None:
    if row.provider_request_id and row.provider_endpoint:
        try:
            answer = await env.provider.cancel(row.provider_endpoint, row.provider_request_id)
            log.info("provider_cancel", generation_id=row.id, answer=answer)
        except ProviderError as exc:
            if exc.retryable:
                raise
            log.warning("provider_cancel_failed", generation_id=row.id, code=exc.code)
    async with env.sessionmaker() as session:
        done = await transition(
            session, env, KIND, row.id, from_statuses=CANCELABLE, to="canceled", event="canceled", values={}
        )
        await commit(session, env.redis)
    if done is not None:
        await env.storage.delete_prefix(prefix(row))


KIND: JobKind = register(JobKind(name="generation", model=Generation, serialize=serialize, advance=advance))

"""The generation job kind (worker side): what generations do beyond the shared runner.

queued → running (submit to the mode's endpoint the provider input planned at creation
(``shared.generations.requests``) plus signed URLs of what it names in our storage: ``loras: [{path, scale}]``,
``image_url``, ``mask_url``; the runner persists the request id at once) → poll
the status in short self-rescheduling steps (first at ``generation_poll_interval``, then a fifth of the time
spent so far) → on completion fetch the result (a failed request → ``failed`` with the provider error code), copy every
output image into ``owners/{owner}/generations/{gen}/{n}.{ext}`` normalised like an upload, make
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

import httpx
from PIL import Image
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.fal.errors import PROVIDER_FAILED, PROVIDER_UNAVAILABLE, ProviderError
from shared.generations.service import WRITTEN_IMAGES, serialize
from shared.ids import new_id
from shared.imaging import make_thumbnail, process_with_thumbnail
from shared.jobs.env import JobEnv
from shared.jobs.registry import JobKind, PollPolicy
from shared.jobs.steps import Job, ProviderSteps
from shared.models import Generation, GenerationImage
from shared.models.jobs import GenerationStatus as S
from shared.queue import commit
from shared.storage import ObjectExists, StoredObject
from shared.uploads import image_limits

LORA_URL_TTL = timedelta(hours=6)  # the provider may queue the request for a while before fetching
CANCELABLE = frozenset({S.QUEUED, S.RUNNING})
THUMBNAIL_SIDE = 256
_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


def prefix(row: Generation) -> str:
    return f"owners/{row.owner_id}/generations/{row.id}/"


def provider_arguments(row: Generation, lora_url: str | None) -> dict[str, Any]:
    """The input of a row queued before modes existed (FLUX text-to-image, at most one LoRA)."""
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


class GenerationSteps(ProviderSteps):
    async def arguments(self, job: Job) -> dict[str, Any]:
        state = job.row.result or {}
        if "arguments" not in state:  # a row queued before modes existed
            lora_key = state.get("lora_key")
            lora_url = await job.env.storage.signed_url(lora_key, LORA_URL_TTL) if lora_key else None
            return provider_arguments(job.row, lora_url)
        sign = job.env.storage.signed_url
        args: dict[str, Any] = {"prompt": job.row.prompt, **state["arguments"]}
        if state.get("loras"):
            args["loras"] = [
                {"path": await sign(lo["key"], LORA_URL_TTL), "scale": lo["scale"]} for lo in state["loras"]
            ]
        if state.get("image_key"):
            args["image_url"] = await sign(state["image_key"], LORA_URL_TTL)
        if state.get("mask_key"):
            args["mask_url"] = await sign(state["mask_key"], LORA_URL_TTL)
        return args

    async def collect(self, job: Job, result: dict[str, Any]) -> float | None:
        row: Generation = job.row
        outputs = result.get("images")
        if (
            not isinstance(outputs, list)
            or not outputs
            or not all(isinstance(o, dict) and o.get("url") for o in outputs)
        ):
            await job.fail(PROVIDER_FAILED, "The provider returned no images.")
            return None
        nsfw = [bool(flag) for flag in (result.get("has_nsfw_concepts") or [])][: len(outputs)]
        nsfw += [False] * (len(outputs) - len(nsfw))
        withhold = bool((row.result or {}).get("withhold_nsfw"))  # the owner's policy when the job was created
        kept = [n for n in range(len(outputs)) if not (withhold and nsfw[n])]
        loop = asyncio.get_running_loop()
        described: list[asyncio.Future[dict[str, Any]]] = [loop.create_future() for _ in kept]
        # Each copy is described (size, digest, dimensions) once made, before it is stored: the transaction runs
        # while the copies are written, and commits only once they all are.
        made = (_store_image(job.env, row, n, outputs[n], d) for n, d in zip(kept, described, strict=True))
        copies = asyncio.ensure_future(asyncio.gather(*made))
        moved = False
        try:
            stored = await _when_described(described, copies)
            async with job.env.sessionmaker() as session:
                by_index = dict(zip(kept, stored, strict=True))
                rows = [
                    _image_row(row, n, by_index[n], nsfw[n]) if n in by_index else _withheld_row(row, n)
                    for n in range(len(outputs))
                ]
                await session.execute(
                    insert(GenerationImage)
                    .values(rows)
                    .on_conflict_do_nothing(index_elements=["generation_id", "index"])
                )
                # the rows are exactly these (a conflict means an earlier attempt committed, and then the move
                # below finds the job succeeded and nothing commits): the event is rendered without reading them
                session.info[WRITTEN_IMAGES] = {row.id: [GenerationImage(**r) for r in rows]}
                moved = await self._finish(job, session, result)
                if moved:
                    await copies  # every copy is in storage before the job says so
                    await commit(session, job.env.redis)
                else:
                    await session.rollback()
        finally:
            await asyncio.gather(copies, return_exceptions=True)  # whatever happened, no copy is left running
        if not moved:
            async with job.env.sessionmaker() as session:
                current = await session.get(Generation, row.id)
            if current is not None and current.status in CANCELABLE and current.cancel_requested_at is not None:
                await job.cancel()  # a cancel that lands while the outputs are copied still wins
        return None

    async def _finish(self, job: Job, session: AsyncSession, result: dict[str, Any]) -> bool:
        """The move to ``succeeded`` (with its event), in ``session``; False when a cancel was recorded or the job
        moved on meanwhile. Conditional on no cancel: an API cancel locks the row, so this UPDATE waits for it and
        then sees it."""
        row: Generation = job.row
        seed = result.get("seed")
        values = {
            "seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else row.seed,
            "result": {**(row.result or {}), "timings": result.get("timings")},
        }
        moved = await job.move(
            (S.RUNNING,), S.SUCCEEDED, "succeeded", values, session=session, unless_cancel_requested=True
        )
        return moved is not None

    async def cleanup(self, job: Job) -> None:
        await job.env.storage.delete_prefix(prefix(job.row))


def _withheld_row(row: Generation, n: int) -> dict[str, Any]:
    """An output flagged NSFW under ``withhold_nsfw_images``: never copied, nothing stored, not charged."""
    empty = ("storage_key", "thumbnail_key", "width", "height", "content_type", "size_bytes", "sha256")
    return {
        "id": new_id("generation_image"),
        "generation_id": row.id,
        "index": n,
        **dict.fromkeys(empty),
        "nsfw": True,
        "withheld": True,
    }


def delivered_images(row: Any) -> ColumnElement[int]:
    """What a succeeded generation is charged for: the images it stored (withheld ones are refunded)."""
    stored = select(func.count()).where(GenerationImage.generation_id == row.id, GenerationImage.withheld.is_(False))
    return stored.scalar_subquery()


def _image_row(row: Generation, n: int, image: dict[str, Any], nsfw: bool) -> dict[str, Any]:
    return {
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
        "nsfw": nsfw,
        "withheld": False,
    }


async def _store_image(
    env: JobEnv, row: Generation, n: int, output: dict[str, Any], described: asyncio.Future[dict[str, Any]]
) -> dict[str, Any]:
    """Copy output ``n`` into storage through the upload pipeline's normalisation (decoded, upright, no
    metadata: what a dataset image is, so the copy can join a dataset byte for byte), make its thumbnail.
    ``described`` gets the image row's values as soon as the copy is made, before it is stored; returns them
    once it is. Safe to repeat: keys are deterministic and an existing object is the copy an earlier attempt
    made."""
    fmt = row.params.get("output_format", "jpeg")
    key = f"{prefix(row)}{n}.{'png' if fmt == 'png' else 'jpg'}"
    thumb_key = f"{prefix(row)}{n}.thumb.webp"
    limits = image_limits(env.settings)
    # The first attempt (nothing stored yet) needs the download: it starts while storage is asked.
    download = asyncio.ensure_future(_download(env, str(output["url"]), limits.max_file_bytes, n))
    src, dst, thumb = await asyncio.to_thread(_temp_paths, env.settings.tmp_dir, f"{row.id}-{n}-")
    try:
        obj = await env.storage.stat(key)
        if obj is None:
            # The normalised copy and the thumbnail are made from the download, held in memory, with one decode;
            # what process_with_thumbnail measured is what is stored.
            data = await download
            try:
                processed = await asyncio.to_thread(process_with_thumbnail, data, dst, limits, thumb, THUMBNAIL_SIDE)
            except Exception as exc:  # any decoder error: the provider sent no usable image
                raise ProviderError(PROVIDER_FAILED, f"Output image {n} is not usable: {exc}", False) from exc
            made = StoredObject(key, processed.size_bytes, processed.sha256, processed.content_type)
            record = _image_record(made, thumb_key, processed.width, processed.height, processed.content_type)
            described.set_result(record)
            stored, _ = await asyncio.gather(
                _put(env, key, dst, processed.content_type), _put_if_absent(env, thumb_key, thumb, "image/webp")
            )
            if (stored.size, stored.sha256) != (made.size, made.sha256):
                # an object another attempt stored differs from this copy: the next step describes what is stored
                raise RuntimeError(f"{key} in storage is not the copy this step made")
            return record
        download.cancel()
        # A repeated step: an earlier attempt stored the copy; describe it from what is stored.
        await env.storage.download_to(key, src)
        width, height, pil_format = await asyncio.to_thread(_inspect, src)
        if await env.storage.stat(thumb_key) is None:
            await asyncio.to_thread(make_thumbnail, src, thumb, THUMBNAIL_SIDE)
            await _put_if_absent(env, thumb_key, thumb, "image/webp")
    finally:
        if not download.done():
            download.cancel()
        await asyncio.gather(download, return_exceptions=True)
        await asyncio.to_thread(_unlink, src, dst, thumb)
    record = _image_record(obj, thumb_key, width, height, _FORMATS[pil_format][0])
    described.set_result(record)
    return record


async def _when_described(
    described: list[asyncio.Future[dict[str, Any]]], copies: asyncio.Future[list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Every copy's description, as soon as all are made; the first error of the copies if one fails first."""
    for future in described:
        pending: set[asyncio.Future[Any]] = {future, copies}
        await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if not future.done():
            copies.result()  # raises the copy's error (a copy that returned has described itself)
    return [future.result() for future in described]


def _temp_paths(tmp_dir: Path, prefix: str) -> tuple[Path, Path, Path]:
    """A fresh temp name (its own file, for a stored copy read back) and two siblings for what is made from it."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix=prefix)
    os.close(fd)
    return Path(name), Path(name + ".img"), Path(name + ".thumb.webp")


def _unlink(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


async def _put(env: JobEnv, key: str, path: Path, content_type: str) -> StoredObject:
    """Store ``path`` at ``key`` (create-only); an object already there is the same copy an earlier attempt made."""
    try:
        return await env.storage.put_file(key, path, content_type, consume=True)
    except ObjectExists:
        obj = await env.storage.stat(key)
        assert obj is not None
        return obj


async def _put_if_absent(env: JobEnv, key: str, path: Path, content_type: str) -> None:
    with contextlib.suppress(ObjectExists):
        await env.storage.put_file(key, path, content_type, consume=True)


async def _download(env: JobEnv, url: str, max_bytes: int, n: int) -> bytes:
    """A provider's output image, into memory: at most ``max_bytes`` (the limit an upload is held to, which
    the copy must meet anyway); errors mapped like ``copy_url_to_storage``'s."""
    http = env.http
    assert http is not None
    try:
        async with http.stream("GET", url) as response:
            if response.status_code >= 400:
                code = PROVIDER_UNAVAILABLE if response.status_code >= 500 else PROVIDER_FAILED
                raise ProviderError(
                    code, f"provider file answered {response.status_code}", code == PROVIDER_UNAVAILABLE
                )
            body = bytearray()
            async for chunk in response.aiter_bytes(1024 * 1024):
                body += chunk
                if len(body) > max_bytes:
                    message = f"Output image {n} is not usable: it is larger than {max_bytes:,} bytes."
                    raise ProviderError(PROVIDER_FAILED, message, False)
            return bytes(body)
    except httpx.TransportError as exc:
        raise ProviderError(PROVIDER_UNAVAILABLE, f"could not download provider file: {exc!r}", True) from exc


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


GENERATION = JobKind(
    name="generation",
    model=Generation,
    statuses=S,
    started=S.RUNNING,
    cancelable=CANCELABLE,
    serialize=serialize,
    steps=GenerationSteps(),
    # Follows Fal's status stream; polled (when streaming is off): snappy at first (fal-client's own 0.1 s),
    # then a fifth of the time spent so far.
    poll=PollPolicy(first=lambda settings: settings.generation_poll_interval, growth=0.2, stream=True),
    delivered=delivered_images,
)

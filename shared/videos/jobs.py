"""The video job kind (worker side): what videos do beyond the shared runner.

queued → running (submit ``image_url`` — a signed URL of the referenced image — and the params to the
model's endpoint; the runner persists the request id at once) → poll → on completion copy the MP4 into
``owners/{owner}/videos/{id}/video.mp4``, decode it (PyAV) to count its frames and read its size, store its
first frame as ``poster.webp`` → succeeded. Every step is safe to repeat: keys are deterministic, an
existing object is the copy an earlier attempt made, and state changes are conditional. A cancel that lands
while copying still wins (the copies are deleted).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from datetime import timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from shared.fal.errors import PROVIDER_FAILED, ProviderError
from shared.jobs.files import copy_url_to_storage
from shared.jobs.registry import JobKind, PollPolicy
from shared.jobs.steps import Job, ProviderSteps
from shared.models import Video
from shared.models.videos import VideoStatus as S
from shared.queue import commit
from shared.storage import ObjectExists
from shared.videos.service import KIND_NAME, serialize

IMAGE_URL_TTL = timedelta(hours=6)  # the provider may queue the request for a while before fetching
CANCELABLE = frozenset({S.QUEUED, S.RUNNING})
POSTER_SIDE = 1024


def prefix(row: Video) -> str:
    return f"owners/{row.owner_id}/videos/{row.id}/"


def probe(path: Path, poster: Path) -> dict[str, Any]:
    """Decode every frame of the MP4 at ``path`` (so a broken file is caught here), write the first one to
    ``poster`` as WebP; return its size, frame count and frame rate."""
    import av  # imported on use: only the worker decodes videos

    frames = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or Fraction(0)
        width, height = stream.codec_context.width, stream.codec_context.height
        for frame in container.decode(stream):
            if frames == 0:
                image = frame.to_image()  # type: ignore[no-untyped-call]
                image.thumbnail((POSTER_SIDE, POSTER_SIDE))
                image.save(poster, "WEBP", quality=85)
            frames += 1
    if frames == 0:
        raise ValueError("the video has no frames")
    fps = float(rate)
    return {
        "width": width,
        "height": height,
        "frames": frames,
        "fps": fps,
        "duration_s": round(frames / fps, 4) if fps else 0.0,
    }


class VideoSteps(ProviderSteps):
    async def arguments(self, job: Job) -> dict[str, Any]:
        row: Video = job.row
        url = await job.env.storage.signed_url(row.image_key, IMAGE_URL_TTL)
        return {"image_url": url, **{k: v for k, v in row.params.items() if v is not None}}

    async def collect(self, job: Job, result: dict[str, Any]) -> float | None:
        row: Video = job.row
        output = result.get("video")
        if not isinstance(output, dict) or not output.get("url"):
            await job.fail(PROVIDER_FAILED, "The provider returned no video.")
            return None
        stored = await _store(job, row, str(output["url"]))
        async with job.env.sessionmaker() as session:
            # the row lock orders this against an API cancel (which locks the row too)
            current = await session.get(Video, row.id, with_for_update=True, populate_existing=True)
            canceled = current is not None and current.cancel_requested_at is not None
            if current is None or current.status != S.RUNNING or canceled:
                await session.rollback()
                if canceled:
                    await job.cancel()
                return None
            seed = result.get("seed")
            values = {"video": stored, "seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else None}
            await job.move((S.RUNNING,), S.SUCCEEDED, "succeeded", values, session=session)
            await commit(session, job.env.redis)
        return None

    async def cleanup(self, job: Job) -> None:
        await job.env.storage.delete_prefix(prefix(job.row))


async def _store(job: Job, row: Video, url: str) -> dict[str, Any]:
    """Copy the MP4, check it decodes, store its poster. Safe to repeat."""
    env = job.env
    assert env.http is not None
    key, poster_key = f"{prefix(row)}video.mp4", f"{prefix(row)}poster.webp"
    obj = await copy_url_to_storage(env.http, env.storage, url, key, "video/mp4")
    tmp_dir = env.settings.tmp_dir
    await asyncio.to_thread(tmp_dir.mkdir, parents=True, exist_ok=True)
    fd, name = await asyncio.to_thread(tempfile.mkstemp, dir=tmp_dir, prefix=f"{row.id}-")
    os.close(fd)
    src, poster = Path(name), Path(name + ".webp")
    try:
        await env.storage.download_to(key, src)
        try:
            info = await asyncio.to_thread(probe, src, poster)
        except Exception as exc:  # any decoder error: the provider sent no usable video
            await env.storage.delete(key)
            raise ProviderError(PROVIDER_FAILED, f"The video does not decode: {exc}", False) from exc
        if await env.storage.stat(poster_key) is None:
            with contextlib.suppress(ObjectExists):
                await env.storage.put_file(poster_key, poster, "image/webp", consume=True)
    finally:
        for path in (src, poster):
            with contextlib.suppress(OSError):
                await asyncio.to_thread(path.unlink)
    return {
        "key": key,
        "poster_key": poster_key,
        "content_type": "video/mp4",
        "size_bytes": obj.size,
        "sha256": obj.sha256,
        **info,
    }


VIDEO = JobKind(
    name=KIND_NAME,
    model=Video,
    statuses=S,
    started=S.RUNNING,
    cancelable=CANCELABLE,
    serialize=serialize,
    steps=VideoSteps(),
    # a video takes tens of seconds: start at a second, then a fifth of the time spent so far
    poll=PollPolicy(first=lambda settings: max(settings.generation_poll_interval, 0.5), growth=0.2),
)

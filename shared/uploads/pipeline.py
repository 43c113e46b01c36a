"""The one image upload pipeline: per-file validation and normalisation for every route that takes photos.

Each :class:`Upload` (one :class:`~shared.uploads.incoming.IncomingFile` and what became of it) goes through
:func:`shared.imaging.process_image` in a worker: a process of the API's warm pool, or a thread
(:mod:`shared.uploads.workers`). The process-wide :class:`~shared.uploads.workers.ImageWorkers`
(``api.uploads.LimiterDep``, one slot per core) bounds how many run at once across all requests, so
the event loop stays responsive; after each file the freed pixel buffers are handed back to the OS. The
files of one request are processed concurrently; ``on_processed`` runs for each accepted file as soon as
it is ready (dataset uploads store it there, overlapping the processing of the next files). Results keep
the request order: callers decide in that order.

What is common stops at the single file (format, decoding, limits → a :class:`RejectedFile` with a stable
code) plus :class:`DuplicateFilter` and :func:`nothing_accepted`. Policy is layered on top by the caller:
duplicates against a dataset, the per-dataset cap and caption pairing (``shared.datasets.uploads``), one
item per photo (``shared.meshes.service``).

Normalised copies are temp files owned by the :class:`ImagePipeline`: ``async with`` deletes them all on
exit, whatever happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import uuid
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import anyio
import anyio.to_thread
import structlog

from shared.config import Settings
from shared.errors import ValidationFailed
from shared.imaging import ImageLimits, ImageRejected, ProcessedImage, process_image
from shared.uploads.incoming import IncomingFile
from shared.uploads.schemas import RejectedFile
from shared.uploads.workers import ImageLimiter, ImageWorkers, WorkerCrashed, release_memory

log = structlog.get_logger("shared.uploads")


def image_limits(settings: Settings) -> ImageLimits:
    return ImageLimits(
        max_pixels=settings.max_image_pixels,
        min_side=settings.min_image_side,
        max_file_bytes=settings.max_file_bytes,
    )


@dataclass(eq=False)
class Upload:
    """One incoming file and what became of it. Policy layers subclass it to carry their own state."""

    index: int  # position in the request
    file: IncomingFile
    image: ProcessedImage | None = None
    normalised: Path | None = None  # the normalised copy (deleted when the pipeline closes)
    rejection: RejectedFile | None = None

    @property
    def accepted(self) -> bool:
        """Processed and not (yet) refused by any rule."""
        return self.image is not None and self.rejection is None

    def reject(self, code: str, detail: str) -> None:
        self.rejection = RejectedFile(filename=self.file.display_name, code=code, detail=detail)


U = TypeVar("U", bound=Upload)


def _process_one(src: Path, dst: Path, limits: ImageLimits) -> ProcessedImage:
    try:
        return process_image(src, dst, limits)
    except BaseException:
        dst.unlink(missing_ok=True)
        raise
    finally:
        release_memory()


def _as_stored(image: ProcessedImage, path: Path) -> ProcessedImage:
    """``image`` describing the bytes of ``path`` (a verbatim file) instead of its re-encoding."""
    data = path.read_bytes()
    return dataclasses.replace(image, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())


class ImagePipeline:
    """Validate and normalise files in workers; ``async with`` owns the normalised copies."""

    def __init__(self, limits: ImageLimits, tmp_dir: Path, workers: ImageLimiter) -> None:
        self.limits = limits
        self.tmp_dir = tmp_dir
        self.workers = workers if isinstance(workers, ImageWorkers) else ImageWorkers(workers)
        self._copies: list[Path] = []
        self._early: dict[Path, tuple[asyncio.Future[ProcessedImage], Path]] = {}

    async def __aenter__(self) -> ImagePipeline:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        early, self._early = [task for task, _ in self._early.values()], {}
        if early:  # files started early that no run() took (a refused request): let them end, then delete
            with anyio.CancelScope(shield=True):
                await asyncio.gather(*early, return_exceptions=True)
        await self.discard_copies()

    def prefetch(self, file: IncomingFile) -> None:
        """Start processing ``file`` now, while the rest of the request body is still arriving (the workers
        would otherwise idle until the whole body is on disk); :meth:`run` takes the outcome. Sync on purpose:
        the multipart reader calls it as each file part is complete."""
        if file.verbatim or file.path in self._early:
            return
        dst = self.tmp_dir / f"normalised-{uuid.uuid4().hex}.img"
        self._copies.append(dst)
        task = asyncio.ensure_future(self.workers.run(_process_one, file.path, dst, self.limits))
        self._early[file.path] = (task, dst)

    async def run(self, uploads: Sequence[U], on_processed: Callable[[U], Awaitable[None]] | None = None) -> None:
        """Process every upload not refused yet, concurrently (bounded by the limiter); call
        ``on_processed`` for each accepted one as soon as it is ready."""
        todo = [u for u in uploads if u.rejection is None]
        if not todo:
            return
        await anyio.Path(self.tmp_dir).mkdir(parents=True, exist_ok=True)
        async with anyio.create_task_group() as tg:
            for upload in todo:
                tg.start_soon(self._one, upload, on_processed)

    async def _one(self, upload: U, on_processed: Callable[[U], Awaitable[None]] | None) -> None:
        early = self._early.pop(upload.file.path, None)
        if early is not None:
            task, dst = early
        else:
            task, dst = None, self.tmp_dir / f"normalised-{uuid.uuid4().hex}.img"
            self._copies.append(dst)  # whatever happens next (a cancelled request too), the copy is deleted
        try:
            if task is not None:
                with anyio.CancelScope(shield=True):  # as workers.run: the copy is known before anything else
                    image = await task
            else:
                image = await self.workers.run(_process_one, upload.file.path, dst, self.limits)
        except ImageRejected as exc:
            upload.reject(exc.code, exc.detail)
            return
        except MemoryError:
            upload.reject("image_too_large", "The image needs more memory to decode than this server allows.")
            return
        except WorkerCrashed:
            log.error("image_worker_crashed", filename=upload.file.display_name)
            upload.reject("corrupt_image", "The image could not be decoded (it crashed the decoder).")
            return
        except Exception:
            log.exception("image_processing_failed", filename=upload.file.display_name)
            upload.reject("corrupt_image", "The image could not be decoded.")
            return
        if upload.file.verbatim:
            dst = upload.file.path
            image = await anyio.to_thread.run_sync(_as_stored, image, dst)
        upload.image = image
        upload.normalised = dst
        if on_processed is not None:
            await on_processed(upload)

    async def discard_copies(self) -> None:
        """Delete every normalised copy made so far (shielded: also runs while being cancelled)."""
        paths, self._copies = self._copies, []
        if not paths:
            return

        def unlink_all() -> None:
            for p in paths:
                with contextlib.suppress(OSError):
                    p.unlink(missing_ok=True)

        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(unlink_all)


class DuplicateFilter:
    """Refuse, in request order, a file whose normalised copy equals one already ``known`` (e.g. in the
    dataset) or one of an earlier file that was :meth:`keep`-t. Compares the sha256 of the normalised copy,
    so the same photo with other metadata is still a duplicate."""

    def __init__(
        self,
        known: Collection[str] = frozenset(),
        *,
        known_detail: str = "The same image is already stored.",
        repeat_detail: str = "Same image as {first!r}, earlier in this upload.",
    ) -> None:
        self.known = known
        self.known_detail = known_detail
        self.repeat_detail = repeat_detail
        self.kept: dict[str, str] = {}  # sha256 -> display name of the file that keeps it

    def rejects(self, upload: Upload) -> bool:
        """Reject ``upload`` if it is a duplicate; ``True`` when it did."""
        assert upload.image is not None
        sha = upload.image.sha256
        if sha in self.known:
            upload.reject("duplicate_image", self.known_detail)
        elif sha in self.kept:
            upload.reject("duplicate_image", self.repeat_detail.format(first=self.kept[sha]))
        else:
            return False
        return True

    def keep(self, upload: Upload) -> None:
        assert upload.image is not None
        self.kept[upload.image.sha256] = upload.file.display_name

    def apply(self, uploads: Iterable[Upload]) -> None:
        """Keep the first of each image, refuse the later copies."""
        for upload in uploads:
            if upload.accepted and not self.rejects(upload):
                self.keep(upload)


def nothing_accepted(rejected: Sequence[RejectedFile], detail: str | None = None) -> ValidationFailed:
    """422 ``no_images_accepted`` listing why each file was refused (``no_files`` when none was sent)."""
    if not rejected:
        return ValidationFailed(
            "Send at least one image as a `files` part of a multipart/form-data body.",
            code="no_files",
            errors=[{"loc": ["body", "files"], "code": "missing", "detail": "No file was sent."}],
        )
    return ValidationFailed(
        detail or f"None of the {len(rejected)} uploaded file(s) was accepted; see `errors` for each file.",
        code="no_images_accepted",
        errors=[r.model_dump() for r in rejected],
    )

"""Datasets and images: CRUD and the upload pipeline (ARCHITECTURE §4 "Dataset", "Image"; §5 keys).

Services only ``flush()``; the route commits (``shared.queue.commit``) and only then deletes stored
objects of deleted rows (:func:`delete_objects`), so a rolled-back delete never loses an image.

Upload pipeline (:func:`upload_images`), per request:

1. **Look** (one short read, no lock): the dataset's current sha256 set and free room. A full dataset
   refuses every file (``dataset_full``) without spending CPU on it. The connection is then released:
   none is held while images are processed.
2. **Process and store**: every file goes through :func:`shared.imaging.process_image` in a worker
   thread; a process-wide :class:`anyio.CapacityLimiter` bounds how many run at once (the CPU count, so
   the event loop stays responsive). Each normalised copy is stored as soon as it is ready (overlapping
   the processing of the next files) under ``owners/{owner}/datasets/{ds}/images/{img}.{ext}`` — ids are
   ours, filenames never reach a key — unless it is already known to lose (a duplicate of an image in the
   dataset or of an earlier file of the request, or past the room seen in step 1).
3. **Commit point**: lock the dataset row ``FOR UPDATE`` (the same lock image deletes and training
   creation take), decide in request order against what is committed now — ``duplicate_image``
   (compared on the sha256 of the *stored* copy), ``dataset_full`` — delete the losers' objects, insert
   the rows and set ``image_count``/``total_bytes`` from the locked truth.

Whatever fails or is cancelled after something was stored deletes the objects this request stored (the
route does the same if the commit itself fails), so no orphan object survives a failed request.
"""

from __future__ import annotations

import contextlib
import ctypes
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import anyio
import anyio.to_thread
import structlog
from sqlalchemy import delete, func, select

from shared.config import Settings
from shared.datasets.schemas import (
    MAX_CAPTION_CHARS,
    DatasetCreate,
    DatasetOut,
    DatasetPatch,
    ImageOut,
    ImagePatch,
    RejectedFile,
)
from shared.errors import Conflict, ServiceUnavailable, ValidationFailed, not_found
from shared.ids import new_id
from shared.imaging import ImageLimits, ImageRejected, ProcessedImage, process_image
from shared.jobs.registry import TERMINAL
from shared.models import Dataset, Image, Training
from shared.scope import OwnerScope
from shared.storage import Storage

log = structlog.get_logger("shared.datasets")

IMAGE_FIELD = "files"
# Trainings read the dataset's images until their ZIP is stored (the "preparing" stage).
READS_IMAGES = ("queued", "preparing")
STORE_CONCURRENCY = 4


_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def checked_id(value: str, resource: str) -> str:
    """``value`` if it could be one of our ids, else the resource's 404 (never a query with a NUL byte)."""
    if not _ID.fullmatch(value):
        raise not_found(resource, value[:64])
    return value


def dataset_prefix(owner_id: str, dataset_id: str) -> str:
    return f"owners/{owner_id}/datasets/{dataset_id}/"


def image_key(owner_id: str, dataset_id: str, image_id: str, ext: str) -> str:
    return f"{dataset_prefix(owner_id, dataset_id)}images/{image_id}.{ext}"


def image_limits(settings: Settings) -> ImageLimits:
    return ImageLimits(
        max_pixels=settings.max_image_pixels,
        min_side=settings.min_image_side,
        max_file_bytes=settings.max_file_bytes,
    )


# ---------------------------------------------------------------------------------------------
# Serialisation
# ---------------------------------------------------------------------------------------------


def dataset_out(ds: Dataset) -> DatasetOut:
    return DatasetOut(
        id=ds.id,
        name=ds.name,
        description=ds.description,
        trigger_word=ds.trigger_word,
        kind=ds.kind,
        image_count=ds.image_count,
        total_bytes=ds.total_bytes,
        created_at=ds.created_at,
        updated_at=ds.updated_at,
    )


async def image_out(img: Image, storage: Storage, ttl: timedelta) -> ImageOut:
    return ImageOut(
        id=img.id,
        dataset_id=img.dataset_id,
        filename=img.filename,
        content_type=img.content_type,
        width=img.width,
        height=img.height,
        size_bytes=img.size_bytes,
        sha256=img.sha256,
        caption=img.caption,
        url=await storage.signed_url(img.storage_key, ttl),
        created_at=img.created_at,
    )


# ---------------------------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------------------------


async def create_dataset(scope: OwnerScope, body: DatasetCreate) -> Dataset:
    ds = Dataset(
        id=new_id("dataset"),
        owner_id=scope.owner_id,
        name=body.name,
        description=body.description or None,
        trigger_word=body.trigger_word,
        kind=body.kind,
        image_count=0,
        total_bytes=0,
    )
    scope.session.add(ds)
    await scope.session.flush()
    await scope.session.refresh(ds)
    return ds


async def update_dataset(scope: OwnerScope, dataset_id: str, body: DatasetPatch) -> Dataset:
    ds = await scope.get(Dataset, dataset_id, "dataset", for_update=True)
    sent = body.model_fields_set
    if "name" in sent:
        if body.name is None:
            raise ValidationFailed(
                "name cannot be null.",
                errors=[{"loc": ["body", "name"], "code": "null_not_allowed", "detail": "name cannot be null"}],
            )
        ds.name = body.name
    if "kind" in sent:
        if body.kind is None:
            raise ValidationFailed(
                "kind cannot be null.",
                errors=[{"loc": ["body", "kind"], "code": "null_not_allowed", "detail": "kind cannot be null"}],
            )
        ds.kind = body.kind
    if "description" in sent:
        ds.description = body.description or None
    if "trigger_word" in sent:
        ds.trigger_word = body.trigger_word
    await scope.session.flush()
    await scope.session.refresh(ds)
    return ds


async def _trainings_using(scope: OwnerScope, dataset_id: str, statuses: Iterable[str] | None) -> str | None:
    stmt = select(Training.id).where(Training.dataset_id == dataset_id)
    stmt = stmt.where(Training.status.in_(tuple(statuses))) if statuses is not None else stmt
    return await scope.session.scalar(stmt.limit(1))


async def delete_dataset(scope: OwnerScope, dataset_id: str) -> str:
    """Delete the dataset and its image rows; return the storage prefix to purge after the commit.

    409 ``dataset_in_use`` while a training that uses it is not terminal. The dataset row is locked
    first: creating a training locks it too, so no training can start on a dataset being deleted.
    """
    ds = await scope.get(Dataset, dataset_id, "dataset", for_update=True)
    running = await _trainings_using(scope, ds.id, None)
    if running is not None:
        active = await scope.session.scalar(
            select(Training.id).where(Training.dataset_id == ds.id, Training.status.not_in(TERMINAL)).limit(1)
        )
        if active is not None:
            raise Conflict(
                f"Training {active} uses this dataset and has not finished; cancel it or wait for it to end.",
                code="dataset_in_use",
            )
        # trainings.dataset_id is ON DELETE RESTRICT: finished trainings still reference the row.
        raise Conflict(
            f"Finished trainings (e.g. {running}) still reference this dataset, so it cannot be deleted yet.",
            code="dataset_has_trainings",
        )
    await scope.session.execute(delete(Image).where(Image.dataset_id == ds.id))
    await scope.session.delete(ds)
    await scope.session.flush()
    return dataset_prefix(ds.owner_id, ds.id)


async def purge_prefix(storage: Storage, prefix: str) -> None:
    """After the commit: delete the stored objects of a deleted dataset (failures are logged)."""
    with anyio.CancelScope(shield=True):
        try:
            await storage.delete_prefix(prefix)
        except Exception:
            log.exception("dataset_objects_not_deleted", prefix=prefix)


async def delete_objects(storage: Storage, keys: Iterable[str]) -> None:
    """Delete objects, shielded from cancellation; failures are logged, never raised."""
    keys = list(keys)
    if not keys:
        return
    with anyio.CancelScope(shield=True):
        for key in keys:
            try:
                await storage.delete(key)
            except Exception:
                log.exception("object_not_deleted", key=key)


# ---------------------------------------------------------------------------------------------
# Images (read / caption / delete)
# ---------------------------------------------------------------------------------------------


async def get_image(scope: OwnerScope, dataset_id: str, image_id: str, *, for_update: bool = False) -> Image:
    img = await scope.get(Image, image_id, "image", for_update=for_update)
    if img.dataset_id != dataset_id:
        raise not_found("image", image_id)
    return img


async def update_caption(scope: OwnerScope, dataset_id: str, image_id: str, body: ImagePatch) -> Image:
    await scope.get(Dataset, dataset_id, "dataset")
    img = await get_image(scope, dataset_id, image_id, for_update=True)
    img.caption = body.caption or None
    await scope.session.flush()
    await scope.session.refresh(img)
    return img


async def delete_image(scope: OwnerScope, dataset_id: str, image_id: str) -> str:
    """Delete the row and update the counters; return the storage key to delete after the commit.

    409 ``dataset_in_use`` while a training of the dataset has not yet stored its image archive.
    """
    ds = await scope.get(Dataset, dataset_id, "dataset", for_update=True)
    img = await get_image(scope, dataset_id, image_id)
    reading = await _trainings_using(scope, ds.id, READS_IMAGES)
    if reading is not None:
        raise Conflict(
            f"Training {reading} is collecting this dataset's images; delete the image once it is training.",
            code="dataset_in_use",
        )
    key = img.storage_key
    await scope.session.delete(img)
    await scope.session.flush()
    await _recount(scope, ds)
    return key


async def _recount(scope: OwnerScope, ds: Dataset, extra_count: int = 0, extra_bytes: int = 0) -> None:
    """Set the counters from the rows (caller holds the dataset lock)."""
    count, total = (
        await scope.session.execute(
            select(func.count(), func.coalesce(func.sum(Image.size_bytes), 0)).where(Image.dataset_id == ds.id)
        )
    ).one()
    ds.image_count = int(count) + extra_count
    ds.total_bytes = int(total) + extra_bytes
    await scope.session.flush()


# ---------------------------------------------------------------------------------------------
# Upload pipeline
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingFile:
    """One uploaded file part, already on disk (``path``) — the route's view of the multipart body."""

    display_name: str  # sanitised; what the client sees and what we store as ``filename``
    stem: str  # key for captions
    path: Path
    field_name: str = IMAGE_FIELD


@dataclass
class _Item:
    index: int
    file: IncomingFile
    caption: str | None = None
    processed: ProcessedImage | None = None
    normalised: Path | None = None
    rejection: RejectedFile | None = None
    image_id: str | None = None
    key: str | None = None

    def reject(self, code: str, detail: str) -> None:
        self.rejection = RejectedFile(filename=self.file.display_name, code=code, detail=detail)


@dataclass
class UploadOutcome:
    images: list[Image]
    rejected: list[RejectedFile]
    stored_keys: list[str] = field(default_factory=list)  # delete these if the commit fails


def _process_one(src: Path, dst: Path, limits: ImageLimits) -> ProcessedImage:
    try:
        return process_image(src, dst, limits)
    except BaseException:
        dst.unlink(missing_ok=True)
        raise
    finally:
        _release_memory()


def _load_malloc_trim() -> Callable[[int], int] | None:
    if sys.platform != "linux":
        return None
    try:
        libc = ctypes.CDLL(None)
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return trim


_MALLOC_TRIM = _load_malloc_trim()


def _release_memory() -> None:
    """Give the freed pixel buffers of a decoded image back to the OS (glibc keeps them per thread arena
    otherwise, and a few threads' worth of 8 MB images is most of an upload's RSS growth)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


class _Pipeline:
    """Process every file in a thread (process-wide limiter) and store each accepted copy right away,
    so storing overlaps the processing of the next files."""

    def __init__(
        self,
        storage: Storage,
        settings: Settings,
        limiter: anyio.CapacityLimiter,
        owner_id: str,
        dataset_id: str,
        existing: set[str],
        room: int,
    ) -> None:
        self.storage = storage
        self.limits = image_limits(settings)
        self.tmp_dir = settings.tmp_dir
        self.limiter = limiter
        self.store_limiter = anyio.CapacityLimiter(STORE_CONCURRENCY)
        self.owner_id = owner_id
        self.dataset_id = dataset_id
        self.existing = existing
        self.room = room
        self.stored: list[str] = []
        self.errors: list[Exception] = []
        self.claimed: dict[str, int] = {}  # sha256 -> lowest request index stored so far
        self.n_claimed = 0

    async def run(self, items: Sequence[_Item]) -> None:
        async with anyio.create_task_group() as tg:
            for item in items:
                tg.start_soon(self._one, item)
        self._raise_errors()

    def _raise_errors(self) -> None:
        if self.errors:
            exc = self.errors[0]
            log.error("image_store_failed", error=repr(exc))
            raise ServiceUnavailable(
                "Storing the images failed; nothing was kept. Try again later.", code="storage_unavailable"
            ) from exc

    async def _one(self, item: _Item) -> None:
        dst = self.tmp_dir / f"normalised-{uuid.uuid4().hex}.img"
        try:
            item.processed = await anyio.to_thread.run_sync(
                _process_one, item.file.path, dst, self.limits, limiter=self.limiter
            )
            item.normalised = dst
        except ImageRejected as exc:
            item.reject(exc.code, exc.detail)
            return
        except MemoryError:
            item.reject("image_too_large", "The image needs more memory to decode than this server allows.")
            return
        except Exception:
            log.exception("image_processing_failed", filename=item.file.display_name)
            item.reject("corrupt_image", "The image could not be decoded.")
            return
        if self._worth_storing(item):
            await self._store(item)

    def _worth_storing(self, item: _Item) -> bool:
        """Skip copies we already know will lose; the final decision is made under the dataset lock."""
        p = item.processed
        assert p is not None
        if self.errors or p.sha256 in self.existing:
            return False
        first = self.claimed.get(p.sha256)
        if first is not None and first < item.index:
            return False
        if first is None and self.n_claimed >= self.room:
            return False  # over the cap unless an earlier file turns out to be rejected: rare, see plan
        if first is None:
            self.n_claimed += 1
        self.claimed[p.sha256] = item.index
        return True

    async def _store(self, item: _Item) -> None:
        p = item.processed
        assert p is not None and item.normalised is not None
        item.image_id = new_id("image")
        item.key = image_key(self.owner_id, self.dataset_id, item.image_id, p.ext)
        async with self.store_limiter:
            if self.errors:
                return
            try:
                await self.storage.put_file(item.key, item.normalised, p.content_type)
            except Exception as exc:
                self.errors.append(exc)
                item.key = None
            else:
                self.stored.append(item.key)

    async def store_missing(self, items: Sequence[_Item]) -> None:
        """Store accepted items that were skipped (an earlier file claimed the room, then lost it)."""
        missing = [it for it in items if it.key is None]
        if missing:
            async with anyio.create_task_group() as tg:
                for it in missing:
                    tg.start_soon(self._store, it)
            self._raise_errors()


async def _existing_shas(scope: OwnerScope, dataset_id: str) -> set[str]:
    rows = await scope.session.scalars(select(Image.sha256).where(Image.dataset_id == dataset_id))
    return set(rows.all())


def _plan(items: Sequence[_Item], existing: set[str], room: int, cap: int) -> list[_Item]:
    """Mark duplicates and over-cap files rejected (in request order); return the accepted items."""
    seen = set(existing)
    accepted: list[_Item] = []
    for item in items:
        if item.rejection is not None or item.processed is None:
            continue
        sha = item.processed.sha256
        if sha in seen:
            item.reject(
                "duplicate_image",
                "The same image is already in this dataset."
                if sha in existing
                else "The same image appears earlier in this request.",
            )
            continue
        if len(accepted) >= room:
            item.reject("dataset_full", f"The dataset already holds the maximum of {cap} images.")
            continue
        seen.add(sha)
        accepted.append(item)
    return accepted


async def _room(scope: OwnerScope, ds: Dataset, cap: int) -> int:
    count = await scope.session.scalar(select(func.count()).select_from(Image).where(Image.dataset_id == ds.id))
    return max(0, cap - int(count or 0))


async def upload_images(
    scope: OwnerScope,
    storage: Storage,
    settings: Settings,
    dataset_id: str,
    files: Sequence[IncomingFile],
    captions: Mapping[str, str],
    early_rejections: Sequence[RejectedFile],
    limiter: anyio.CapacityLimiter,
) -> UploadOutcome:
    """Validate, normalise, store and record ``files`` (see the module doc). Flushes, never commits.

    Raises 422 ``no_images_accepted`` (listing every file) when nothing was accepted; in that case
    nothing is left in storage. ``captions`` maps a display-name stem to its caption text.
    """
    cap = settings.max_images_per_dataset
    items = [_Item(i, f, caption=captions.get(f.stem)) for i, f in enumerate(files)]
    stems = {f.stem for f in files}
    orphan_captions = [
        RejectedFile(
            filename=f"{stem}.txt", code="caption_without_image", detail="No image in the request has its name."
        )
        for stem in captions
        if stem not in stems
    ]
    for item in items:
        if item.file.field_name != IMAGE_FIELD:
            item.reject("unexpected_field", f"Send images as {IMAGE_FIELD!r} parts, not {item.file.field_name!r}.")
        elif item.caption is not None and len(item.caption) > MAX_CAPTION_CHARS:
            item.reject("invalid_caption", f"The caption is longer than {MAX_CAPTION_CHARS} characters.")
    session = scope.session
    pipeline: _Pipeline | None = None
    try:
        # 0. What the dataset holds now (no lock; re-checked under the lock in step 3).
        ds = await scope.get(Dataset, dataset_id, "dataset")
        room = await _room(scope, ds, cap)
        existing = await _existing_shas(scope, dataset_id) if room else set()
        await session.rollback()  # no connection is held while images are processed
        todo = [it for it in items if it.rejection is None]
        if room == 0:  # a full dataset refuses everything without spending CPU on it
            for it in todo:
                it.reject("dataset_full", f"The dataset already holds the maximum of {cap} images.")
            todo = []

        # 1-2. Process and store.
        pipeline = _Pipeline(storage, settings, limiter, scope.owner_id, dataset_id, existing, room)
        if todo:
            await anyio.Path(settings.tmp_dir).mkdir(parents=True, exist_ok=True)
            await pipeline.run(todo)

        # 3. Lock, re-check against concurrent uploads, insert.
        images: list[Image] = []
        if any(it.processed is not None and it.rejection is None for it in items):
            ds = await scope.get(Dataset, dataset_id, "dataset", for_update=True)
            final = _plan(items, await _existing_shas(scope, ds.id), await _room(scope, ds, cap), cap)
            await pipeline.store_missing(final)
            losers = [it.key for it in items if it.key is not None and it not in final]
            if losers:
                await delete_objects(storage, losers)
                pipeline.stored = [k for k in pipeline.stored if k not in losers]
            images = [_image_row(it, scope.owner_id, ds.id) for it in final]
            session.add_all(images)
            await session.flush()
            await _recount(scope, ds)  # the rows' ids and timestamps are set client-side: no refresh
        rejected = [*early_rejections, *(it.rejection for it in items if it.rejection), *orphan_captions]
        if not images:
            raise ValidationFailed(
                "No file of the request was accepted; `errors` says why for each one.",
                code="no_images_accepted",
                errors=[r.model_dump() for r in rejected],
            )
        return UploadOutcome(images=images, rejected=rejected, stored_keys=pipeline.stored)
    except BaseException:
        if pipeline is not None:
            await delete_objects(storage, pipeline.stored)
        raise
    finally:
        await _discard_temp(items)


def _image_row(item: _Item, owner_id: str, dataset_id: str) -> Image:
    p = item.processed
    assert p is not None and item.image_id is not None and item.key is not None
    return Image(
        id=item.image_id,
        owner_id=owner_id,
        dataset_id=dataset_id,
        filename=item.file.display_name,
        content_type=p.content_type,
        width=p.width,
        height=p.height,
        size_bytes=p.size_bytes,
        sha256=p.sha256,
        caption=item.caption or None,
        storage_key=item.key,
    )


async def _discard_temp(items: Sequence[_Item]) -> None:
    paths = [it.normalised for it in items if it.normalised is not None]
    if not paths:
        return

    def unlink_all() -> None:
        for p in paths:
            with contextlib.suppress(OSError):
                p.unlink(missing_ok=True)

    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(unlink_all)

"""Adding images to a dataset: the dataset's policy on top of the common pipeline (``shared.uploads``).

Per request (:func:`add_images`):

1. **Look** (one short read, no lock): the dataset's current sha256 set and free room. A full dataset
   refuses every file (``dataset_full``) without spending CPU on it. The connection is then released:
   none is held while images are processed.
2. **Process and store**: :class:`shared.uploads.ImagePipeline` validates and normalises every file in
   worker threads. Each normalised copy is stored as soon as it is ready (overlapping the processing of the
   next files) under :func:`shared.datasets.keys.image_key`, unless it is already known to lose (a duplicate
   of an image in the dataset or of an earlier file of the request, or past the room seen in step 1).
3. **Commit point**: lock the dataset row ``FOR UPDATE`` (the same lock image deletes and training
   creation take), decide in request order against what is committed now — ``duplicate_image``
   (compared on the sha256 of the *stored* copy), ``dataset_full`` — delete the losers' objects, insert
   the rows and set ``image_count``/``total_bytes`` from the locked truth.

Captions pair with images by name stem (``me1.txt`` → ``me1.jpg``). Whatever fails or is cancelled after
something was stored deletes the objects this request stored (the route does the same if the commit
itself fails, ``shared.uploads.commit_or_delete``), so no orphan object survives a failed request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import anyio
import structlog
from sqlalchemy import func, select

from shared.config import Settings
from shared.datasets.crud import recount
from shared.datasets.keys import image_key
from shared.datasets.schemas import MAX_CAPTION_CHARS
from shared.errors import ServiceUnavailable, ValidationFailed
from shared.ids import new_id
from shared.models import Dataset, Image
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
    delete_objects,
    image_limits,
    nothing_accepted,
)

log = structlog.get_logger("shared.datasets")

STORE_CONCURRENCY = 4


@dataclass(eq=False)
class _Item(Upload):
    caption: str | None = None
    image_id: str | None = None
    key: str | None = None  # set once stored


@dataclass
class UploadOutcome:
    images: list[Image]
    rejected: list[RejectedFile]
    stored_keys: list[str] = field(default_factory=list)  # delete these if the commit fails


def _full(item: _Item, cap: int) -> None:
    item.reject("dataset_full", f"The dataset already holds the maximum of {cap} images.")


class _Store:
    """Store each accepted copy right away, unless it is already known to lose under the lock."""

    def __init__(self, storage: Storage, owner_id: str, dataset_id: str, existing: set[str], room: int) -> None:
        self.storage = storage
        self.limiter = anyio.CapacityLimiter(STORE_CONCURRENCY)
        self.owner_id = owner_id
        self.dataset_id = dataset_id
        self.existing = existing
        self.room = room
        self.stored: list[str] = []
        self.errors: list[Exception] = []
        self.claimed: dict[str, int] = {}  # sha256 -> lowest request index stored so far
        self.n_claimed = 0

    async def on_processed(self, item: _Item) -> None:
        if self._worth_storing(item):
            await self._store(item)

    def _worth_storing(self, item: _Item) -> bool:
        """Skip copies we already know will lose; the final decision is made under the dataset lock."""
        p = item.image
        assert p is not None
        if self.errors or p.sha256 in self.existing:
            return False
        first = self.claimed.get(p.sha256)
        if first is not None and first < item.index:
            return False
        if first is None and self.n_claimed >= self.room:
            return False  # over the cap unless an earlier file is rejected after all: store_missing then
        if first is None:
            self.n_claimed += 1
        self.claimed[p.sha256] = item.index
        return True

    async def _store(self, item: _Item) -> None:
        p = item.image
        assert p is not None and item.normalised is not None
        item.image_id = new_id("image")
        item.key = image_key(self.owner_id, self.dataset_id, item.image_id, p.ext)
        async with self.limiter:
            if self.errors:
                return
            try:
                await self.storage.put_file(item.key, item.normalised, p.content_type, consume=True)
            except Exception as exc:
                self.errors.append(exc)
                item.key = None
            else:
                self.stored.append(item.key)

    def raise_errors(self) -> None:
        if self.errors:
            exc = self.errors[0]
            log.error("image_store_failed", error=repr(exc))
            raise ServiceUnavailable(
                "Storing the images failed; nothing was kept. Try again later.", code="storage_unavailable"
            ) from exc

    async def store_missing(self, items: Sequence[_Item]) -> None:
        """Store accepted items that were skipped (an earlier file claimed the room, then lost it)."""
        missing = [it for it in items if it.key is None]
        if missing:
            async with anyio.create_task_group() as tg:
                for it in missing:
                    tg.start_soon(self._store, it)
            self.raise_errors()

    async def drop_losers(self, items: Sequence[_Item], winners: Sequence[_Item]) -> None:
        keep = {id(it) for it in winners}
        losers = [it.key for it in items if it.key is not None and id(it) not in keep]
        if losers:
            await delete_objects(self.storage, losers)
            self.stored = [k for k in self.stored if k not in losers]


async def _existing_shas(scope: OwnerScope, dataset_id: str) -> set[str]:
    rows = await scope.session.scalars(select(Image.sha256).where(Image.dataset_id == dataset_id))
    return set(rows.all())


async def _room(scope: OwnerScope, dataset_id: str, cap: int) -> int:
    count = await scope.session.scalar(select(func.count()).select_from(Image).where(Image.dataset_id == dataset_id))
    return max(0, cap - int(count or 0))


def _plan(items: Sequence[_Item], existing: set[str], room: int, cap: int) -> list[_Item]:
    """Mark duplicates and over-cap files rejected (in request order); return the accepted items."""
    duplicates = DuplicateFilter(
        existing,
        known_detail="The same image is already in this dataset.",
        repeat_detail="The same image appears earlier in this request.",
    )
    accepted: list[_Item] = []
    for item in items:
        if not item.accepted or duplicates.rejects(item):
            continue
        if len(accepted) >= room:
            _full(item, cap)
            continue
        duplicates.keep(item)
        accepted.append(item)
    return accepted


def _pair_captions(batch: IncomingBatch) -> tuple[list[_Item], list[RejectedFile]]:
    """One item per file with its caption; files refused by name or caption; captions without an image."""
    items = [_Item(i, f, caption=batch.caption_for(f)) for i, f in enumerate(batch.files)]
    for item in items:
        if item.file.field_name != IMAGE_FIELD:
            item.reject("unexpected_field", f"Send images as {IMAGE_FIELD!r} parts, not {item.file.field_name!r}.")
        elif item.caption is not None and len(item.caption) > MAX_CAPTION_CHARS:
            item.reject("invalid_caption", f"The caption is longer than {MAX_CAPTION_CHARS} characters.")
    stems = {f.stem for f in batch.files}
    orphans = [
        RejectedFile(
            filename=f"{stem}.txt", code="caption_without_image", detail="No image in the request has its name."
        )
        for stem in batch.captions
        if stem not in stems
    ]
    return items, orphans


async def _insert(scope: OwnerScope, store: _Store, items: Sequence[_Item], dataset_id: str, cap: int) -> list[Image]:
    """Step 3: under the dataset lock, decide against what is committed now and insert the winners."""
    if not any(it.accepted for it in items):
        return []
    ds = await scope.get(Dataset, dataset_id, "dataset", for_update=True)
    final = _plan(items, await _existing_shas(scope, ds.id), await _room(scope, ds.id, cap), cap)
    await store.store_missing(final)
    await store.drop_losers(items, final)
    images = [_image_row(it, scope.owner_id, ds.id) for it in final]
    scope.session.add_all(images)
    await scope.session.flush()
    await recount(scope, ds)  # the rows' ids and timestamps are set client-side: no refresh
    return images


async def add_images(
    scope: OwnerScope,
    storage: Storage,
    settings: Settings,
    dataset_id: str,
    batch: IncomingBatch,
    limiter: ImageLimiter,
    pipeline: ImagePipeline | None = None,
) -> UploadOutcome:
    """Validate, normalise, store and record the batch's files (see the module doc). Flushes, never commits.

    422 ``no_files`` when the batch is empty; 422 ``no_images_accepted`` (listing every file) when nothing
    was accepted, and then nothing is left in storage.
    """
    if not batch.files and not batch.rejected and not batch.captions:
        raise ValidationFailed("Send one or more `files` parts.", code="no_files")
    cap = settings.max_images_per_dataset
    items, orphans = _pair_captions(batch)
    store: _Store | None = None
    try:
        # 1. What the dataset holds now (no lock; re-checked under the lock in step 3).
        await scope.get(Dataset, dataset_id, "dataset")
        room = await _room(scope, dataset_id, cap)
        existing = await _existing_shas(scope, dataset_id) if room else set()
        await scope.session.rollback()  # no connection is held while images are processed
        if room == 0:  # a full dataset refuses everything without spending CPU on it
            for it in items:
                if it.rejection is None:
                    _full(it, cap)

        # 2. Process and store; 3. lock, re-check against concurrent uploads, insert.
        store = _Store(storage, scope.owner_id, dataset_id, existing, room)
        # ``pipeline``: the caller's, which may have started on the files while the body was arriving (it owns
        # the normalised copies and deletes them when it closes)
        async with contextlib.AsyncExitStack() as owned:
            if pipeline is None:
                pipeline = await owned.enter_async_context(
                    ImagePipeline(image_limits(settings), settings.tmp_dir, limiter)
                )
            await pipeline.run(items, store.on_processed)
            store.raise_errors()
            images = await _insert(scope, store, items, dataset_id, cap)
        rejected = [*batch.rejected, *(it.rejection for it in items if it.rejection), *orphans]
        if not images:
            raise nothing_accepted(rejected, "No file of the request was accepted; `errors` says why for each one.")
        return UploadOutcome(images=images, rejected=rejected, stored_keys=store.stored)
    except BaseException:
        if store is not None:
            await delete_objects(storage, store.stored)
        raise


def _image_row(item: _Item, owner_id: str, dataset_id: str) -> Image:
    p = item.image
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

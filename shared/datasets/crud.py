"""Datasets and images: create, read, list, change, delete.

Services only ``flush()``; the route commits (``shared.queue.commit``) and only then deletes stored
objects of deleted rows (``shared.uploads.delete_objects``, ``shared.uploads.purge_prefix``), so a
rolled-back delete never loses an image. Adding images is :mod:`shared.datasets.uploads`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select

from shared.datasets.keys import dataset_prefix
from shared.datasets.schemas import DatasetCreate, DatasetPatch, ImagePatch
from shared.errors import Conflict, ValidationFailed, not_found
from shared.ids import new_id
from shared.jobs.registry import TERMINAL
from shared.metadata import TagFilter, merged
from shared.models import Dataset, Image, Training
from shared.pagination import Rows, paginate
from shared.scope import OwnerScope

# Trainings read the dataset's images until their ZIP is stored (the "preparing" stage).
READS_IMAGES = ("queued", "preparing")


# ---------------------------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------------------------


async def get_dataset(scope: OwnerScope, dataset_id: str) -> Dataset:
    return await scope.get(Dataset, dataset_id, "dataset")


async def list_datasets(scope: OwnerScope, tags: TagFilter, *, limit: int, after: str | None) -> Rows[Dataset]:
    """The owner's datasets, newest first, filtered by metadata and end user."""
    stmt = tags.apply(scope.select(Dataset), Dataset)
    return await paginate(scope.session, stmt, Dataset.id, limit=limit, after=after)


async def create_dataset(scope: OwnerScope, body: DatasetCreate) -> Dataset:
    ds = Dataset(
        id=new_id("dataset"),
        owner_id=scope.owner_id,
        name=body.name,
        description=body.description or None,
        trigger_word=body.trigger_word,
        kind=body.kind,
        metadata_=body.metadata,
        end_user=body.end_user,
        image_count=0,
        total_bytes=0,
    )
    scope.session.add(ds)
    await scope.session.flush()
    await scope.session.refresh(ds)
    return ds


def _not_null(field: str) -> ValidationFailed:
    return ValidationFailed(
        f"{field} cannot be null.",
        errors=[{"loc": ["body", field], "code": "null_not_allowed", "detail": f"{field} cannot be null"}],
    )


async def update_dataset(scope: OwnerScope, dataset_id: str, body: DatasetPatch) -> Dataset:
    ds = await scope.get(Dataset, dataset_id, "dataset", for_update=True)
    sent = body.model_fields_set
    if "name" in sent:
        if body.name is None:
            raise _not_null("name")
        ds.name = body.name
    if "kind" in sent:
        if body.kind is None:
            raise _not_null("kind")
        ds.kind = body.kind
    if "description" in sent:
        ds.description = body.description or None
    if "trigger_word" in sent:
        ds.trigger_word = body.trigger_word
    if body.metadata is not None:
        ds.metadata_ = merged(ds.metadata_, body.metadata)
    if "end_user" in sent:
        ds.end_user = body.end_user
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


# ---------------------------------------------------------------------------------------------
# Images (read / list / caption / delete)
# ---------------------------------------------------------------------------------------------


async def get_image(scope: OwnerScope, dataset_id: str, image_id: str, *, for_update: bool = False) -> Image:
    img = await scope.get(Image, image_id, "image", for_update=for_update)
    if img.dataset_id != dataset_id:
        raise not_found("image", image_id)
    return img


async def list_images(scope: OwnerScope, dataset_id: str, *, limit: int, after: str | None) -> Rows[Image]:
    """The dataset's images, newest first (404 when the dataset is not the owner's)."""
    await scope.get(Dataset, dataset_id, "dataset")
    stmt = scope.select(Image).where(Image.dataset_id == dataset_id)
    return await paginate(scope.session, stmt, Image.id, limit=limit, after=after)


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
    await recount(scope, ds)
    return key


async def recount(scope: OwnerScope, ds: Dataset) -> None:
    """Set the counters from the rows (caller holds the dataset lock)."""
    count, total = (
        await scope.session.execute(
            select(func.count(), func.coalesce(func.sum(Image.size_bytes), 0)).where(Image.dataset_id == ds.id)
        )
    ).one()
    ds.image_count = int(count)
    ds.total_bytes = int(total)
    await scope.session.flush()

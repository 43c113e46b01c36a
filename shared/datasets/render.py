"""Datasets and images as the API returns them.

The renderer convention (every domain): ``<thing>_out(row, ...)`` takes the row first, then, when it signs
URLs, ``storage`` and the URL lifetime ``ttl: timedelta``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from shared.datasets.schemas import DatasetOut, ImageOut, UploadResult
from shared.models import Dataset, Image
from shared.storage import Storage
from shared.uploads import RejectedFile


def dataset_out(ds: Dataset) -> DatasetOut:
    return DatasetOut(
        id=ds.id,
        name=ds.name,
        description=ds.description,
        trigger_word=ds.trigger_word,
        kind=ds.kind,
        image_count=ds.image_count,
        total_bytes=ds.total_bytes,
        metadata=ds.metadata_,
        end_user=ds.end_user,
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


async def images_out(images: Sequence[Image], storage: Storage, ttl: timedelta) -> list[ImageOut]:
    return [await image_out(img, storage, ttl) for img in images]


async def upload_result_out(
    images: Sequence[Image], rejected: Sequence[RejectedFile], storage: Storage, ttl: timedelta
) -> UploadResult:
    return UploadResult(images=await images_out(images, storage, ttl), rejected=list(rejected))

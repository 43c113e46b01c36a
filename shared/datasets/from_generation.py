"""A generated picture joins a dataset server-side: ``POST /v1/datasets/{id}/images/from-generation``.

The generation's stored images are read from our storage (:meth:`IncomingFile.from_storage`, no client
download) and go through the same pipeline and dataset policy as an upload (:func:`add_images`:
validation, duplicates, the image cap, the dataset lock). Generation outputs are stored normalised, so they
join verbatim: the dataset image has the generation image's ``sha256``, and adding it twice is a
``duplicate_image``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from shared.config import Settings
from shared.datasets.uploads import UploadOutcome, add_images
from shared.errors import ValidationFailed
from shared.models import Dataset, Generation, GenerationImage
from shared.scope import OwnerScope
from shared.storage import Storage
from shared.uploads import ImageLimiter, IncomingBatch, IncomingFile, RejectedFile, nothing_accepted


class FromGeneration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    generation_id: str = Field(max_length=40, description="One of your succeeded generations (`gen_…`).")
    image_ids: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=4,
        description="Which of its images (`gim_…`); all of them when omitted. An id not in the generation is "
        "listed in `rejected` (`image_not_in_generation`).",
    )


async def _images(scope: OwnerScope, body: FromGeneration) -> tuple[Generation, list[GenerationImage]]:
    gen = await scope.get(Generation, body.generation_id, "generation")
    if gen.status != "succeeded":
        raise ValidationFailed(
            f"Generation {gen.id} is {gen.status}; only a succeeded generation has images.",
            code="generation_not_succeeded",
            errors=[{"loc": ["body", "generation_id"], "code": "generation_not_succeeded", "detail": gen.status}],
        )
    found = await scope.session.scalars(
        select(GenerationImage)
        .where(GenerationImage.generation_id == gen.id, GenerationImage.withheld.is_(False))  # withheld: stored nowhere
        .order_by(GenerationImage.index)
    )
    return gen, list(found)


async def add_from_generation(
    scope: OwnerScope,
    storage: Storage,
    settings: Settings,
    dataset_id: str,
    body: FromGeneration,
    limiter: ImageLimiter,
) -> UploadOutcome:
    """Copy the generation's images (or ``image_ids`` of them) into the dataset; flushes, never commits.
    404 for an unknown or another owner's dataset or generation; 422 ``no_images_accepted`` when nothing
    is accepted (e.g. every image is already in the dataset)."""
    await scope.get(Dataset, dataset_id, "dataset")
    gen, images = await _images(scope, body)
    wanted = body.image_ids if body.image_ids is not None else [img.id for img in images]
    by_id = {img.id: img for img in images}
    batch = IncomingBatch()
    missing = [
        RejectedFile(filename=i, code="image_not_in_generation", detail=f"Generation {gen.id} has no image {i!r}.")
        for i in dict.fromkeys(wanted)
        if i not in by_id
    ]
    batch.rejected.extend(missing)
    async with batch:
        for image_id in dict.fromkeys(i for i in wanted if i in by_id):
            img = by_id[image_id]
            assert img.storage_key is not None  # withheld images were left out
            name = f"{gen.id}-{img.index}.{img.storage_key.rsplit('.', 1)[-1]}"
            batch.files.append(
                await IncomingFile.from_storage(storage, img.storage_key, name, settings.tmp_dir, verbatim=True)
            )
        if not batch.files:
            raise nothing_accepted(missing, "None of the asked images is in the generation.")
        return await add_images(scope, storage, settings, dataset_id, batch, limiter)

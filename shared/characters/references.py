"""Picking a reference: the chosen picture is saved (with its seed) and copied server-side into the
character's own dataset, through the same path as ``POST /v1/datasets/{id}/images/from-generation``
(the one upload pipeline; a picture already in the dataset is not added twice).

Two steps because the upload pipeline works outside the caller's transaction (it releases the connection
while images are processed): :func:`ensure_dataset` makes the dataset (the caller commits it), then
:func:`pick_reference` copies the image and records the reference.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from shared.characters.schemas import ReferencePick
from shared.characters.service import write_character_event
from shared.config import Settings
from shared.datasets.crud import create_dataset
from shared.datasets.from_generation import FromGeneration, add_from_generation
from shared.datasets.schemas import DatasetCreate
from shared.errors import ValidationFailed, not_found
from shared.models import Character, Dataset, Generation, GenerationImage, Image
from shared.scope import OwnerScope
from shared.storage import Storage
from shared.uploads import ImageLimiter


async def ensure_dataset(scope: OwnerScope, character_id: str) -> Character:
    """The character's own dataset, made on first need (``metadata.character_id`` names its character)."""
    row = await scope.get(Character, character_id, "character", for_update=True)
    if row.dataset_id and await scope.session.get(Dataset, row.dataset_id) is not None:
        return row
    ds = await create_dataset(
        scope,
        DatasetCreate(
            name=f"{row.name} (character)",
            description=f"Pictures of the character {row.name} ({row.id}).",
            trigger_word=row.trigger_word,
            metadata={"character_id": row.id},
            end_user=row.end_user,
        ),
    )
    row.dataset_id = ds.id
    await scope.session.flush()
    return row


async def add_generation_image(
    scope: OwnerScope,
    storage: Storage,
    settings: Settings,
    dataset_id: str,
    image: GenerationImage,
    limiter: ImageLimiter,
) -> list[str]:
    """Copy one generated image into the dataset unless it is already there (same ``sha256``): safe to
    repeat. Returns the storage keys written (to delete should the caller's commit fail)."""
    present = await scope.session.scalar(
        select(Image.id).where(Image.dataset_id == dataset_id, Image.sha256 == image.sha256)
    )
    if present is not None:
        return []
    body = FromGeneration(generation_id=image.generation_id, image_ids=[image.id])
    outcome = await add_from_generation(scope, storage, settings, dataset_id, body, limiter)
    return list(outcome.stored_keys)


async def pick_reference(
    scope: OwnerScope,
    storage: Storage,
    settings: Settings,
    ttl: timedelta,
    character_id: str,
    body: ReferencePick,
    limiter: ImageLimiter,
) -> tuple[Character, list[str]]:
    """Save the picked image as the reference (its generation's seed kept), copy it into the character's
    dataset, write ``character.referenced``. 404 for a generation that is not this character's or an
    image not in it; 422 ``generation_not_succeeded``."""
    row = await scope.get(Character, character_id, "character")
    gen = await scope.get(Generation, body.generation_id, "generation")
    if gen.character_id != row.id:
        raise not_found("generation", body.generation_id)
    if gen.status != "succeeded":
        raise ValidationFailed(
            f"Generation {gen.id} is {gen.status}; pick an image of a succeeded one.",
            code="generation_not_succeeded",
            errors=[{"loc": ["body", "generation_id"], "code": "generation_not_succeeded", "detail": gen.status}],
        )
    image = await scope.session.scalar(
        select(GenerationImage).where(GenerationImage.id == body.image_id, GenerationImage.generation_id == gen.id)
    )
    if image is None:
        raise not_found("generation_image", body.image_id)
    # read now: the upload pipeline ends the transaction, which expires these objects
    reference = {"generation_id": gen.id, "image_id": image.id, "seed": gen.seed}
    assert row.dataset_id is not None  # ensure_dataset ran and committed
    stored = await add_generation_image(scope, storage, settings, row.dataset_id, image, limiter)
    row = await scope.get(Character, character_id, "character", for_update=True)
    row.reference = reference
    await write_character_event(scope.session, storage, ttl, row, "referenced")
    return row, stored

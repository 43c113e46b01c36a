"""Image references: inputs that point at a picture we already hold, owner-scoped.

Exactly one of ``{"upload_id"}`` (``POST /v1/uploads``), ``{"dataset_image_id"}`` or
``{"generation_image_id"}``. Another owner's id answers 404 like an unknown one. Resolving an upload for a
job marks it used, so the expiry sweep keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select, update

from shared.errors import not_found
from shared.models import Generation, GenerationImage, Image, Upload
from shared.scope import OwnerScope


class ImageRef(BaseModel):
    """Exactly one of `upload_id`, `dataset_image_id`, `generation_image_id`."""

    model_config = ConfigDict(extra="forbid")

    upload_id: str | None = Field(default=None, max_length=40, description="An upload (`upl_…`).")
    dataset_image_id: str | None = Field(default=None, max_length=40, description="A dataset image (`img_…`).")
    generation_image_id: str | None = Field(
        default=None, max_length=40, description="An image of a generation (`gim_…`)."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> ImageRef:
        given = [v for v in (self.upload_id, self.dataset_image_id, self.generation_image_id) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of upload_id, dataset_image_id, generation_image_id")
        return self


@dataclass(frozen=True)
class ResolvedImage:
    key: str
    width: int
    height: int
    content_type: str
    sha256: str


async def resolve_image(scope: OwnerScope, ref: ImageRef, *, for_job: bool = True) -> ResolvedImage:
    """The stored object ``ref`` names (404 ``upload_not_found`` / ``image_not_found`` /
    ``generation_image_not_found``); an upload resolved ``for_job`` no longer expires."""
    session = scope.session
    if ref.upload_id is not None:
        upload = await scope.get(Upload, ref.upload_id, "upload")
        if for_job and upload.expires_at is not None:
            await session.execute(update(Upload).where(Upload.id == upload.id).values(expires_at=None))
        return ResolvedImage(upload.storage_key, upload.width, upload.height, upload.content_type, upload.sha256)
    if ref.dataset_image_id is not None:
        img = await scope.get(Image, ref.dataset_image_id, "image")
        return ResolvedImage(img.storage_key, img.width, img.height, img.content_type, img.sha256)
    assert ref.generation_image_id is not None
    gim = await session.scalar(
        select(GenerationImage)
        .join(Generation, Generation.id == GenerationImage.generation_id)
        .where(GenerationImage.id == ref.generation_image_id, Generation.owner_id == scope.owner_id)
    )
    if gim is None or gim.withheld:  # an image withheld as NSFW is stored nowhere
        raise not_found("generation_image", ref.generation_image_id)
    assert gim.storage_key and gim.width and gim.height and gim.content_type and gim.sha256
    return ResolvedImage(gim.storage_key, gim.width, gim.height, gim.content_type, gim.sha256)

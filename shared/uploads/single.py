"""Single uploads (``POST /v1/uploads``): one image through the pipeline, kept 24 h unless a job uses it.

An upload is an input of later requests (an init image, a mask, a reference; see
:mod:`shared.uploads.references`). It is validated and normalised exactly like a dataset image, stored at
``owners/{owner}/uploads/{id}.{ext}``, and expires ``UPLOAD_TTL`` after creation; resolving it for a job
clears ``expires_at`` so it stays. :func:`sweep_expired_uploads` (a worker cron) deletes expired ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog
from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.config import Settings
from shared.db import utcnow
from shared.errors import ValidationFailed
from shared.ids import new_id
from shared.models import Upload as UploadRow
from shared.scope import OwnerScope
from shared.storage import Storage
from shared.uploads.cleanup import delete_objects
from shared.uploads.incoming import IncomingBatch
from shared.uploads.pipeline import ImagePipeline, Upload, image_limits, nothing_accepted
from shared.uploads.schemas import RejectedFile
from shared.uploads.workers import ImageLimiter

log = structlog.get_logger("shared.uploads")

UPLOAD_FIELD = "file"
UPLOAD_TTL = timedelta(hours=24)
SWEEP_BATCH = 200


class UploadOut(BaseModel):
    id: str = Field(description="Use as `upload_id` in an image reference (`upl_…`).")
    width: int = Field(description="Width of the stored (upright) image.")
    height: int
    content_type: str
    size_bytes: int = Field(description="Size of the stored copy (re-encoded, metadata stripped).")
    sha256: str = Field(description="SHA-256 of the stored copy (lowercase hex).")
    expires_at: str | None = Field(
        description="When it is deleted unless a job uses it first (RFC 3339); null once a job used it."
    )


def upload_out(row: UploadRow) -> UploadOut:
    return UploadOut(
        id=row.id,
        width=row.width,
        height=row.height,
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        expires_at=row.expires_at.isoformat().replace("+00:00", "Z") if row.expires_at else None,
    )


@dataclass
class CreatedUpload:
    row: UploadRow
    stored_keys: list[str]  # delete these if the commit fails


def _one_file(batch: IncomingBatch) -> Upload:
    files = [f for f in batch.files if f.field_name == UPLOAD_FIELD]
    others = [f.display_name for f in batch.files if f.field_name != UPLOAD_FIELD] + list(batch.captions)
    if not files and batch.rejected:
        raise nothing_accepted(batch.rejected)
    if len(files) != 1 or others or batch.rejected:
        detail = f"Send exactly one image as the `{UPLOAD_FIELD}` part of a multipart/form-data body."
        raise ValidationFailed(
            detail,
            code="one_file_expected",
            errors=[{"loc": ["body", UPLOAD_FIELD], "code": "one_file", "detail": detail}],
        )
    return Upload(0, files[0])


async def create_upload(
    scope: OwnerScope, storage: Storage, settings: Settings, batch: IncomingBatch, limiter: ImageLimiter
) -> CreatedUpload:
    """Validate, normalise and store the one image of ``batch``; flushes, never commits. 422
    ``no_images_accepted`` (with the reason in ``errors``) when it is refused."""
    upload = _one_file(batch)
    async with ImagePipeline(image_limits(settings), settings.tmp_dir, limiter) as pipeline:
        await pipeline.run([upload])
        if upload.rejection is not None or upload.image is None or upload.normalised is None:
            rejected: list[RejectedFile] = [upload.rejection] if upload.rejection else []
            raise nothing_accepted(rejected, "The image was not accepted; `errors` says why.")
        image = upload.image
        upload_id = new_id("upload")
        key = f"owners/{scope.owner_id}/uploads/{upload_id}.{image.ext}"
        await storage.put_file(key, upload.normalised, image.content_type, consume=True)
    row = UploadRow(
        id=upload_id,
        owner_id=scope.owner_id,
        filename=upload.file.display_name,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        size_bytes=image.size_bytes,
        sha256=image.sha256,
        storage_key=key,
        expires_at=utcnow() + UPLOAD_TTL,
    )
    try:
        scope.session.add(row)
        await scope.session.flush()
    except BaseException:
        await delete_objects(storage, [key])
        raise
    return CreatedUpload(row=row, stored_keys=[key])


async def sweep_expired_uploads(sessionmaker: async_sessionmaker[AsyncSession], storage: Storage) -> int:
    """Delete uploads past ``expires_at`` that no job used (rows first, then their objects); returns how
    many. A batch per call: the cron comes back for the rest."""
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                delete(UploadRow)
                .where(
                    UploadRow.id.in_(
                        select(UploadRow.id)
                        .where(UploadRow.expires_at < utcnow())
                        .limit(SWEEP_BATCH)
                        .with_for_update(skip_locked=True)
                    )
                )
                .returning(UploadRow.storage_key)
            )
        ).all()
        await session.commit()
    await delete_objects(storage, [r.storage_key for r in rows])
    if rows:
        log.info("uploads_swept", count=len(rows))
    return len(rows)

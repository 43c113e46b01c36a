"""Per-file image validation of multipart uploads, shared by every route that takes photos.

``api.uploads.read_multipart`` streams the request into temp files (and records the per-file rejections it
can decide while streaming, e.g. ``file_too_large``); :func:`normalise_images` then runs each file through
:func:`shared.imaging.process_image` (in a worker thread, one file at a time) and returns the accepted,
normalised copies plus one :class:`FileRejection` per refused file. :func:`nothing_accepted` is the 422
problem listing every file when none was accepted. Codes match the dataset upload pipeline
(``shared.datasets.service``): ``shared.imaging`` codes plus ``duplicate_image`` and ``no_images_accepted``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import structlog

from shared.config import Settings
from shared.errors import ValidationFailed
from shared.imaging import ImageLimits, ImageRejected, ProcessedImage, process_image

log = structlog.get_logger("shared.uploads")


class UploadLike(Protocol):
    """What an uploaded file must offer (``api.uploads.UploadedFile`` does)."""

    @property
    def path(self) -> Path: ...

    @property
    def display_name(self) -> str: ...


class RejectionLike(Protocol):
    @property
    def filename(self) -> str: ...

    @property
    def code(self) -> str: ...

    @property
    def detail(self) -> str: ...


@dataclass(frozen=True)
class FileRejection:
    filename: str  # sanitised display name
    code: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"filename": self.filename, "code": self.code, "detail": self.detail}


@dataclass(frozen=True)
class AcceptedImage:
    filename: str  # sanitised display name
    path: Path  # the normalised copy (a temp file the caller deletes, see ``NormalisedUploads.cleanup``)
    image: ProcessedImage


@dataclass
class NormalisedUploads:
    accepted: list[AcceptedImage] = field(default_factory=list)
    rejected: list[FileRejection] = field(default_factory=list)

    def cleanup(self) -> None:
        for item in self.accepted:
            item.path.unlink(missing_ok=True)

    async def aclose(self) -> None:
        await asyncio.to_thread(self.cleanup)


def image_limits(settings: Settings) -> ImageLimits:
    return ImageLimits(
        max_pixels=settings.max_image_pixels,
        min_side=settings.min_image_side,
        max_file_bytes=settings.max_file_bytes,
    )


def as_rejections(items: Iterable[RejectionLike]) -> list[FileRejection]:
    return [FileRejection(r.filename, r.code, r.detail) for r in items]


async def normalise_images(
    files: Sequence[UploadLike], tmp_dir: Path, limits: ImageLimits, *, reject_duplicates: bool = True
) -> NormalisedUploads:
    """Validate and normalise every file (upright, metadata-free re-encoding; see ``shared.imaging``).

    With ``reject_duplicates`` a file whose normalised copy equals an earlier file's is refused as
    ``duplicate_image``. On error (or cancellation) the copies made so far are deleted.
    """
    out = NormalisedUploads()
    seen: dict[str, str] = {}
    try:
        for upload in files:
            dst = tmp_dir / f"normalised-{uuid.uuid4().hex}"
            try:
                processed = await asyncio.to_thread(process_image, upload.path, dst, limits)
            except ImageRejected as exc:
                dst.unlink(missing_ok=True)
                out.rejected.append(FileRejection(upload.display_name, exc.code, exc.detail))
                continue
            except MemoryError:
                dst.unlink(missing_ok=True)
                out.rejected.append(
                    FileRejection(
                        upload.display_name,
                        "image_too_large",
                        "The image needs more memory to decode than this server allows.",
                    )
                )
                continue
            except Exception:
                dst.unlink(missing_ok=True)
                log.exception("image_processing_failed", filename=upload.display_name)
                out.rejected.append(
                    FileRejection(upload.display_name, "corrupt_image", "The image could not be decoded.")
                )
                continue
            if reject_duplicates and processed.sha256 in seen:
                dst.unlink(missing_ok=True)
                out.rejected.append(
                    FileRejection(
                        upload.display_name,
                        "duplicate_image",
                        f"Same image as {seen[processed.sha256]!r}, earlier in this upload.",
                    )
                )
                continue
            seen[processed.sha256] = upload.display_name
            out.accepted.append(AcceptedImage(upload.display_name, dst, processed))
    except BaseException:
        out.cleanup()
        raise
    return out


def nothing_accepted(rejected: Sequence[FileRejection]) -> ValidationFailed:
    """422 ``no_images_accepted`` listing why each file was refused (or that none was sent)."""
    if not rejected:
        return ValidationFailed(
            "Send at least one image as a `files` part of a multipart/form-data body.",
            code="no_files",
            errors=[{"loc": ["body", "files"], "code": "missing", "detail": "No file was sent."}],
        )
    return ValidationFailed(
        f"None of the {len(rejected)} uploaded file(s) was accepted; see `errors` for each file.",
        code="no_images_accepted",
        errors=[r.as_dict() for r in rejected],
    )

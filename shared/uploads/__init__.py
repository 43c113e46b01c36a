"""One upload pipeline for every route that takes photos (see :mod:`shared.uploads.pipeline`)."""

from shared.uploads.cleanup import commit_or_delete, delete_objects, purge_prefix
from shared.uploads.incoming import IMAGE_FIELD, IncomingBatch, IncomingFile, name_stem
from shared.uploads.pipeline import (
    DuplicateFilter,
    ImagePipeline,
    Upload,
    image_limits,
    nothing_accepted,
)
from shared.uploads.schemas import REJECTION_CODES, RejectedFile
from shared.uploads.workers import ImageLimiter, ImageWorkers

__all__ = [
    "IMAGE_FIELD",
    "REJECTION_CODES",
    "DuplicateFilter",
    "ImageLimiter",
    "ImagePipeline",
    "ImageWorkers",
    "IncomingBatch",
    "IncomingFile",
    "RejectedFile",
    "Upload",
    "commit_or_delete",
    "delete_objects",
    "image_limits",
    "name_stem",
    "nothing_accepted",
    "purge_prefix",
]

"""The one rejection schema: every route that takes photos lists its refused files with it."""

from __future__ import annotations

from pydantic import BaseModel, Field

REJECTION_CODES = (
    "unsupported_format",
    "corrupt_image",
    "image_too_large",
    "image_too_small",
    "file_too_large",
    "unsupported_image_mode",
    "duplicate_image",
    "dataset_full",
    "unexpected_field",
    "caption_too_large",
    "invalid_caption",
    "duplicate_caption",
    "caption_without_image",
    "image_not_in_generation",
)


class RejectedFile(BaseModel):
    filename: str = Field(description="The part's file name, sanitised for display.")
    code: str = Field(description="Why it was refused: " + ", ".join(f"`{c}`" for c in REJECTION_CODES) + ".")
    detail: str

"""Request and response bodies of the dataset and image routes."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.metadata import END_USER_DESCRIPTION, EndUser, MetadataPatch, TaggedCreate, TaggedOut
from shared.trainings.schemas import TRIGGER_PATTERN
from shared.uploads.schemas import RejectedFile

DatasetKind = Literal["subject", "style"]
MAX_CAPTION_CHARS = 4000


def _clean_text(value: str | None, *, multiline: bool) -> str | None:
    """NFC, stripped, no control/format characters (newlines and tabs allowed when ``multiline``)."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value).strip()
    allowed = "\n\t" if multiline else ""
    for ch in value:
        if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cf", "Cs"):
            raise ValueError("must not contain control or format characters")
    return value


class _DatasetFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("name", "trigger_word", mode="before", check_fields=False)
    @classmethod
    def _single_line(cls, value: object) -> object:
        return _clean_text(value, multiline=False) if isinstance(value, str) else value

    @field_validator("description", mode="before", check_fields=False)
    @classmethod
    def _multi_line(cls, value: object) -> object:
        return _clean_text(value, multiline=True) if isinstance(value, str) else value


class DatasetCreate(_DatasetFields, TaggedCreate):
    name: str = Field(min_length=1, max_length=200, examples=["Zoe, portraits"])
    description: str | None = Field(default=None, max_length=2000)
    trigger_word: str | None = Field(
        default=None,
        pattern=TRIGGER_PATTERN,
        description="Word the trained LoRA associates with the subject or style (default for trainings).",
        examples=["ZOE"],
    )
    kind: DatasetKind = Field(default="subject", description="A subject (person, object) or a style.")


class DatasetPatch(_DatasetFields):
    """Only the fields sent change; `description` and `trigger_word` may be set to null."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    trigger_word: str | None = Field(default=None, pattern=TRIGGER_PATTERN)
    kind: DatasetKind | None = None
    metadata: MetadataPatch | None = None
    end_user: EndUser = Field(default=None, description=END_USER_DESCRIPTION + " Null clears it.")


class DatasetOut(TaggedOut):
    id: str
    name: str
    description: str | None
    trigger_word: str | None
    kind: DatasetKind
    image_count: int
    total_bytes: int = Field(description="Sum of the stored images' sizes.")
    created_at: datetime
    updated_at: datetime


ImageContentType = Literal["image/jpeg", "image/png", "image/webp"]


class ImageOut(BaseModel):
    id: str
    dataset_id: str
    filename: str = Field(description="The uploaded file name, sanitised for display (never a storage key).")
    content_type: ImageContentType
    width: int = Field(description="Width of the stored (upright) image.")
    height: int = Field(description="Height of the stored (upright) image.")
    size_bytes: int = Field(description="Size of the stored copy (re-encoded, metadata stripped).")
    sha256: str = Field(description="SHA-256 of the stored copy (lowercase hex).")
    caption: str | None
    url: str = Field(description="Short-lived signed URL of the stored image.")
    created_at: datetime


class ImagePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    caption: str | None = Field(max_length=MAX_CAPTION_CHARS, description="New caption; null or empty clears it.")

    @field_validator("caption", mode="before")
    @classmethod
    def _clean(cls, value: object) -> object:
        return _clean_text(value, multiline=True) if isinstance(value, str) else value


class UploadResult(BaseModel):
    images: list[ImageOut] = Field(description="Accepted images, in request order.")
    rejected: list[RejectedFile] = Field(description="Files (and captions) that were refused, with a code each.")

"""Characters as the API takes and returns them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.catalog.modes import MAX_SEED, ImageSize, ImageSizePreset
from shared.metadata import EndUser, Metadata, MetadataPatch, TaggedCreate, TaggedOut
from shared.trainings.schemas import Trainer

CharacterStatus = Literal["draft", "referenced", "training", "trained", "failed"]
MAX_MODIFIERS = 10
MAX_VARIATIONS = 20


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must contain more than whitespace")
    return value


class _Profile(BaseModel):
    @field_validator("name", "description", "art_style", check_fields=False)
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return _not_blank(value)

    @field_validator("style_modifiers", check_fields=False)
    @classmethod
    def _mods(cls, value: list[str] | None) -> list[str] | None:
        for item in value or []:
            _not_blank(item)
        return value


class CharacterCreate(_Profile, TaggedCreate):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["Mira"])
    description: str = Field(
        min_length=1,
        max_length=1000,
        description="What the character looks like; it goes into every prompt built for it.",
        examples=["a young elf mage with silver hair and green eyes, wearing a blue robe"],
    )
    art_style: str | None = Field(default=None, max_length=200, examples=["digital painting, fantasy art"])
    style_modifiers: list[str] = Field(
        default_factory=list,
        max_length=MAX_MODIFIERS,
        description="Short extra style words (each ≤ 60 characters), appended last to every prompt.",
        examples=[["dramatic lighting", "highly detailed"]],
    )

    @field_validator("style_modifiers")
    @classmethod
    def _short(cls, value: list[str]) -> list[str]:
        if any(len(m) > 60 for m in value):
            raise ValueError("each modifier is at most 60 characters")
        return value


class CharacterPatch(_Profile):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, min_length=1, max_length=1000)
    art_style: str | None = Field(default=None, max_length=200, description="`null` removes it.")
    style_modifiers: list[str] | None = Field(default=None, max_length=MAX_MODIFIERS)
    metadata: MetadataPatch | None = None


class ReferenceOut(BaseModel):
    generation_id: str
    image_id: str
    seed: int | None = Field(description="The seed the reference was generated with (scenes reuse it before training).")
    url: str = Field(description="Short-lived signed URL of the stored image.")
    thumbnail_url: str


class CharacterOut(TaggedOut):
    model_config = ConfigDict(protected_namespaces=())

    id: str
    name: str
    description: str
    art_style: str | None
    style_modifiers: list[str]
    trigger_word: str = Field(description="The LoRA's trigger word; scene prompts start with it once trained.")
    reference: ReferenceOut | None
    dataset_id: str | None = Field(description="The character's own dataset (made when a reference is picked).")
    model_id: str | None = Field(description="The character's LoRA, once trained.")
    training_id: str | None = Field(description="The latest training of the character.")
    status: CharacterStatus = Field(
        description="`draft` until a reference is picked, then `referenced`; `training` while `…/train` runs, "
        "then `trained` or `failed`."
    )
    error: dict[str, str] | None = Field(default=None, description="Why the last training failed (`code`, `message`).")
    created_at: datetime
    updated_at: datetime


class ReferencesCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    num_images: int = Field(default=4, ge=1, le=4, description="Candidates to choose from.")
    seed: int | None = Field(
        default=None, ge=0, le=MAX_SEED, description="A new random seed on every call unless given."
    )


class ReferencePick(BaseModel):
    model_config = ConfigDict(extra="forbid")

    generation_id: str = Field(max_length=40, description="One of the character's reference generations.")
    image_id: str = Field(max_length=40, description="The chosen image of it (`gim_…`).")


class CharacterTrain(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trainer: Trainer = "fast"
    params: dict[str, Any] = Field(
        default_factory=dict, description="The trainer's inputs, as for `POST /v1/trainings`."
    )
    variations: int | None = Field(
        default=None,
        ge=0,
        le=MAX_VARIATIONS,
        description="How many image-to-image variations of the reference to add first (default: as many as "
        "the dataset lacks to reach the trainer's minimum).",
    )


class SceneCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scene: str = Field(min_length=1, max_length=2000, examples=["casting a fire spell in a dark dungeon"])
    num_images: int | None = Field(default=None, ge=1, le=4)
    image_size: ImageSizePreset | ImageSize | None = None
    seed: int | None = Field(
        default=None, ge=0, le=MAX_SEED, description="Before training the reference's seed is used unless given."
    )
    end_user: EndUser = Field(default=None, description="Defaults to the character's `end_user`.")
    metadata: Metadata = Field(default_factory=dict)

    @field_validator("scene")
    @classmethod
    def _scene(cls, value: str) -> str:
        return _not_blank(value) or value

"""Characters (seed 001) and their training flow's job rows.

A :class:`Character` is a profile plus what it has gathered: the picked reference, its own dataset and,
once trained, its LoRA. :class:`CharacterJob` is the declared job of ``POST /v1/characters/{id}/train``
(kind ``character``); its id *is* the character's id (one flow per character, restarted in place by a
new ``…/train``), so its events carry ``job_id`` = the character id as the contract says.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base
from shared.metadata import TaggedMixin, tag_indexes
from shared.models.base import OwnedMixin, TimestampMixin
from shared.models.jobs import JobMixin, JobStatus, status_column


class CharacterJobStatus(JobStatus):
    QUEUED = "queued"
    VARYING = "varying"  # image-to-image variations of the reference are being made and added
    TRAINING = "training"  # the training was started; waiting for it
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class Character(TaggedMixin, OwnedMixin, TimestampMixin, Base):
    __tablename__ = "characters"
    __table_args__ = tag_indexes("characters")

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    art_style: Mapped[str | None] = mapped_column(String(200))
    style_modifiers: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    base_model_id: Mapped[str] = mapped_column(String(40), nullable=False)
    trigger_word: Mapped[str] = mapped_column(String(100), nullable=False)
    # {generation_id, image_id, seed}: the picked picture (its stored copy is the dataset's first image)
    reference: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # No FKs: deleting a character deletes these explicitly; a model deleted on its own leaves a dangling id.
    dataset_id: Mapped[str | None] = mapped_column(String(40))
    model_id: Mapped[str | None] = mapped_column(String(40))
    training_id: Mapped[str | None] = mapped_column(String(40))


class CharacterJob(JobMixin, Base):
    __tablename__ = "character_jobs"

    status: Mapped[CharacterJobStatus] = status_column(CharacterJobStatus)
    id: Mapped[str] = mapped_column(ForeignKey("characters.id", ondelete="CASCADE"), primary_key=True)
    training_id: Mapped[str] = mapped_column(String(40), nullable=False)
    # the variation generations, made in the transaction that started the flow (so never twice)
    variation_ids: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    variations_added: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

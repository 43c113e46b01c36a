from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base
from shared.models.base import TimestampMixin


class Model(TimestampMixin, Base):
    """A base model of the global catalogue (``owner_id`` NULL) or an owner's trained LoRA."""

    __tablename__ = "models"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str | None] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    type: Mapped[str] = mapped_column(String(20), nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    base_model_id: Mapped[str | None] = mapped_column(ForeignKey("models.id", ondelete="RESTRICT"))
    training_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    trigger_word: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(1000))
    generation_endpoint: Mapped[str | None] = mapped_column(String(200))
    trainers: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    weights_key: Mapped[str | None] = mapped_column(String(500))
    weights_size: Mapped[int | None] = mapped_column(BigInteger)
    weights_sha256: Mapped[str | None] = mapped_column(String(64))
    config_key: Mapped[str | None] = mapped_column(String(500))
    config_size: Mapped[int | None] = mapped_column(BigInteger)
    config_sha256: Mapped[str | None] = mapped_column(String(64))
    # The LoRA a retraining continued (no FK: a model keeps its lineage when the parent is deleted).
    parent_model_id: Mapped[str | None] = mapped_column(String(40))

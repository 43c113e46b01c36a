from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base
from shared.models.base import OwnedMixin, Timestamp, TimestampMixin


class Upload(OwnedMixin, TimestampMixin, Base):
    """One image uploaded on its own (an init image, a mask, a reference), validated like dataset images.

    ``expires_at`` is cleared once a job uses it; until then the cleanup cron deletes it (row and object)
    after ``expires_at``.
    """

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(50), nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(500), nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp, index=True)

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import utcnow

Timestamp = DateTime(timezone=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        Timestamp, nullable=False, default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class OwnedMixin:
    owner_id: Mapped[str] = mapped_column(String(40), nullable=False, index=True)

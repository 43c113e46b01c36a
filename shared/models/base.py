from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import utcnow
from shared.ids import id_time

Timestamp = DateTime(timezone=True)


def _created_at(context: DefaultExecutionContext) -> datetime:
    """The moment the row's id was made (``shared.ids``), so ``created_at`` and id order agree; now otherwise."""
    row_id = context.get_current_parameters().get("id")  # type: ignore[no-untyped-call]
    return (id_time(row_id) if isinstance(row_id, str) else None) or utcnow()


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        Timestamp, nullable=False, default=_created_at, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        Timestamp, nullable=False, default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class OwnedMixin:
    owner_id: Mapped[str] = mapped_column(String(40), nullable=False, index=True)

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow
from shared.models.base import Timestamp


class Owner(Base):
    __tablename__ = "owners"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, default=utcnow, server_default=func.now())


class ApiKey(Base):
    """An API key: only its SHA-256 is stored; ``prefix`` lets humans tell keys apart."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(20), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, default=utcnow, server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)


class IdempotencyKey(Base):
    """First response to a create request, replayed for the same ``Idempotency-Key`` (kept 24 h)."""

    __tablename__ = "idempotency_keys"

    owner_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    response_status: Mapped[int | None] = mapped_column()
    response_body: Mapped[bytes | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(
        Timestamp, nullable=False, default=utcnow, server_default=func.now(), index=True
    )

"""End users, their credits and usage (handbook section 11's tables).

``end_users.balance`` is what an end user can spend; ``reserved`` is held by jobs not yet settled. Every
change of ``balance`` writes a ``credit_ledger`` row whose ``amount`` is that change, so the ledger sums to
the balance. ``usage_records`` has one row per job admitted for an end user: what it counts against its
quota, the reservation it holds until it is settled; settling moves it ``open`` → outcome once (idempotent).
The end user's row keeps the current window's counts beside the balance, so that admission checks and moves
both in the one statement that locks the row; they equal the sums over ``usage_records`` (tests check it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow
from shared.models.base import Timestamp


class BillingPolicy(Base):
    """An owner's policy document (absent: every member has its default)."""

    __tablename__ = "billing_policies"

    owner_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, default=utcnow, server_default=func.now())


class EndUser(Base):
    """The app's own user, named by ``external_id`` (the API's ``id``); ``pk`` orders them newest first."""

    __tablename__ = "end_users"
    __table_args__ = (
        UniqueConstraint("owner_id", "external_id"),
        CheckConstraint("balance >= 0", name="balance_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("open_jobs >= 0", name="open_jobs_not_negative"),
    )

    pk: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(40), nullable=False)
    external_id: Mapped[str] = mapped_column(String(128), nullable=False)
    balance: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")
    reserved: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")
    limit_overrides: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    # Lifetime totals for /metrics, kept on the row the settle already locks (no hot global row).
    captured_total: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")
    refunded_total: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")
    # Usage as admission checks it, on the row it locks (one statement, no count over usage_records): per
    # metered job type, the UTC day or month a count belongs to and the count; and the jobs not yet settled.
    open_jobs: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    generation_window: Mapped[datetime | None] = mapped_column(Timestamp)
    generation_used: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")
    training_window: Mapped[datetime | None] = mapped_column(Timestamp)
    training_used: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")
    mesh_window: Mapped[datetime | None] = mapped_column(Timestamp)
    mesh_used: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")
    video_window: Mapped[datetime | None] = mapped_column(Timestamp)
    video_used: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, default=utcnow, server_default=func.now())


class LedgerEntry(Base):
    __tablename__ = "credit_ledger"
    __table_args__ = (
        Index("ix_credit_ledger_end_user_pk_id", "end_user_pk", "id"),
        # One entry of each kind per job: a repeated settle cannot refund or capture twice.
        Index(
            "uq_credit_ledger_job",
            "job_type",
            "job_id",
            "kind",
            unique=True,
            postgresql_where=text("job_id IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(40), nullable=False)
    end_user_pk: Mapped[str] = mapped_column(ForeignKey("end_users.pk", ondelete="CASCADE"), nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    job_type: Mapped[str | None] = mapped_column(String(20))
    job_id: Mapped[str | None] = mapped_column(String(40))
    quantity: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(String(500))
    balance_after: Mapped[int] = mapped_column(BigInteger, nullable=False)
    created_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, default=utcnow, server_default=func.now())


class UsageRecord(Base):
    """A job admitted for an end user: ``counted`` is what it counts against its quota (given back when the
    job fails or is canceled), ``reserved`` the credits it holds until settled."""

    __tablename__ = "usage_records"
    __table_args__ = (
        Index("ix_usage_records_end_user_pk_job_type_created_at", "end_user_pk", "job_type", "created_at"),
        Index("ix_usage_records_open", "end_user_pk", postgresql_where=text("status = 'open'")),
    )

    job_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(40), nullable=False)
    end_user_pk: Mapped[str] = mapped_column(ForeignKey("end_users.pk", ondelete="CASCADE"), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    counted: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_price: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reserved: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    created_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, default=utcnow, server_default=func.now())
    settled_at: Mapped[datetime | None] = mapped_column(Timestamp)

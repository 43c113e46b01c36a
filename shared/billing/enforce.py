"""Admitting a job for an end user, and settling it when it ends — each in the caller's transaction.

``admit`` runs in the transaction that creates the job, under a row lock of the end user (``SELECT … FOR
UPDATE``, the row created first with ``INSERT … ON CONFLICT DO NOTHING``): concurrent creates for one end
user queue on that lock, so each sees the usage and balance the previous one left, the balance never goes
below zero and no job escapes its quota or its charge. A refused create rolls back with everything else.

``settle`` runs in the transaction of the job's move into a terminal state. It moves the job's usage
record from ``open`` to the outcome with a conditional ``UPDATE … WHERE status = 'open'``, so a repeated
settle changes nothing (and the ledger has at most one entry of each kind per job besides). On success it
captures what was delivered (generations: per image) and refunds the rest; on failure or cancel it refunds
everything and gives the job's count back to the quota.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.billing.errors import EndUserRequired, InsufficientCredits, QuotaExceeded
from shared.billing.policy import METERS, Limits, Meter, Policy, load_policy
from shared.db import utcnow
from shared.ids import new_id
from shared.models import EndUser, LedgerEntry, UsageRecord

Outcome = Literal["succeeded", "failed", "canceled"]


@dataclass(frozen=True)
class Admission:
    end_user: str
    quantity: int
    reserved: int


def period_bounds(period: Literal["day", "month"], now: datetime) -> tuple[datetime, datetime]:
    """The UTC day or month containing ``now``: [start, end)."""
    if period == "day":
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return start, start + timedelta(days=1)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


def effective_limits(policy: Policy, user: EndUser) -> Limits:
    """The policy's limits with the end user's overrides on top (an override of null is unlimited)."""
    return Limits.model_validate({**policy.limits.model_dump(), **user.limit_overrides})


async def lock_end_user(session: AsyncSession, owner_id: str, external_id: str) -> EndUser:
    """The end user's row, created if new, locked until the transaction ends."""
    await session.execute(
        insert(EndUser)
        .values(pk=new_id("end_user"), owner_id=owner_id, external_id=external_id)
        .on_conflict_do_nothing(index_elements=[EndUser.owner_id, EndUser.external_id])
    )
    user = await session.scalar(
        select(EndUser)
        .where(EndUser.owner_id == owner_id, EndUser.external_id == external_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert user is not None
    return user


async def add_ledger_entry(
    session: AsyncSession,
    user: EndUser,
    kind: str,
    amount: int,
    *,
    job_type: str | None = None,
    job_id: str | None = None,
    quantity: int | None = None,
    description: str | None = None,
) -> LedgerEntry:
    entry = LedgerEntry(
        id=new_id("ledger_entry"),
        owner_id=user.owner_id,
        end_user_pk=user.pk,
        amount=amount,
        kind=kind,
        job_type=job_type,
        job_id=job_id,
        quantity=quantity,
        description=description,
        balance_after=user.balance,
    )
    session.add(entry)
    return entry


async def _check_quota(
    session: AsyncSession, user: EndUser, job_type: str, meter: Meter, limits: Limits, quantity: int, now: datetime
) -> None:
    limit = getattr(limits, meter.limit)
    if limit is not None:
        start, end = period_bounds(meter.period, now)
        used = await session.scalar(
            select(func.coalesce(func.sum(UsageRecord.counted), 0)).where(
                UsageRecord.end_user_pk == user.pk, UsageRecord.job_type == job_type, UsageRecord.created_at >= start
            )
        )
        if int(used or 0) + quantity > limit:
            raise QuotaExceeded(meter.limit, limit, int(used or 0), quantity, end)
    if limits.concurrent_jobs is not None:
        running = await session.scalar(
            select(func.count()).where(UsageRecord.end_user_pk == user.pk, UsageRecord.status == "open")
        )
        if int(running or 0) + 1 > limits.concurrent_jobs:
            raise QuotaExceeded("concurrent_jobs", limits.concurrent_jobs, int(running or 0), 1, None)


async def admit(
    session: AsyncSession, owner_id: str, end_user: str | None, job_type: str, job_id: str, quantity: int
) -> Admission | None:
    """Count, check and charge a job about to be created (call before creating it, in its transaction).

    Raises 429 ``quota_exceeded``, 402 ``insufficient_credits`` or 422 ``end_user_required``; returns None
    when the job names no end user (nothing to count) and the policy does not require one."""
    meter = METERS[job_type]
    policy = await load_policy(session, owner_id)
    price: int = getattr(policy.prices, meter.price)
    charged = policy.credits_required and price > 0
    if end_user is None:
        if charged:
            raise EndUserRequired(job_type)
        return None
    user = await lock_end_user(session, owner_id, end_user)
    now = utcnow()
    await _check_quota(session, user, job_type, meter, effective_limits(policy, user), quantity, now)
    reserved = price * quantity if charged else 0
    if reserved:
        if user.balance < reserved:
            raise InsufficientCredits(user.balance, reserved)
        user.balance -= reserved
        user.reserved += reserved
        await add_ledger_entry(session, user, "reserve", -reserved, job_type=job_type, job_id=job_id, quantity=quantity)
    session.add(
        UsageRecord(
            job_type=job_type,
            job_id=job_id,
            owner_id=owner_id,
            end_user_pk=user.pk,
            quantity=quantity,
            counted=quantity,
            unit_price=price if charged else 0,
            reserved=reserved,
            status="open",
            created_at=now,
        )
    )
    await session.flush()
    return Admission(end_user=end_user, quantity=quantity, reserved=reserved)


async def _ledger_once(session: AsyncSession, values: dict[str, object]) -> None:
    """A job's ledger entry unless one of its kind exists (the partial unique index)."""
    await session.execute(
        insert(LedgerEntry)
        .values(id=new_id("ledger_entry"), **values)
        .on_conflict_do_nothing(
            index_elements=[LedgerEntry.job_type, LedgerEntry.job_id, LedgerEntry.kind],
            index_where=LedgerEntry.job_id.is_not(None),
        )
    )


async def settle(
    session: AsyncSession, job_type: str, job_id: str, outcome: Outcome, delivered_quantity: int | None = None
) -> bool:
    """Settle a job that ended (call in the transaction of its terminal transition). ``delivered_quantity``
    is what a successful job delivered (None: all it asked for). Returns False when there was nothing to
    settle: the job named no end user, or it was settled already."""
    delivered: Any = literal(0) if outcome != "succeeded" else UsageRecord.quantity
    if outcome == "succeeded" and delivered_quantity is not None:
        delivered = func.least(UsageRecord.quantity, max(0, delivered_quantity))
    record = await session.scalar(
        update(UsageRecord)
        .where(UsageRecord.job_type == job_type, UsageRecord.job_id == job_id, UsageRecord.status == "open")
        .values(status=outcome, settled_at=utcnow(), counted=delivered)
        .returning(UsageRecord)
        .execution_options(populate_existing=True)
    )
    if record is None:
        return False
    if not record.reserved:
        return True
    captured = min(record.reserved, record.counted * record.unit_price)
    refunded = record.reserved - captured
    balance = await session.scalar(
        update(EndUser)
        .where(EndUser.pk == record.end_user_pk)
        .values(
            balance=EndUser.balance + refunded,
            reserved=EndUser.reserved - record.reserved,
            captured_total=EndUser.captured_total + captured,
            refunded_total=EndUser.refunded_total + refunded,
        )
        .returning(EndUser.balance)
    )
    common = {
        "owner_id": record.owner_id,
        "end_user_pk": record.end_user_pk,
        "job_type": job_type,
        "job_id": job_id,
        "balance_after": balance,
    }
    if record.counted:
        await _ledger_once(session, {**common, "kind": "capture", "amount": 0, "quantity": record.counted})
    if refunded:
        refund_quantity = record.quantity - record.counted
        await _ledger_once(session, {**common, "kind": "refund", "amount": refunded, "quantity": refund_quantity})
    return True


__all__ = ["Admission", "Outcome", "admit", "effective_limits", "period_bounds", "settle"]

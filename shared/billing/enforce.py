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

from sqlalchemy import BigInteger, String, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.billing.errors import EndUserRequired, InsufficientCredits, QuotaExceeded
from shared.billing.policy import METERS, Limits, Policy, load_policy
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


def effective_limits(policy: Policy, overrides: dict[str, Any]) -> Limits:
    """The policy's limits with the end user's overrides on top (an override of null is unlimited)."""
    return Limits.model_validate({**policy.limits.model_dump(), **overrides})


async def lock_end_user(session: AsyncSession, owner_id: str, external_id: str) -> EndUser:
    """The end user's row, created if new, locked until the transaction ends."""
    locked = (
        select(EndUser)
        .where(EndUser.owner_id == owner_id, EndUser.external_id == external_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    user: EndUser | None = await session.scalar(locked)
    if user is None:  # first time named: create it (a concurrent first create may win; then lock theirs)
        await session.execute(
            insert(EndUser)
            .values(pk=new_id("end_user"), owner_id=owner_id, external_id=external_id)
            .on_conflict_do_nothing(index_elements=[EndUser.owner_id, EndUser.external_id])
        )
        user = await session.scalar(locked)
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


_CHARGE = text(
    """
    UPDATE end_users SET balance = balance - :reserved, reserved = reserved + :reserved
    WHERE owner_id = :owner_id AND external_id = :end_user AND balance >= :reserved
    RETURNING pk, balance, limit_overrides
    """
).columns(pk=String, balance=BigInteger, limit_overrides=JSONB)

# The usage record, only if the quotas allow it, and the reservation's ledger entry: one statement, run
# while the end user's row is locked (a statement started after the lock sees every earlier admission).
_RECORD = text(
    """
    WITH p AS (
        SELECT CAST(:limit AS bigint) AS lim, CAST(:concurrent AS bigint) AS concurrent, CAST(:pk AS text) AS pk,
               CAST(:job_type AS text) AS job_type, CAST(:job_id AS text) AS job_id,
               CAST(:owner_id AS text) AS owner_id, CAST(:since AS timestamptz) AS since,
               CAST(:now AS timestamptz) AS now, CAST(:quantity AS integer) AS quantity,
               CAST(:price AS integer) AS price, CAST(:reserved AS bigint) AS reserved,
               CAST(:entry_id AS text) AS entry_id, CAST(:balance AS bigint) AS balance,
               CAST(:insert AS boolean) AS insert
    ), counts AS (
        SELECT
            CASE WHEN p.lim IS NULL THEN 0 ELSE (
                SELECT coalesce(sum(u.counted), 0) FROM usage_records u
                WHERE u.end_user_pk = p.pk AND u.job_type = p.job_type AND u.created_at >= p.since
            ) END AS used,
            CASE WHEN p.concurrent IS NULL THEN 0 ELSE (
                SELECT count(*) FROM usage_records u WHERE u.end_user_pk = p.pk AND u.status = 'open'
            ) END AS running
        FROM p
    ), admitted AS (
        INSERT INTO usage_records
            (job_type, job_id, owner_id, end_user_pk, quantity, counted, unit_price, reserved, status, created_at)
        SELECT p.job_type, p.job_id, p.owner_id, p.pk, p.quantity, p.quantity, p.price, p.reserved, 'open', p.now
        FROM p, counts
        WHERE p.insert
          AND (p.lim IS NULL OR counts.used + p.quantity <= p.lim)
          AND (p.concurrent IS NULL OR counts.running + 1 <= p.concurrent)
        RETURNING job_id
    ), reservation AS (
        INSERT INTO credit_ledger
            (id, owner_id, end_user_pk, amount, kind, job_type, job_id, quantity, balance_after, created_at)
        SELECT p.entry_id, p.owner_id, p.pk, -p.reserved, 'reserve', p.job_type, p.job_id, p.quantity, p.balance, p.now
        FROM p, admitted
        WHERE p.reserved > 0
    )
    SELECT used, running, EXISTS (SELECT 1 FROM admitted) AS admitted FROM counts
    """
)


async def _lock_and_charge(
    session: AsyncSession, owner_id: str, end_user: str, reserved: int
) -> tuple[str, int, dict[str, Any]] | int:
    """Lock the end user's row and take ``reserved`` from the balance: (pk, balance after, overrides), or
    the balance when it is too low. One statement when the end user exists and can pay (the usual case)."""
    params = {"owner_id": owner_id, "end_user": end_user, "reserved": reserved}
    row = (await session.execute(_CHARGE, params)).one_or_none()
    if row is None:  # new end user, or too few credits: create if needed, then look under the lock
        user = await lock_end_user(session, owner_id, end_user)
        if user.balance < reserved:
            return user.balance
        row = (await session.execute(_CHARGE, params)).one()
    return row.pk, row.balance, row.limit_overrides


async def admit(
    session: AsyncSession, owner_id: str, end_user: str | None, job_type: str, job_id: str, quantity: int
) -> Admission | None:
    """Count, check and charge a job about to be created (call before creating it, in its transaction).

    Raises 429 ``quota_exceeded`` (limits are checked first), 402 ``insufficient_credits`` or 422
    ``end_user_required``; returns None when the job names no end user (nothing to count) and the policy
    does not require one. Two statements under the end user's row lock in the usual case."""
    meter = METERS[job_type]
    policy = await load_policy(session, owner_id)
    price: int = getattr(policy.prices, meter.price)
    charged = policy.credits_required and price > 0
    if end_user is None:
        if charged:
            raise EndUserRequired(job_type)
        return None
    reserved = price * quantity if charged else 0
    locked = await _lock_and_charge(session, owner_id, end_user, reserved)
    pk, balance, overrides = locked if isinstance(locked, tuple) else (None, locked, None)
    if pk is None:  # too few credits; a quota refusal still takes precedence
        user = await lock_end_user(session, owner_id, end_user)
        pk, overrides = user.pk, user.limit_overrides
    limits = effective_limits(policy, overrides or {})
    limit: int | None = getattr(limits, meter.limit)
    now = utcnow()
    since, resets_at = period_bounds(meter.period, now)
    counts = (
        await session.execute(
            _RECORD,
            {
                "limit": limit,
                "concurrent": limits.concurrent_jobs,
                "pk": pk,
                "job_type": job_type,
                "insert": isinstance(locked, tuple),
                "job_id": job_id,
                "owner_id": owner_id,
                "since": since,
                "now": now,
                "quantity": quantity,
                "price": price if charged else 0,
                "reserved": reserved,
                "entry_id": new_id("ledger_entry"),
                "balance": balance,
            },
        )
    ).one()
    if limit is not None and counts.used + quantity > limit:
        raise QuotaExceeded(meter.limit, limit, counts.used, quantity, resets_at)
    if limits.concurrent_jobs is not None and counts.running + 1 > limits.concurrent_jobs:
        raise QuotaExceeded("concurrent_jobs", limits.concurrent_jobs, counts.running, 1, None)
    if not isinstance(locked, tuple):
        raise InsufficientCredits(balance, reserved)
    assert counts.admitted
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

"""Admitting a job for an end user, and settling it when it ends — each in the caller's transaction.

``admit`` runs in the transaction that creates the job, as late as it can (its caller creates the job
first, so what follows before the commit is short): one ``UPDATE … RETURNING`` on the end user's row takes
the row lock and, only if every check passes, the credits, the quota count and the concurrency slot, and
the same statement (a CTE) writes the job's usage record and the reservation's ledger entry. The counts it
checks live on that row (``<type>_window``/``<type>_used``, ``open_jobs``), so under READ COMMITTED a
create that waited for the lock re-checks the conditions against the row as the previous admission left it:
the balance never goes below zero and no job escapes its quota or its charge. When the statement changes
nothing (a new end user, or a refusal) the row is created if needed and locked, and the refusal is named
from what it holds (limits first, then credits). A refused create rolls back with everything else.

``settle`` runs in the transaction of the job's move into a terminal state. It moves the job's usage
record from ``open`` to the outcome with a conditional ``UPDATE … WHERE status = 'open'``, so a repeated
settle changes nothing (and the ledger has at most one entry of each kind per job besides). On success it
captures what was delivered (generations: per image) and refunds the rest; on failure or cancel it refunds
everything and gives the job's count back to the quota (to the window it was counted in, if still current).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import BigInteger, ColumnElement, String, TextualSelect, case, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import insert
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


def _limit_sql(name: str, param: str) -> str:
    """The effective limit in SQL: the end user's override when it names one (JSON null: unlimited), else
    the policy's (a bound parameter; null: unlimited) — what ``effective_limits`` computes."""
    return (
        f"CASE WHEN limit_overrides -> '{name}' IS NOT NULL THEN CAST(limit_overrides ->> '{name}' AS bigint) "
        f"ELSE CAST(:{param} AS bigint) END"
    )


def _admit_statement(job_type: str) -> TextualSelect:
    """The one statement that admits a ``job_type`` job: it changes the end user's row only if the window's
    count, the concurrency and the balance allow it, and then records the job and its reservation."""
    meter = METERS[job_type]
    # every parameter typed where it is used (one parameter used in several places must have one type)
    since, now = "CAST(:since AS timestamptz)", "CAST(:now AS timestamptz)"
    quantity, reserved, price = "CAST(:quantity AS integer)", "CAST(:reserved AS bigint)", "CAST(:price AS integer)"
    names = "CAST(:job_type AS text), CAST(:job_id AS text), CAST(:owner_id AS text)"
    used = f"(CASE WHEN {job_type}_window = {since} THEN {job_type}_used ELSE 0 END)"  # 0 in a new window
    limit = _limit_sql(meter.limit, "limit")
    concurrent = _limit_sql("concurrent_jobs", "concurrent")
    # interpolated: only METERS' job types and the fixed fragments above (every value is a bound parameter)
    sql = f"""
        WITH admitted AS (
            UPDATE end_users SET
                balance = balance - {reserved}, reserved = reserved + {reserved}, open_jobs = open_jobs + 1,
                {job_type}_used = {used} + {quantity}, {job_type}_window = {since}
            WHERE owner_id = CAST(:owner_id AS text) AND external_id = CAST(:end_user AS text)
              AND balance >= {reserved}
              AND ({limit} IS NULL OR {used} + {quantity} <= {limit})
              AND ({concurrent} IS NULL OR open_jobs + 1 <= {concurrent})
            RETURNING pk, balance
        ), record AS (
            INSERT INTO usage_records
                (job_type, job_id, owner_id, end_user_pk, quantity, counted, unit_price, reserved, status, created_at)
            SELECT {names}, pk, {quantity}, {quantity}, {price}, {reserved}, 'open', {now}
            FROM admitted
        ), reservation AS (
            INSERT INTO credit_ledger
                (id, job_type, job_id, owner_id, end_user_pk, amount, kind, quantity, balance_after, created_at)
            SELECT CAST(:entry_id AS text), {names}, pk, -{reserved}, 'reserve', {quantity}, balance, {now}
            FROM admitted WHERE {reserved} > 0
        )
        SELECT pk, balance FROM admitted
    """  # noqa: S608
    return text(sql).columns(pk=String, balance=BigInteger)


_ADMIT = {job_type: _admit_statement(job_type) for job_type in METERS}


def user_count(user: EndUser, job_type: str, since: datetime) -> int:
    """What the end user's row counts for ``job_type`` in the window starting ``since``."""
    window: datetime | None = getattr(user, f"{job_type}_window")
    return int(getattr(user, f"{job_type}_used")) if window == since else 0


async def admit(
    session: AsyncSession, owner_id: str, end_user: str | None, job_type: str, job_id: str, quantity: int
) -> Admission | None:
    """Count, check and charge a job (call in its transaction, as late as possible: the end user's row
    stays locked until the commit — creating the job first and admitting it last is fine, a refusal rolls
    both back).

    Raises 429 ``quota_exceeded`` (limits are checked first), 402 ``insufficient_credits`` or 422
    ``end_user_required``; returns None when the job names no end user (nothing to count) and the policy
    does not require one. One statement when the end user exists and is admitted (the usual case)."""
    meter = METERS[job_type]
    policy = await load_policy(session, owner_id)
    price: int = getattr(policy.prices, meter.price)
    charged = policy.credits_required and price > 0
    if end_user is None:
        if charged:
            raise EndUserRequired(job_type)
        return None
    reserved = price * quantity if charged else 0
    now = utcnow()
    since, resets_at = period_bounds(meter.period, now)
    params = {
        "owner_id": owner_id,
        "end_user": end_user,
        "reserved": reserved,
        "quantity": quantity,
        "since": since,
        "limit": getattr(policy.limits, meter.limit),
        "concurrent": policy.limits.concurrent_jobs,
        "job_type": job_type,
        "job_id": job_id,
        "price": price if charged else 0,
        "entry_id": new_id("ledger_entry"),
        "now": now,
    }
    row = (await session.execute(_ADMIT[job_type], params)).one_or_none()
    if row is None:  # new end user, or refused: create if needed, lock, and name the refusal
        user = await lock_end_user(session, owner_id, end_user)
        limits = effective_limits(policy, user.limit_overrides)
        limit: int | None = getattr(limits, meter.limit)
        used = user_count(user, job_type, since)
        if limit is not None and used + quantity > limit:
            raise QuotaExceeded(meter.limit, limit, used, quantity, resets_at)
        if limits.concurrent_jobs is not None and user.open_jobs + 1 > limits.concurrent_jobs:
            raise QuotaExceeded("concurrent_jobs", limits.concurrent_jobs, user.open_jobs, 1, None)
        if user.balance < reserved:
            raise InsufficientCredits(user.balance, reserved)
        row = (await session.execute(_ADMIT[job_type], params)).one()  # under our lock now: admitted
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
    session: AsyncSession,
    job_type: str,
    job_id: str,
    outcome: Outcome,
    delivered_quantity: int | ColumnElement[int] | None = None,
) -> bool:
    """Settle a job that ended (call in the transaction of its terminal transition). ``delivered_quantity``
    is what a successful job delivered (None: all it asked for), a number or a SQL expression evaluated in the
    settling UPDATE. Returns False when there was nothing to
    settle: the job named no end user, or it was settled already."""
    delivered: Any = literal(0) if outcome != "succeeded" else UsageRecord.quantity
    if outcome == "succeeded" and delivered_quantity is not None:
        delivered = func.least(UsageRecord.quantity, func.greatest(0, delivered_quantity))
    record = await session.scalar(
        update(UsageRecord)
        .where(UsageRecord.job_type == job_type, UsageRecord.job_id == job_id, UsageRecord.status == "open")
        .values(status=outcome, settled_at=utcnow(), counted=delivered)
        .returning(UsageRecord)
        .execution_options(populate_existing=True)
    )
    if record is None:
        return False
    captured = min(record.reserved, record.counted * record.unit_price)
    refunded = record.reserved - captured
    given_back = record.quantity - record.counted  # to the window it was counted in, if that is still current
    window, used = getattr(EndUser, f"{job_type}_window"), getattr(EndUser, f"{job_type}_used")
    counted_in, _ = period_bounds(METERS[job_type].period, record.created_at)
    balance = await session.scalar(
        update(EndUser)
        .where(EndUser.pk == record.end_user_pk)
        .values(
            {
                EndUser.open_jobs: EndUser.open_jobs - 1,
                used: case((window == counted_in, used - given_back), else_=used),
                EndUser.balance: EndUser.balance + refunded,
                EndUser.reserved: EndUser.reserved - record.reserved,
                EndUser.captured_total: EndUser.captured_total + captured,
                EndUser.refunded_total: EndUser.refunded_total + refunded,
            }
        )
        .returning(EndUser.balance)
    )
    if not record.reserved:
        return True
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


__all__ = ["Admission", "Outcome", "admit", "effective_limits", "period_bounds", "settle", "user_count"]

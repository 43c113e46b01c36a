"""Leases: how a worker takes a row to work on, keeps it, and how forgotten rows are found again.

Job steps and webhook deliveries both work this way. A worker *claims* a row with one conditional
``UPDATE … WHERE <still as I saw it> … RETURNING`` that pushes the row's lease column into the future, so
of two workers (or a duplicate arq job) only one wins; a *heartbeat* keeps pushing it while the work
runs; a killed worker simply stops and the lease expires. The reconciler (a cron) selects rows that were
*due* more than a grace period ago and whose lease is free, and enqueues them again. Failed attempts wait
an exponential *backoff* with jitter.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Literal

import structlog
from sqlalchemy import ColumnElement, func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = structlog.get_logger("jobs")


def expires(seconds: float) -> ColumnElement[Any]:
    """A lease ``seconds`` from now (database time: every worker agrees on it)."""
    return func.now() + timedelta(seconds=seconds)


def is_free(column: Any) -> ColumnElement[bool]:
    """Nobody holds the lease: never taken, or expired."""
    return or_(column.is_(None), column < func.now())


def is_overdue(column: Any, grace_seconds: float) -> ColumnElement[bool]:
    """Due more than ``grace_seconds`` ago (unset counts as overdue)."""
    return or_(column.is_(None), column < func.now() - timedelta(seconds=grace_seconds))


async def claim(
    session: AsyncSession,
    model: Any,
    lease_column: Any,
    lease_seconds: float,
    where: Sequence[ColumnElement[bool]],
    *,
    values: dict[str, Any] | None = None,
    returning: Sequence[Any],
) -> Any | None:
    """Take the row matching ``where`` (conditions that hold only while the work is still to do) and set its
    lease; None when another worker got there first or the work is no longer wanted. The caller commits."""
    stmt = (
        update(model)
        .where(*where)
        .values({lease_column.key: expires(lease_seconds), **(values or {})})
        .returning(*returning)
    )
    return (await session.execute(stmt)).one_or_none()


async def heartbeat(
    sessionmaker: async_sessionmaker[AsyncSession],
    model: Any,
    lease_column: Any,
    lease_seconds: float,
    where: Sequence[ColumnElement[bool]],
) -> None:
    """Extend the lease every third of its length until cancelled (run it as a task beside the work)."""
    while True:
        await asyncio.sleep(lease_seconds / 3)
        try:
            async with sessionmaker() as session:
                await session.execute(update(model).where(*where).values({lease_column.key: expires(lease_seconds)}))
                await session.commit()
        except Exception as exc:  # the database is away for a moment: try again next beat, never die silently
            log.warning("lease_heartbeat_failed", table=getattr(model, "__tablename__", "?"), error=repr(exc))


async def claim_due(
    session: AsyncSession,
    model: Any,
    where: Sequence[ColumnElement[bool]],
    *,
    values: dict[str, Any],
    returning: Sequence[Any],
) -> Sequence[Any]:
    """Reconcile: take every row matching ``where`` (overdue, lease free — see :func:`is_overdue` and
    :func:`is_free`) and mark it with ``values`` (a new step number, a new lease) so that one cron tick owns
    it; the caller enqueues each returned row and commits."""
    stmt = update(model).where(*where).values(values).returning(*returning)
    # The rows are not loaded in the session (only ids come back): nothing to synchronize, and evaluating the
    # WHERE clause in Python for that cost more than the statement (it runs on every cron tick).
    stmt = stmt.execution_options(synchronize_session=False)
    return (await session.execute(stmt)).all()


def backoff(attempt: int, base: float, cap: float, *, jitter: Literal["full", "equal"] = "full") -> float:
    """Wait before retrying after failed attempt ``attempt`` (1-based): ``base * 2**(attempt-1)`` capped at
    ``cap``; "full" jitter draws from the whole range, "equal" keeps half of it fixed."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    if jitter == "equal":
        return float(delay / 2 + random.uniform(0, delay / 2))
    return float(random.uniform(0, delay))

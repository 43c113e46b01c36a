"""End users as the API shows them: balance, usage, effective limits; limit overrides; grants and debits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from shared.billing.enforce import add_ledger_entry, effective_limits, lock_end_user, period_bounds, user_count
from shared.billing.errors import DebitPastBalance
from shared.billing.policy import METERS, Policy, load_policy
from shared.billing.schemas import Credits, CreditsCreate, EndUserOut, LedgerEntryOut, LimitOverrides, Usage
from shared.db import utcnow
from shared.errors import not_found
from shared.models import EndUser, LedgerEntry
from shared.pagination import Page, paginate
from shared.scope import OwnerScope


def usage_of(user: EndUser, now: datetime) -> Usage:
    """The end user's usage in the current windows: the counts admission checks (kept on its row)."""
    counts: dict[str, int] = {"concurrent_jobs": user.open_jobs}
    for job_type, meter in METERS.items():
        since, _ = period_bounds(meter.period, now)
        counts[meter.limit] = user_count(user, job_type, since)
    return Usage.model_validate(counts)


def end_user_out(policy: Policy, user: EndUser, usage: Usage) -> EndUserOut:
    return EndUserOut(
        id=user.external_id,
        credits=Credits(balance=user.balance, reserved=user.reserved),
        usage=usage,
        limits=effective_limits(policy, user.limit_overrides),
        limit_overrides=dict(user.limit_overrides),
        created_at=user.created_at,
    )


async def _find(scope: OwnerScope, external_id: str, *, for_update: bool = False) -> EndUser:
    stmt = scope.select(EndUser).where(EndUser.external_id == external_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    user: EndUser | None = await scope.session.scalar(stmt)
    if user is None:
        raise not_found("end_user", external_id)
    return user


async def _render(scope: OwnerScope, users: Sequence[EndUser]) -> list[EndUserOut]:
    policy = await load_policy(scope.session, scope.owner_id)
    now = utcnow()
    return [end_user_out(policy, u, usage_of(u, now)) for u in users]


async def get_end_user(scope: OwnerScope, external_id: str) -> EndUserOut:
    return (await _render(scope, [await _find(scope, external_id)]))[0]


async def list_end_users(scope: OwnerScope, *, limit: int, after: str | None) -> Page[EndUserOut]:
    rows = await paginate(scope.session, scope.select(EndUser), EndUser.pk, limit=limit, after=after)
    return rows.page(await _render(scope, rows.items))


async def set_limits(scope: OwnerScope, external_id: str, overrides: LimitOverrides) -> EndUserOut:
    user = await _find(scope, external_id, for_update=True)
    user.limit_overrides = overrides.model_dump(exclude_unset=True)
    await scope.session.flush()
    return (await _render(scope, [user]))[0]


async def add_credits(scope: OwnerScope, external_id: str, body: CreditsCreate) -> LedgerEntryOut:
    """A grant (amount > 0) or a debit (amount < 0, 409 past the balance); names the end user into being."""
    user = await lock_end_user(scope.session, scope.owner_id, external_id)
    if user.balance + body.amount < 0:
        raise DebitPastBalance(user.balance, -body.amount)
    user.balance += body.amount
    kind = "grant" if body.amount > 0 else "debit"
    entry = await add_ledger_entry(scope.session, user, kind, body.amount, description=body.description)
    await scope.session.flush()
    return LedgerEntryOut.model_validate(entry)


async def list_ledger(scope: OwnerScope, external_id: str, *, limit: int, after: str | None) -> Page[LedgerEntryOut]:
    """The end user's ledger, newest first."""
    user = await _find(scope, external_id)
    stmt = select(LedgerEntry).where(LedgerEntry.end_user_pk == user.pk)
    rows = await paginate(scope.session, stmt, LedgerEntry.id, limit=limit, after=after)
    return rows.page([LedgerEntryOut.model_validate(e) for e in rows.items])

"""``admit`` and ``settle`` under concurrency, each call in its own session and transaction (real Postgres)."""

from __future__ import annotations

import asyncio
import math
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from support.factories import owner_of

from shared.billing import admit, settle
from shared.billing.enforce import period_bounds, user_count
from shared.billing.errors import EndUserRequired, InsufficientCredits, QuotaExceeded
from shared.billing.policy import METERS
from shared.models import EndUser, LedgerEntry, UsageRecord


async def _admit_in_own_transaction(
    app: Any, owner: str, end_user: str | None, job_type: str, quantity: int = 1
) -> Any:
    """One create: admit in a fresh session, commit on success; returns the job id or the refusal."""
    job_id = f"{job_type[:3]}_{secrets.token_hex(8)}"
    async with app.state.sessionmaker() as session:
        try:
            await admit(session, owner, end_user, job_type, job_id, quantity)
        except (QuotaExceeded, InsufficientCredits, EndUserRequired) as exc:
            await session.rollback()
            return exc
        await session.commit()
        return job_id


async def _balances(app: Any, owner: str, end_user: str) -> tuple[int, int, int]:
    """(balance, reserved, sum of the ledger) straight from the tables."""
    async with app.state.sessionmaker() as session:
        user = await session.scalar(select(EndUser).where(EndUser.owner_id == owner, EndUser.external_id == end_user))
        assert user is not None
        total = await session.scalar(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.end_user_pk == user.pk))
        return user.balance, user.reserved, int(total or 0)


async def _assert_counts_match_records(app: Any, owner: str, end_user: str) -> None:
    """The counts admission checks (on the end user's row) equal the sums over the usage records they stand
    for: jobs not settled, and per job type what the current window's records count."""
    async with app.state.sessionmaker() as session:
        user = await session.scalar(select(EndUser).where(EndUser.owner_id == owner, EndUser.external_id == end_user))
        assert user is not None
        records = list(await session.scalars(select(UsageRecord).where(UsageRecord.end_user_pk == user.pk)))
    now = datetime.now(UTC)
    assert user.open_jobs == sum(r.status == "open" for r in records)
    for job_type, meter in METERS.items():
        since, _ = period_bounds(meter.period, now)
        expected = sum(r.counted for r in records if r.job_type == job_type and r.created_at >= since)
        assert user_count(user, job_type, since) == expected, job_type


async def test_fifty_concurrent_creates_on_a_balance_for_ten(app: Any, authed: httpx.AsyncClient, api_key: str) -> None:
    owner = await owner_of(app, api_key)
    await authed.put("/v1/policy", json={"credits_required": True, "prices": {"generation_image": 3}})
    await authed.post("/v1/end-users/ann/credits", json={"amount": 30})

    results = await asyncio.gather(*(_admit_in_own_transaction(app, owner, "ann", "generation") for _ in range(50)))

    accepted = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if not isinstance(r, str)]
    assert len(accepted) == 10
    assert all(isinstance(r, InsufficientCredits) and r.extensions["required"] == 3 for r in refused)
    assert {r.extensions["balance"] for r in refused} <= {0}  # every refusal saw the drained balance
    assert await _balances(app, owner, "ann") == (0, 30, 0)
    await _assert_counts_match_records(app, owner, "ann")

    # Settle them all, concurrently and twice each: a repeated settle changes nothing.
    async def _settle(job_id: str, outcome: Any) -> bool:
        async with app.state.sessionmaker() as session:
            done = await settle(session, "generation", job_id, outcome)
            await session.commit()
            return done

    outcomes = ["succeeded"] * 4 + ["failed"] * 3 + ["canceled"] * 3
    settled = await asyncio.gather(*(_settle(j, o) for j, o in zip(accepted * 2, outcomes * 2, strict=True)))
    assert sorted(settled) == [False] * 10 + [True] * 10
    balance, reserved, ledger_sum = await _balances(app, owner, "ann")
    assert (balance, reserved) == (18, 0) and ledger_sum == balance
    user = (await authed.get("/v1/end-users/ann")).json()
    assert user["credits"] == {"balance": 18, "reserved": 0}
    assert user["usage"]["generation_images_per_day"] == 4  # failed and canceled gave their count back
    assert user["usage"]["concurrent_jobs"] == 0
    await _assert_counts_match_records(app, owner, "ann")


async def test_thirty_concurrent_creates_over_a_daily_limit(app: Any, authed: httpx.AsyncClient, api_key: str) -> None:
    owner = await owner_of(app, api_key)
    await authed.put("/v1/policy", json={"limits": {"generation_images_per_day": 8}})

    first = await asyncio.gather(*(_admit_in_own_transaction(app, owner, "ben", "generation", 2) for _ in range(30)))
    assert sum(isinstance(r, str) for r in first) == 4  # 4 x 2 images = the 8 allowed
    again = await asyncio.gather(*(_admit_in_own_transaction(app, owner, "ben", "generation", 1) for _ in range(30)))
    assert not any(isinstance(r, str) for r in again)
    assert all(isinstance(r, QuotaExceeded) for r in [*first, *again] if not isinstance(r, str))
    assert (await authed.get("/v1/end-users/ben")).json()["usage"]["generation_images_per_day"] == 8
    await _assert_counts_match_records(app, owner, "ben")


async def test_quota_refusal_carries_limit_used_and_the_utc_boundary(
    app: Any, authed: httpx.AsyncClient, api_key: str
) -> None:
    owner = await owner_of(app, api_key)
    await authed.put("/v1/policy", json={"limits": {"generation_images_per_day": 3, "trainings_per_month": 1}})
    assert isinstance(await _admit_in_own_transaction(app, owner, "cat", "generation", 2), str)
    refused = await _admit_in_own_transaction(app, owner, "cat", "generation", 2)
    now = datetime.now(UTC)
    assert isinstance(refused, QuotaExceeded) and refused.status_code == 429 and refused.code == "quota_exceeded"
    midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    assert refused.extensions == {
        "quota": "generation_images_per_day",
        "limit": 3,
        "used": 2,
        "requested": 2,
        "resets_at": midnight,
    }
    assert abs(int(refused.headers["Retry-After"]) - math.ceil((midnight - now).total_seconds())) <= 2

    job = await _admit_in_own_transaction(app, owner, "cat", "training")
    refused = await _admit_in_own_transaction(app, owner, "cat", "training")
    assert isinstance(refused, QuotaExceeded)
    next_month = datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=UTC)
    assert refused.extensions["resets_at"] == next_month and refused.extensions["quota"] == "trainings_per_month"
    # A failed training gives its count back.
    async with app.state.sessionmaker() as session:
        assert await settle(session, "training", job, "failed")
        await session.commit()
    assert isinstance(await _admit_in_own_transaction(app, owner, "cat", "training"), str)


def test_period_bounds_are_utc_days_and_months() -> None:
    t = datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert period_bounds("day", t) == (datetime(2026, 12, 31, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert period_bounds("month", t) == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    feb = datetime(2028, 2, 29, 12, tzinfo=UTC)
    assert period_bounds("month", feb) == (datetime(2028, 2, 1, tzinfo=UTC), datetime(2028, 3, 1, tzinfo=UTC))


async def test_concurrent_jobs_limit_counts_jobs_not_yet_ended(
    app: Any, authed: httpx.AsyncClient, api_key: str
) -> None:
    owner = await owner_of(app, api_key)
    await authed.put("/v1/policy", json={"limits": {"concurrent_jobs": 2}})
    results = await asyncio.gather(*(_admit_in_own_transaction(app, owner, "dan", "mesh", 3) for _ in range(10)))
    running = [r for r in results if isinstance(r, str)]
    assert len(running) == 2
    refusal = next(r for r in results if not isinstance(r, str))
    assert refusal.extensions["quota"] == "concurrent_jobs" and refusal.extensions["resets_at"] is None
    assert int(refusal.headers["Retry-After"]) > 0
    async with app.state.sessionmaker() as session:
        await settle(session, "mesh", running[0], "succeeded")
        await session.commit()
    assert isinstance(await _admit_in_own_transaction(app, owner, "dan", "mesh", 3), str)
    await _assert_counts_match_records(app, owner, "dan")


async def test_a_new_window_starts_from_zero_and_old_jobs_give_nothing_back_to_it(
    app: Any, authed: httpx.AsyncClient, api_key: str
) -> None:
    owner = await owner_of(app, api_key)
    await authed.put("/v1/policy", json={"limits": {"generation_images_per_day": 4}})
    yesterdays = await _admit_in_own_transaction(app, owner, "gus", "generation", 3)
    assert isinstance(await _admit_in_own_transaction(app, owner, "gus", "generation", 2), QuotaExceeded)
    # Move that job and the row's count into yesterday (what the clock passing midnight does).
    day = timedelta(days=1)
    async with app.state.sessionmaker() as session:
        await session.execute(
            update(EndUser)
            .where(EndUser.owner_id == owner, EndUser.external_id == "gus")
            .values(generation_window=EndUser.generation_window - day)
        )
        await session.execute(
            update(UsageRecord).where(UsageRecord.job_id == yesterdays).values(created_at=UsageRecord.created_at - day)
        )
        await session.commit()
    assert (await authed.get("/v1/end-users/gus")).json()["usage"]["generation_images_per_day"] == 0
    assert isinstance(await _admit_in_own_transaction(app, owner, "gus", "generation", 4), str)  # a fresh day
    async with app.state.sessionmaker() as session:  # yesterday's job fails: today's count keeps its 4
        assert await settle(session, "generation", yesterdays, "failed")
        await session.commit()
    usage = (await authed.get("/v1/end-users/gus")).json()["usage"]
    assert (usage["generation_images_per_day"], usage["concurrent_jobs"]) == (4, 1)
    assert isinstance(await _admit_in_own_transaction(app, owner, "gus", "generation", 1), QuotaExceeded)
    await _assert_counts_match_records(app, owner, "gus")


async def test_credits_required_needs_an_end_user_unless_free(
    app: Any, authed: httpx.AsyncClient, api_key: str
) -> None:
    owner = await owner_of(app, api_key)
    assert await _admit_in_own_transaction(app, owner, None, "generation") is not None  # defaults: nothing needed
    await authed.put("/v1/policy", json={"credits_required": True, "prices": {"video": 0}})
    refused = await _admit_in_own_transaction(app, owner, None, "generation")
    assert isinstance(refused, EndUserRequired) and refused.status_code == 422 and refused.code == "end_user_required"
    assert isinstance(await _admit_in_own_transaction(app, owner, None, "video"), str)  # free: no end user needed
    # Limits and credits apply only to requests that name an end user.
    await authed.put("/v1/policy", json={"limits": {"generation_images_per_day": 0}})
    assert isinstance(await _admit_in_own_transaction(app, owner, None, "generation"), str)


async def test_a_refused_create_does_not_create_the_end_user(app: Any, authed: httpx.AsyncClient, api_key: str) -> None:
    owner = await owner_of(app, api_key)
    await authed.put("/v1/policy", json={"credits_required": True})
    assert isinstance(await _admit_in_own_transaction(app, owner, "eve", "generation"), InsufficientCredits)
    assert (await authed.get("/v1/end-users/eve")).status_code == 404
    await authed.put("/v1/policy", json={})
    assert isinstance(await _admit_in_own_transaction(app, owner, "eve", "generation"), str)
    assert (await authed.get("/v1/end-users/eve")).json()["usage"]["concurrent_jobs"] == 1


@pytest.mark.parametrize("outcome", ["failed", "canceled"])
async def test_settle_refunds_a_failed_or_canceled_job_once(
    app: Any, authed: httpx.AsyncClient, api_key: str, outcome: Any
) -> None:
    owner = await owner_of(app, api_key)
    user = f"fay-{outcome}"
    await authed.put("/v1/policy", json={"credits_required": True})
    await authed.post(f"/v1/end-users/{user}/credits", json={"amount": 25})
    job = await _admit_in_own_transaction(app, owner, user, "training")
    assert await _balances(app, owner, user) == (5, 20, 5)
    for _ in range(3):
        async with app.state.sessionmaker() as session:
            await settle(session, "training", job, outcome)
            await session.commit()
    assert await _balances(app, owner, user) == (25, 0, 25)
    async with app.state.sessionmaker() as session:
        assert not await settle(session, "training", "trn_never_admitted", "succeeded")

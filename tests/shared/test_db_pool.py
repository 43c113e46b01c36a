"""The engine's disconnect handling (``shared.db._ping``), against the real Postgres: a pooled connection the
server dropped while it sat in the pool is replaced at checkout, unseen by the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared import db
from shared.config import to_asyncpg_url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(to_asyncpg_url(database_url), pool_size=1)
    yield engine
    await engine.dispose()


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_the_server_dropped_is_replaced_at_checkout(engine: AsyncEngine, database_url: str) -> None:
    first = await _backend_pid(engine)
    assert await _backend_pid(engine) == first  # the pool hands the same connection out again
    other = db.create_engine(to_asyncpg_url(database_url), pool_size=1)
    try:
        async with other.connect() as conn:
            assert (await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})).scalar_one()
    finally:
        await other.dispose()
    # No error reaches the caller: the checkout's ping finds the connection dead and the pool opens another.
    second = await _backend_pid(engine)
    assert second != first
    assert await _backend_pid(engine) == second


async def test_a_checkout_pings_once_with_one_simple_query(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One round trip per checkout (SQLAlchemy's own asyncpg pre-ping is three: BEGIN, ``;``, ROLLBACK)."""
    pid = await _backend_pid(engine)
    async with engine.connect() as conn:
        ours = (await conn.get_raw_connection()).driver_connection
    driver = type(ours)
    sent: list[str] = []
    execute = driver.execute

    async def recording(self: object, query: str, *args: object, **kwargs: object) -> str:
        # The patch is on the driver's class: record only this engine's connection (the session's in-process
        # worker, sharing this event loop, runs its own queries meanwhile — CI's stop 25 counted its pings).
        if self is ours:
            sent.append(query)
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(driver, "execute", recording)
    for _ in range(3):
        assert await _backend_pid(engine) == pid  # pool_size=1 and nothing dropped: the same connection each time
    # each checkout: the ping, then the transaction's own BEGIN ... ROLLBACK (no second transaction for the ping)
    assert sent == ["SELECT 1", "BEGIN;", "ROLLBACK;"] * 3

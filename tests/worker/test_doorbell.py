"""An idle worker waits on its queue's doorbell instead of polling Redis (``worker.resilient``): every enqueue rings
it (``shared.queue``), a deferred job wakes it at its time, a full worker wakes when one of its jobs ends.

Each worker here has an idle poll of 30 s, so a job that is done within a few seconds was picked up by the
mechanism under test, not by the fallback poll; the control case shows that without a ring nothing wakes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from arq import func
from arq.connections import ArqRedis, create_pool
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clients import job_dumps, job_loads, redis_settings
from shared.config import Settings
from shared.queue import enqueue_after_commit, ring, send_pending
from worker.resilient import ResilientWorker

LONG_IDLE = 30.0
SOON = 8.0  # far below LONG_IDLE, far above what a loaded machine needs


async def note(ctx: dict[str, Any], token: str, hold: float = 0.0) -> None:
    await asyncio.sleep(hold)
    ctx["seen"][token] = time.monotonic()


@pytest.fixture
async def doorbell(settings: Settings) -> AsyncIterator[Callable[..., Any]]:
    """Start a worker on a queue of its own: ``start(idle=…, max_jobs=…)`` → (worker, pool, seen)."""
    started: list[tuple[ResilientWorker, asyncio.Task[Any], ArqRedis]] = []
    queue = f"{settings.queue_name}:doorbell:{secrets.token_hex(3)}"

    async def start(
        *, idle: float = LONG_IDLE, max_jobs: int = 4
    ) -> tuple[ResilientWorker, ArqRedis, dict[str, float]]:
        seen: dict[str, float] = {}
        worker = ResilientWorker(
            functions=[func(note, name="note")],
            redis_settings=redis_settings(settings),
            queue_name=queue,
            poll_delay=0.0,
            idle_poll_seconds=idle,
            max_jobs=max_jobs,
            keep_result=0,
            handle_signals=False,
            job_serializer=job_dumps,
            job_deserializer=job_loads,
            liveness_seconds=5.0,
            ctx={"seen": seen},
        )
        pool = await create_pool(
            redis_settings(settings), job_serializer=job_dumps, job_deserializer=job_loads, default_queue_name=queue
        )
        task = asyncio.create_task(worker.async_run())
        started.append((worker, task, pool))
        await asyncio.sleep(0.5)  # past its first look at the (empty) queue: it is waiting now
        return worker, pool, seen

    yield start
    for worker, task, pool in started:
        await worker.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        await pool.delete(queue, f"{queue}:doorbell")
        await pool.aclose()


async def until(seen: dict[str, float], *tokens: str, within: float = SOON) -> None:
    deadline = time.monotonic() + within
    while not all(t in seen for t in tokens):
        assert time.monotonic() < deadline, f"not run within {within} s: {set(tokens) - set(seen)}"
        await asyncio.sleep(0.02)


async def test_a_ring_wakes_an_idle_worker_at_once(doorbell: Callable[..., Any]) -> None:
    _, pool, seen = await doorbell()
    await pool.enqueue_job("note", "a")
    await ring(pool)
    await until(seen, "a")


async def test_without_a_ring_only_the_idle_poll_finds_a_job(doorbell: Callable[..., Any]) -> None:
    _, pool, seen = await doorbell()
    await pool.enqueue_job("note", "silent")  # enqueued behind the worker's back: no ring
    await asyncio.sleep(2.0)
    assert "silent" not in seen  # the control: nothing but the ring (or the 30 s poll) wakes it
    await ring(pool)
    await until(seen, "silent")


async def test_the_idle_poll_is_the_fallback(doorbell: Callable[..., Any]) -> None:
    _, pool, seen = await doorbell(idle=0.5)
    await pool.enqueue_job("note", "polled")
    await until(seen, "polled")


async def test_every_commit_that_sends_jobs_rings(doorbell: Callable[..., Any]) -> None:
    _, pool, seen = await doorbell()
    session = AsyncSession()  # send_pending only sends what a committed transaction scheduled on the session
    enqueue_after_commit(session, "note", "committed", job_id=f"note:{secrets.token_hex(4)}")
    await send_pending(session, pool)
    await until(seen, "committed")


async def test_a_deferred_job_wakes_the_worker_at_its_time(doorbell: Callable[..., Any]) -> None:
    _, pool, seen = await doorbell()
    asked = time.monotonic()
    await pool.enqueue_job("note", "later", _defer_by=1.0)
    await ring(pool)  # the ring teaches the waiting worker the new earliest time; then it waits for it
    await until(seen, "later")
    assert seen["later"] - asked >= 1.0


async def test_a_full_worker_takes_the_next_job_when_one_ends(doorbell: Callable[..., Any]) -> None:
    _, pool, seen = await doorbell(max_jobs=1)
    await pool.enqueue_job("note", "first", 1.0)
    await ring(pool)
    await asyncio.sleep(0.4)  # "first" holds the only slot: the worker waits for it to end, not for rings
    await pool.enqueue_job("note", "second")
    await ring(pool)
    await until(seen, "first", "second")
    assert seen["second"] >= seen["first"]

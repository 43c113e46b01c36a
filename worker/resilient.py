"""``ResilientWorker``: arq's worker, made to ride out Redis and Postgres outages and to announce it is alive.

arq's run loop lets any Redis error escape, and the process exits: a 0.3 s Redis restart was enough. Here a
poll iteration that meets a Redis (or network) error is logged and retried with capped backoff; redis-py
reconnects on the next command. Jobs that were running keep running (a step needs Postgres, not Redis);
what Redis lost meanwhile (an enqueue, a result) the reconciler restores from the job rows.

Liveness: a task beside the loop refreshes this worker's key (``shared.jobs.liveness``) while the poll loop
is iterating, so the key means "this process is taking work". ``fotogen worker --check`` reads it. On a
graceful exit the key is deleted; running steps are cancelled and hand their step back (``run_step``).

Waiting for work: arq polls its queue every ``poll_delay`` (0.02 s here before: 50 Redis round trips a second per
idle worker, ~40 ms of CPU a second, and 10 ms of pickup latency on average). Between two looks at the queue this
worker instead waits (:meth:`ResilientWorker._wait_for_work`) until one of these may have made a job ready:

* a ring of the queue's doorbell (``BLPOP``; :func:`shared.queue.ring` after every enqueue) — only while it has a
  free slot, so a full worker leaves the ring to one that can take the job;
* the time of the next deferred job (a poll step, a backoff, a cron tick arq enqueued ahead);
* one of its own jobs ending, when every slot was taken;
* at the latest ``idle_poll_seconds`` (a ring lost with Redis, a job enqueued by something that does not ring,
  cron ticks: arq enqueues a cron up to a second ahead, so a look every second never misses one).

A job that is ready but running on another worker stays in the queue until it ends; it is not a reason to look
again (only scores after now are waited for), so nothing spins.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from arq.connections import create_pool
from arq.utils import timestamp_ms
from arq.worker import Worker
from redis.exceptions import RedisError

from shared.jobs import lease, liveness
from shared.queue import doorbell_key

log = logging.getLogger("fotogen.worker")

OUTAGE = (RedisError, OSError, TimeoutError)
BACKOFF_BASE, BACKOFF_CAP = 0.1, 2.0


class ResilientWorker(Worker):
    def __init__(
        self, *args: Any, liveness_seconds: float, idle_poll_seconds: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.idle_poll_seconds = idle_poll_seconds  # None: arq's own polling every poll_delay (burst workers)
        self._slot_freed = asyncio.Event()
        self.worker_id = liveness.new_worker_id()
        self.ctx["worker_id"] = self.worker_id
        self.ctx["liveness"] = self
        self.liveness_seconds = liveness_seconds
        self._failures = 0
        self._last_iteration = time.monotonic()
        self._steady_since: float | None = None
        self._beat_task: asyncio.Task[None] | None = None

    def steady(self) -> bool:
        """This worker has reached Redis without a miss for a whole liveness period: its view of which
        workers are alive can be trusted (a key missing now is a dead worker, not our own blip)."""
        since = self._steady_since
        return since is not None and time.monotonic() - since >= self.liveness_seconds

    async def main(self) -> None:
        while self._pool is None:
            try:
                self._pool = await create_pool(
                    self.redis_settings,
                    job_deserializer=self.job_deserializer,
                    job_serializer=self.job_serializer,
                    default_queue_name=self.queue_name,
                    expires_extra_ms=self.expires_extra_ms,
                    retry=0,
                )
            except OUTAGE as exc:
                await self._outage("connect", exc)
        self._beat_task = asyncio.create_task(self._beat_forever())
        await super().main()

    async def _poll_iteration(self) -> None:
        try:
            if self.idle_poll_seconds is not None:
                await self._wait_for_work(self.idle_poll_seconds)
            await super()._poll_iteration()
        except OUTAGE as exc:
            await self._outage("poll", exc)
            return
        if self._failures:
            log.warning("worker_redis_back after %d failed attempts", self._failures)
        self._failures = 0
        self._last_iteration = time.monotonic()

    async def _wait_for_work(self, longest: float) -> None:
        """Until a job may be ready here (see the module docstring); at most ``longest`` seconds."""
        now = timestamp_ms()
        upcoming = await self.pool.zrangebyscore(
            self.queue_name, min=f"({now}", max="+inf", start=0, num=1, withscores=True
        )
        wait = min(longest, (upcoming[0][1] - now) / 1000) if upcoming else longest
        if wait <= 0.001:
            return
        if self.job_counter >= self.max_jobs:  # full: a ring is for a worker that can take the job
            self._slot_freed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._slot_freed.wait(), wait)
            return
        # BLPOP with a fractional timeout (Redis >= 6; redis-py's blpop() is typed for whole seconds only)
        await self.pool.execute_command("BLPOP", doorbell_key(self.queue_name), f"{wait:.3f}")  # type: ignore[no-untyped-call]

    def _release_sem_dec_counter_on_complete(self) -> None:
        super()._release_sem_dec_counter_on_complete()
        self._slot_freed.set()

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        for job_id in job_ids:
            try:
                await super().start_jobs([job_id])
            except OUTAGE:
                # arq took a slot for this job before Redis failed and gives it back only when a job ends
                self.job_counter -= 1
                self.sem.release()
                raise

    async def _outage(self, where: str, exc: BaseException) -> None:
        self._failures += 1
        self._steady_since = None
        delay = lease.backoff(self._failures, BACKOFF_BASE, BACKOFF_CAP, jitter="equal")
        log.warning("worker_redis_unavailable (%s, attempt %d, retry in %.2fs): %r", where, self._failures, delay, exc)
        await asyncio.sleep(delay)

    async def _beat_forever(self) -> None:
        period = self.liveness_seconds / 3
        while True:
            looping = time.monotonic() - self._last_iteration < self.liveness_seconds
            if looping and self._pool is not None:
                try:
                    info = f"jobs={len(self.tasks)} complete={self.jobs_complete} failed={self.jobs_failed}"
                    await liveness.beat(self.pool, self.worker_id, self.liveness_seconds, info)
                    if self._steady_since is None:
                        self._steady_since = time.monotonic()
                except OUTAGE as exc:
                    self._steady_since = None
                    log.warning("worker_liveness_beat_failed: %r", exc)
            await asyncio.sleep(period)

    async def close(self) -> None:
        if self._beat_task is not None:
            self._beat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._beat_task
        if self._pool is not None:
            with contextlib.suppress(*OUTAGE):
                await liveness.forget(self.pool, self.worker_id)
        try:
            await super().close()
        except OUTAGE as exc:  # Redis is away at exit: nothing left to tidy that the reconciler cannot redo
            log.warning("worker_close_incomplete: %r", exc)

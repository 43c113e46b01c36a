"""A real worker process rides out Redis and Postgres outages (cut through a TCP fault proxy): it stays alive,
reconnects, and finishes jobs created during and after each cut; ``fotogen worker --check`` reports it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from isolated import isolated_service
from support.factories import api_client, create_owner, wait_for
from support.faults import FaultProxy, postgres_proxy
from support.worker_process import ROOT, WorkerProcess, worker_env

from shared.jobs import liveness

TERMINAL = {"succeeded", "failed", "canceled"}
CUTS = (0.3, 1.0, 5.0)


@pytest.fixture
async def outage_api(
    admin_url: str, settings: Any, live_api: str, sandbox: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """An API on a service of its own (direct to Postgres and Redis: only the worker goes through the proxy),
    so no other worker can finish the jobs these tests count on this one to finish."""
    async with isolated_service(admin_url, settings, live_api) as (application, own):
        _, key = await create_owner(application)
        sandbox.reset(generation_seconds=0.1)
        async with api_client(application, key) as api:
            yield api, own


async def _generate(api: httpx.AsyncClient, prompt: str) -> str:
    r = await api.post("/v1/generations", json={"model_id": "mdl_flux_1_dev", "prompt": prompt, "num_images": 1})
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


async def _finished(api: httpx.AsyncClient, generation_id: str, proc: WorkerProcess) -> None:
    try:
        done = await wait_for(api, f"/v1/generations/{generation_id}", TERMINAL, timeout=45)
    except AssertionError:
        raise AssertionError(proc.output()[-4000:]) from None
    assert done["status"] == "succeeded", (done, proc.output()[-4000:])


def _redis_proxy(redis_url: str) -> tuple[FaultProxy, str]:
    from redis.connection import parse_url

    parts = parse_url(redis_url)
    proxy = FaultProxy(parts.get("host", "127.0.0.1"), int(parts.get("port", 6379))).start()
    return proxy, f"redis://127.0.0.1:{proxy.port}/{parts.get('db', 0)}"


async def _ride_out_cuts(api: httpx.AsyncClient, proc: WorkerProcess, proxy: FaultProxy, what: str) -> None:
    """Each cut: a job created while the server is away, the server back, the worker alive, both jobs done."""
    await _finished(api, await _generate(api, f"{what} before any cut"), proc)
    for seconds in CUTS:
        proxy.cut()
        during = await _generate(api, f"{what} during a {seconds}s cut")
        await asyncio.sleep(seconds)
        proxy.restore()
        await asyncio.sleep(0.5)
        assert proc.alive(), f"the worker exited after a {seconds}s {what} cut:\n{proc.output()[-4000:]}"
        after = await _generate(api, f"{what} after a {seconds}s cut")
        await _finished(api, during, proc)
        await _finished(api, after, proc)


async def test_worker_survives_redis_restarts_and_finishes_jobs(
    settings: Any, live_api: str, outage_api: tuple[httpx.AsyncClient, Any]
) -> None:
    api, own = outage_api
    proxy, url = _redis_proxy(own.redis_url)
    env = worker_env(own, queue_name=own.queue_name, public_url=live_api, REDIS_URL=url)
    try:
        with WorkerProcess(env) as proc:
            proc.start()
            proc.wait_alive(0.5)
            await _ride_out_cuts(api, proc, proxy, "redis")
            assert "worker_redis_unavailable" in proc.output()  # it did see the outages
    finally:
        proxy.stop()


async def test_worker_survives_postgres_restarts_and_finishes_jobs(
    settings: Any, live_api: str, outage_api: tuple[httpx.AsyncClient, Any]
) -> None:
    api, own = outage_api
    proxy, url = postgres_proxy(own.database_url)
    env = worker_env(own, queue_name=own.queue_name, public_url=live_api, DATABASE_URL=url)
    try:
        with WorkerProcess(env) as proc:
            proc.start()
            proc.wait_alive(0.5)
            await _ride_out_cuts(api, proc, proxy, "postgres")
    finally:
        proxy.stop()


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fotogen", "worker", "--check"],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_worker_check_reports_a_live_worker_of_this_host(
    app: Any, settings: Any, live_api: str, outage_api: tuple[httpx.AsyncClient, Any]
) -> None:
    _, own = outage_api
    env = worker_env(own, queue_name=own.queue_name, public_url=live_api)
    with WorkerProcess(env) as proc:
        proc.start()
        mine = f":{proc.pid}:"
        deadline = time.monotonic() + 30
        while mine not in (found := _check(env)).stdout and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert found.returncode == 0 and mine in found.stdout, (found.stderr, proc.output()[-2000:])
        [worker_id] = [w for w in found.stdout.split() if mine in w]
        proc.stop()
        assert proc.proc is not None and proc.proc.returncode == 0  # a graceful exit is a clean one
    # the key went with the worker: no stale "alive" for the health check or the reconciler
    assert worker_id not in _check(env).stdout
    assert await liveness.alive(app.state.redis, [worker_id]) == set()

"""Real servers for the events/SSE/webhook tests: uvicorn in a thread or a subprocess, a webhook receiver,
and helpers that commit events (and job rows) the way the product does."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fotogen.ports import free_port
from shared.config import Settings
from shared.events.service import write_event
from shared.ids import new_id
from shared.models import Training
from shared.queue import commit

ROOT = Path(__file__).resolve().parent.parent.parent
START_SECONDS = 100  # below pytest's 120 s per-test timeout, which covers fixture set-up too


def _cpu_seconds(pid: int) -> float:
    try:
        import psutil

        times = psutil.Process(pid).cpu_times()
        return float(times.user + times.system)
    except Exception:
        return float("nan")


@contextlib.contextmanager
def serve(asgi_app: Any, port: int | None = None) -> Iterator[str]:
    """Serve an ASGI app with a real uvicorn on loopback, in a thread with its own event loop."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(asgi_app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True, name=f"uvicorn-{port}")
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn on port {port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that makes ``fotogen api`` build these settings."""
    env = {
        **os.environ,
        "FOTOGEN_ENVIRONMENT": settings.environment,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "FOTOGEN_DATA_DIR": str(settings.data_dir),
        "FOTOGEN_QUEUE_NAME": settings.queue_name,
        "FOTOGEN_SECRET_KEY": settings.secret_key,
        "FOTOGEN_PUBLIC_URL": settings.public_url,
        "FOTOGEN_LOG_LEVEL": "WARNING",
        "FOTOGEN_LOG_JSON": "false",
        "FOTOGEN_ALLOW_PRIVATE_WEBHOOK_URLS": "true",
        "FOTOGEN_SSE_PING_SECONDS": str(settings.sse_ping_seconds),
        "FOTOGEN_SSE_RECHECK_SECONDS": str(settings.sse_recheck_seconds),
    }
    env.update(extra)
    return env


@contextlib.contextmanager
def api_processes(settings: Settings, count: int = 1, **extra_env: str) -> Iterator[list[str]]:
    """``count`` times ``fotogen api`` as real subprocesses on free ports (started in parallel)."""
    ports = [free_port() for _ in range(count)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "fotogen", "api", "--host", "127.0.0.1", "--port", str(port)],
            env=settings_env(settings, **extra_env),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        # Start-up is mostly imports (~4 s of CPU each); on a loaded 2-core box two of them in parallel took
        # over 60 s of wall clock, so wait as long as the per-test timeout allows and say why on failure.
        deadline = time.monotonic() + START_SECONDS
        for proc, port in zip(procs, ports, strict=True):
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"fotogen api exited with {proc.returncode}")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"fotogen api did not come up in {START_SECONDS}s "
                        f"(load average {os.getloadavg()}, its CPU time {_cpu_seconds(proc.pid):.1f}s)"
                    )
                time.sleep(0.05)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def create_training_row(app: Any, owner_id: str, *, status: str = "queued") -> str:
    """A training row owned by ``owner_id`` (the job the events below describe)."""
    from support.factories import create_dataset

    ds = await create_dataset(app, owner_id, images=1)
    async with app.state.sessionmaker() as session:
        row = Training(
            id=new_id("training"),
            owner_id=owner_id,
            dataset_id=ds.id,
            base_model_id="mdl_flux_1_dev",
            trainer="fast",
            name="test",
            status=status,
        )
        session.add(row)
        await session.commit()
        return row.id


async def commit_event(
    app: Any, owner_id: str, job_id: str, what: str, *, job_type: str = "training", **data: Any
) -> int:
    """Write one event in its own transaction and commit it at the boundary (enqueues webhook deliveries)."""
    async with app.state.sessionmaker() as session:
        event = await write_event(
            session,
            owner_id=owner_id,
            type=f"{job_type}.{what}",
            job_type=job_type,
            job_id=job_id,
            data={"job": {"id": job_id, "status": what}, **data},
        )
        await commit(session, app.state.redis)
        return event.id


async def set_status(app: Any, job_id: str, status: str) -> None:
    async with app.state.sessionmaker() as session:
        row = await session.get(Training, job_id)
        assert row is not None
        row.status = status
        await session.commit()


# -- a webhook receiver ----------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A tiny webhook receiver: answers ``status`` (503 while "down"), records every request."""

    status: int = 200
    requests: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    attempts: int = 0

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            self.attempts += 1
            if self.status >= 300:
                return JSONResponse({"down": True}, status_code=self.status)
            self.requests.append((body, dict(request.headers)))
            return JSONResponse({"ok": True})

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


async def eventually(check: Any, timeout: float = 20.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)

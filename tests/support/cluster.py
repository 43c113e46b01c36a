"""A small FotoGen deployment for fault tests: its own Redis and Postgres (restartable, on free ports / a
private socket), N ``fotogen api`` and M ``fotogen worker`` subprocesses, all on product defaults for leases and
reconcile timing (so recovery figures mean what they would mean in production).

Each worker connects to Postgres as a role of its own (``chaos_w0``, ``chaos_w1``, ...): ``pg_stat_activity``
then tells which worker a blocked query belongs to, so a test can ``kill -9`` exactly the worker that holds a
job (see :meth:`Cluster.blocked_worker`).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy.engine import make_url
from support.live import ROOT, settings_env
from support.worker_process import WorkerProcess, worker_env

from fotogen.embedded import EmbeddedPostgres, EmbeddedRedis
from fotogen.ports import free_port, wait_for_port
from shared.config import Settings


class OwnRedis(EmbeddedRedis):
    """An embedded Redis that can be restarted on the same port (SIGTERM: it saves its snapshot, as a
    restart by a process manager would)."""

    def restart(self, down_seconds: float) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def down(self) -> None:
        self.stop()

    def up(self) -> None:
        self.start()


class OwnPostgres(EmbeddedPostgres):
    """The embedded pgserver, stopped (``pg_ctl stop -m fast``: every connection is dropped) and started
    again on the same socket."""

    def down(self) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self._server.pgdata, user=self._server.system_user)

    def up(self) -> None:
        self._server.ensure_postgres_running()

    def restart(self, down_seconds: float) -> None:
        self.down()
        time.sleep(down_seconds)
        self.up()


def private_dir(prefix: str) -> Path:
    """A temp dir the unprivileged postgres user can enter (pgserver drops root to ``pgserver``)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def as_role(url: str, role: str) -> str:
    return make_url(url).set(username=role).render_as_string(hide_password=False)


# Every provider deadline of the cluster's workers: short, so the stuck-request scenario ends in seconds, yet
# well above what any healthy job takes in the other scenarios on a loaded box, kill recovery, outages and
# backoff included (a deadline runs from the job's start: at 4 s, jobs that only met a fault failed
# ``provider_timeout``).
CHAOS_DEADLINE_SECONDS = 30


def deadline_overrides() -> dict[str, str]:
    """``CHAOS_DEADLINE_SECONDS`` for every per-kind deadline setting the product has."""
    out: dict[str, str] = {}
    for name, info in Settings.model_fields.items():
        if "deadline" in name and info.annotation in (int, float):
            out[f"FOTOGEN_{name.upper()}"] = str(CHAOS_DEADLINE_SECONDS)
    return out


# Worker settings of the chaos cluster: product defaults for leases and reconcile, fast provider polling
# (the sandbox is local), webhooks on (the dropped-callback scenario needs them asked for).
WORKER_OVERRIDES: dict[str, Any] = {
    "FOTOGEN_JOB_LEASE_SECONDS": None,
    "FOTOGEN_RECONCILE_INTERVAL_SECONDS": None,
    "FOTOGEN_RECONCILE_GRACE_SECONDS": None,
    "FOTOGEN_FAL_WEBHOOKS_ENABLED": "true",
    "FOTOGEN_PROVIDER_POLL_INTERVAL": "0.1",
}


@dataclass
class ApiProcess:
    url: str
    proc: subprocess.Popen[bytes]

    def rss(self) -> int:
        return int(psutil.Process(self.proc.pid).memory_info().rss)


def start_apis(settings: Settings, ports: list[int], **extra_env: str) -> list[ApiProcess]:
    apis = [
        ApiProcess(
            f"http://127.0.0.1:{port}",
            subprocess.Popen(
                [sys.executable, "-m", "fotogen", "api", "--host", "127.0.0.1", "--port", str(port)],
                env=settings_env(settings, FOTOGEN_FAL_WEBHOOKS_ENABLED="true", **extra_env),
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            ),
        )
        for port in ports
    ]
    deadline = time.monotonic() + 60
    for api in apis:
        while True:
            if api.proc.poll() is not None:
                raise RuntimeError(f"fotogen api exited with {api.proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{api.url}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("fotogen api did not come up")
            time.sleep(0.05)
    return apis


@dataclass
class Cluster:
    settings: Settings
    app: Any  # an in-process app on the same servers: factories and row inspection
    redis: OwnRedis
    postgres: OwnPostgres
    apis: list[ApiProcess]
    workers: list[WorkerProcess]
    restarts: list[str] = field(default_factory=list)  # workers the harness had to bring back

    @property
    def api_urls(self) -> list[str]:
        return [a.url for a in self.apis]

    def supervise(self) -> list[int]:
        """What compose's ``restart:`` does: start every worker that died; returns their indexes."""
        dead = [i for i, w in enumerate(self.workers) if not w.alive()]
        for i in dead:
            self.restarts.append(f"w{i}: exit {self.workers[i].proc and self.workers[i].proc.returncode}")
            self.workers[i].start()
        return dead

    @contextlib.asynccontextmanager
    async def supervising(self, every: float = 0.3) -> AsyncIterator[list[str]]:
        """Restart dead workers in the background for the length of the block (compose's ``restart:
        always``); yields the list the restarts made meanwhile are appended to."""
        import asyncio

        first = len(self.restarts)
        seen: list[str] = []

        async def loop() -> None:
            while True:
                self.supervise()
                seen[:] = self.restarts[first:]
                await asyncio.sleep(every)

        task = asyncio.create_task(loop())
        try:
            yield seen
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            seen[:] = self.restarts[first:]

    def worker_index(self, role: str) -> int:
        return int(role.removeprefix("chaos_w"))

    async def blocked_worker(self, timeout: float = 20.0) -> int | None:
        """The worker whose query waits on a row lock the test holds (None if none did in time)."""
        import asyncio

        from sqlalchemy import text

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with self.app.state.engine.connect() as conn:
                role = await conn.scalar(
                    text(
                        "SELECT usename FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND usename LIKE 'chaos_w%' LIMIT 1"
                    )
                )
            if role:
                return self.worker_index(str(role))
            await asyncio.sleep(0.01)
        return None


async def create_roles(admin_url: str, count: int) -> None:
    import asyncpg
    from support.env import _asyncpg_dsn

    conn = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        for i in range(count):
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", f"chaos_w{i}")
            if not exists:
                await conn.execute(f'CREATE ROLE "chaos_w{i}" LOGIN SUPERUSER')
    finally:
        await conn.close()


def start_workers(settings: Settings, public_url: str, count: int) -> list[WorkerProcess]:
    workers = []
    for i in range(count):
        role_url = as_role(settings.database_url or "", f"chaos_w{i}")
        overrides = {**WORKER_OVERRIDES, **deadline_overrides(), "DATABASE_URL": role_url}
        env = worker_env(settings, queue_name=settings.queue_name, public_url=public_url, **overrides)
        workers.append(WorkerProcess(env).start())
    for w in workers:
        w.wait_alive(1.0)
    return workers


def redis_server(base: Path) -> OwnRedis:
    r = OwnRedis(base / "redis", port=free_port())
    r.start()
    wait_for_port("127.0.0.1", r.port or 0)
    return r


def postgres_server(base: Path) -> tuple[OwnPostgres, str]:
    pg = OwnPostgres(base / "pg")
    return pg, pg.start()


def env_flag(name: str, default: str) -> str:
    return os.environ.get(name, default)

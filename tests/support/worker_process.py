"""A real ``fotogen worker`` subprocess for crash tests: ``start(env)``, ``kill9()``, ``restart()``.

    proc = WorkerProcess(worker_env(settings, queue_name=q, ...)).start()
    ...
    proc.kill9()       # SIGKILL: no shutdown hooks, leases simply expire
    proc.restart()     # same environment, a fresh process
    proc.stop()        # SIGTERM, then SIGKILL if it lingers

The worker's output goes to a log file (``proc.log_path``); ``proc.output()`` reads it for assertion messages.
Use a queue name of its own (``FOTOGEN_QUEUE_NAME``) so the session's in-process worker never takes its jobs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


def worker_env(settings: Any, *, queue_name: str, public_url: str, **overrides: Any) -> dict[str, str]:
    """Environment for a worker subprocess that shares the test session's database, Redis, storage
    (same data dir and secret key, so signed ``/v1/files`` URLs of the live API work) and Fal sandbox."""
    env: dict[str, Any] = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "FOTOGEN_QUEUE_NAME": queue_name,
        "FOTOGEN_DATA_DIR": str(settings.data_dir),
        "FOTOGEN_SECRET_KEY": settings.secret_key,
        "FOTOGEN_PUBLIC_URL": public_url,
        "FOTOGEN_FAL_QUEUE_URL": settings.fal_queue_url,
        "FOTOGEN_FAL_CA_FILE": str(settings.fal_ca_file),
        "FOTOGEN_ENVIRONMENT": "test",
        "FOTOGEN_LOG_JSON": "false",
        "FOTOGEN_LOG_LEVEL": "WARNING",
        "FOTOGEN_WORKER_POLL_DELAY": "0.01",
        "FOTOGEN_JOB_LEASE_SECONDS": "3",
        "FOTOGEN_RECONCILE_INTERVAL_SECONDS": "1",
        "FOTOGEN_RECONCILE_GRACE_SECONDS": "1",
        "FOTOGEN_FAL_WEBHOOKS_ENABLED": "false",
        "FOTOGEN_PROVIDER_POLL_INTERVAL": "0.05",
    }
    env.update(overrides)
    return {k: str(v) for k, v in env.items() if v is not None}


# The test speed-ups above, taken off again: a worker on the product's own defaults (benchmarks measure those).
PRODUCT_DEFAULTS: dict[str, None] = {
    "FOTOGEN_WORKER_POLL_DELAY": None,
    "FOTOGEN_JOB_LEASE_SECONDS": None,
    "FOTOGEN_RECONCILE_INTERVAL_SECONDS": None,
    "FOTOGEN_RECONCILE_GRACE_SECONDS": None,
    "FOTOGEN_FAL_WEBHOOKS_ENABLED": None,
    "FOTOGEN_PROVIDER_POLL_INTERVAL": None,
}


class WorkerProcess:
    def __init__(
        self, env: dict[str, str], *, args: tuple[str, ...] = (), command: tuple[str, ...] | None = None
    ) -> None:
        """``command`` replaces ``python -m fotogen worker`` (e.g. a script that runs a test-only kind)."""
        self.env = dict(env)
        self.args = args
        self.command = command
        self.proc: subprocess.Popen[bytes] | None = None
        fd, name = tempfile.mkstemp(prefix="fotogen-worker-", suffix=".log")
        os.close(fd)
        self.log_path = Path(name)
        self.starts = 0

    def start(self, env: dict[str, str] | None = None) -> WorkerProcess:
        if env is not None:
            self.env = dict(env)
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("worker already running")
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [*(self.command or (sys.executable, "-m", "fotogen", "worker")), *self.args],
                env={**os.environ, "PYTHONPATH": str(ROOT), **self.env},
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        """SIGKILL the worker (no shutdown hooks run) and reap it."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def restart(self) -> WorkerProcess:
        if self.alive():
            self.kill9()
        return self.start()

    def terminate(self) -> None:
        """SIGTERM (a graceful shutdown), without waiting."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill9()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_alive(self, seconds: float = 1.0) -> None:
        """Fail early (with the worker's output) if the process dies during start-up."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"worker exited with {self.proc and self.proc.returncode}:\n{self.output()}")
            time.sleep(0.05)

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.log_path.unlink(missing_ok=True)

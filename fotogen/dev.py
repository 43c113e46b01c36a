"""``fotogen dev``: the whole service on one machine, from a fresh clone.

Embedded Postgres and Redis start under the data dir unless ``DATABASE_URL`` / ``REDIS_URL`` are set
(then nothing is started); the Fal sandbox starts unless ``FAL_KEY`` is set. The API and worker run as
child processes; Ctrl-C stops every child and the embedded servers, and the next run reuses the data.
A worker that exits (a crash, or an outage it could not ride out) is started again with backoff, as compose's
``restart: unless-stopped`` does in a deployment; any other child exiting stops the whole set.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from fotogen.embedded import EmbeddedPostgres, EmbeddedRedis
from fotogen.ports import wait_for_port
from fotogen.state import DevState, read_state, remove_state
from sandbox.tls import ensure_certificates
from shared.config import Settings


def _log(msg: str) -> None:
    print(f"[fotogen dev] {msg}", file=sys.stderr, flush=True)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "fotogen", *args]


def _dev_key(env: dict[str, str], data_dir: Path) -> str:
    """The development key is kept in the data dir and reused while it still authenticates."""
    key_file = data_dir / "dev-api-key"
    if key_file.exists():
        key = key_file.read_text().strip()
        out = subprocess.run(
            _cli("keys", "list", "--owner", "dev"), env=env, capture_output=True, text=True, check=True
        ).stdout
        if key and key[:10] in out and "\tactive\t" in out:
            return key
    key = subprocess.run(
        _cli("keys", "create", "--owner", "dev", "--name", "make dev"),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    return key


def _start_sandbox(
    settings: Settings, data_dir: Path, env: dict[str, str], children: list[subprocess.Popen[bytes]]
) -> None:
    """Start the Fal sandbox (added to ``children`` at once, so it is stopped even if it never opens its port)
    and point ``env`` (the API's and worker's) at it."""
    certs = ensure_certificates(data_dir / "sandbox", settings.sandbox_host)
    sandbox_url = f"https://{settings.sandbox_host}:{settings.sandbox_port}"
    children.append(subprocess.Popen(_cli("sandbox"), env=env))
    wait_for_port(settings.sandbox_host, settings.sandbox_port, timeout=30)
    env.update(
        FOTOGEN_FAL_QUEUE_URL=sandbox_url,
        FOTOGEN_FAL_CA_FILE=str(certs.ca_cert),
        FOTOGEN_FAL_WEBHOOK_JWKS_URL=f"{sandbox_url}/.well-known/jwks.json",
        SSL_CERT_FILE=str(certs.bundle),
    )
    _log(f"Fal sandbox at {sandbox_url} (set FAL_KEY to use real Fal)")


def _wait_ready(url: str, timeout: float) -> None:
    """Wait until the API answers ``/readyz`` (the banner follows either way: a slow start is not an error)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)


RESTART_BACKOFF_CAP = 30.0
STEADY_SECONDS = 60.0  # a worker that ran this long before exiting restarts without delay


class Restarter:
    """Restart one child with backoff: 1 s, 2 s, 4 s … (capped), reset once a run lasted a while."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args, self.env = args, env
        self.failures = 0
        self.started = time.monotonic()
        self.due: float | None = None

    def start(self) -> subprocess.Popen[bytes]:
        self.started = time.monotonic()
        self.due = None
        return subprocess.Popen(self.args, env=self.env)

    def exited(self, code: int | None) -> None:
        ran = time.monotonic() - self.started
        self.failures = 0 if ran >= STEADY_SECONDS else self.failures + 1
        delay = min(RESTART_BACKOFF_CAP, 2.0 ** max(0, self.failures - 1)) if self.failures else 0.0
        self.due = time.monotonic() + delay
        _log(f"the worker exited with {code}; starting it again in {delay:.0f} s")


def _supervise(children: list[subprocess.Popen[bytes]], worker: int, restarter: Restarter) -> int:
    """Watch the children; restart the worker (``children[worker]``) when it exits, stop on any other exit."""
    while True:
        for n, child in enumerate(children):
            if child.poll() is None:
                continue
            if n != worker:
                _log("a child process exited; stopping")
                return 1
            if restarter.due is None:
                restarter.exited(child.returncode)
            elif time.monotonic() >= restarter.due:
                children[n] = restarter.start()
        time.sleep(0.5)


def run_dev() -> int:
    settings = Settings()
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    running = read_state(data_dir)
    if running is not None:
        raise RuntimeError(f"fotogen dev is already running on {data_dir} (pid {running.pid})")
    env = {
        **os.environ,
        "FOTOGEN_DATA_DIR": str(data_dir),
        "FOTOGEN_LOG_JSON": os.environ.get("FOTOGEN_LOG_JSON", "false"),
    }
    stoppers = []
    children: list[subprocess.Popen[bytes]] = []

    def shutdown(*_: object) -> None:
        raise KeyboardInterrupt

    # SIGINT too: a shell that started us in the background may have set it to be ignored.
    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    try:
        if not settings.database_url:
            pg = EmbeddedPostgres(data_dir / "postgres")
            env["DATABASE_URL"] = pg.start()
            stoppers.append(pg.stop)
            _log(f"embedded Postgres at {env['DATABASE_URL']}")
        if not settings.redis_url:
            redis = EmbeddedRedis(data_dir / "redis")
            env["REDIS_URL"] = redis.start()
            stoppers.append(redis.stop)
            _log(f"embedded Redis at {env['REDIS_URL']}")
        subprocess.run(_cli("migrate"), env=env, check=True)
        subprocess.run(_cli("seed"), env=env, check=True)
        url = f"http://{settings.host}:{settings.port}"
        # From here on `fotogen keys create` in another terminal finds these servers (fotogen.state).
        DevState(os.getpid(), env["DATABASE_URL"], env["REDIS_URL"], url).write(data_dir)
        if not settings.fal_key:
            _start_sandbox(settings, data_dir, env, children)
        key = _dev_key(env, data_dir)
        restarter = Restarter(_cli("worker"), env)
        children.append(restarter.start())
        worker = len(children) - 1
        children.append(subprocess.Popen(_cli("api"), env=env))
        _wait_ready(url, timeout=60)
        print(f"\nFotoGen is running at {url}  (docs: {url}/docs, console: {url}/console)", flush=True)
        print(f"Development API key: {key}", flush=True)
        print(f'Try: curl -H "Authorization: Bearer {key}" {url}/v1/models\n', flush=True)
        return _supervise(children, worker, restarter)
    except KeyboardInterrupt:
        _log("stopping")
        return 0
    finally:
        remove_state(data_dir, os.getpid())
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in reversed(children):
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        for stop in reversed(stoppers):
            stop()

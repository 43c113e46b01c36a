"""``fotogen dev`` and the CLI beside it, as a newcomer runs them (as root on this machine, like most containers).

Regression: ``fotogen keys create --owner x`` in a second terminal failed with a traceback ("DATABASE_URL is
not set") while ``make dev`` ran on its embedded Postgres; a second ``make dev`` on the same data dir failed
as root. Here one ``fotogen dev`` runs on a fresh data dir, a separate process makes a key that works, and
after Ctrl-C a second ``fotogen dev`` on the same data dir still has the data.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from fotogen.ports import free_port
from fotogen.state import STATE_FILE, read_state

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "FAL_KEY")}
    env.update(FOTOGEN_DATA_DIR=str(data_dir), FOTOGEN_LOG_JSON="true", **extra)
    return env


def _fotogen(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fotogen", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


@contextmanager
def running_dev(data_dir: Path) -> Iterator[str]:
    """``fotogen dev`` on ``data_dir`` until the block ends, then Ctrl-C (SIGINT) as a terminal sends it."""
    port = free_port()
    env = _env(
        data_dir,
        FOTOGEN_PORT=str(port),
        FOTOGEN_SANDBOX_PORT=str(free_port()),
        FOTOGEN_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "fotogen", "dev"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # ~20 s on an idle machine; the ceiling is for a loaded CI
        while True:
            assert proc.poll() is None, f"fotogen dev exited early: {proc.stderr.read() if proc.stderr else ''}"
            assert time.monotonic() < deadline, "fotogen dev did not become ready within 120 s"
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        yield url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        finally:
            if proc.stderr:
                proc.stderr.close()


@pytest.mark.timeout(360)  # two full start-ups (initdb, migrations, sandbox, API, worker): ~45 s when idle
def test_keys_create_beside_dev_and_restart_keeps_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with running_dev(data_dir) as url:
        state = read_state(data_dir)
        assert state is not None and state.database_url.startswith("postgresql://")
        created = _fotogen("keys", "create", "--owner", "x", env=_env(data_dir))
        assert created.returncode == 0, created.stderr
        key = created.stdout.strip()
        assert httpx.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        second = subprocess.run(
            [sys.executable, "-m", "fotogen", "dev"], env=_env(data_dir), cwd=ROOT, capture_output=True, text=True
        )
        assert second.returncode == 1
        assert second.stderr.strip().splitlines()[-1].startswith("fotogen: error: fotogen dev is already running")
    assert not (data_dir / STATE_FILE).exists(), "the state file outlives fotogen dev"

    with running_dev(data_dir) as url:
        assert httpx.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        listed = _fotogen("keys", "list", "--owner", "x", env=_env(data_dir))
        assert listed.returncode == 0, listed.stderr
        assert key[:10] in listed.stdout


def test_stale_state_file_is_ignored(tmp_path: Path) -> None:
    """A ``fotogen dev`` killed with -9 leaves its file behind: the CLI must not use its dead servers."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / STATE_FILE).write_text(
        json.dumps(
            {
                "pid": int(dead.stdout),
                "database_url": "postgresql://postgres@127.0.0.1:1/gone",
                "redis_url": "redis://127.0.0.1:1/0",
                "api_url": "http://127.0.0.1:1",
            }
        )
    )
    assert read_state(tmp_path) is None
    result = _fotogen("keys", "create", "--owner", "x", env=_env(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"fotogen: error: no database: set DATABASE_URL, or start `fotogen dev` (data dir {tmp_path}) first"
    )


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["keys", "list"], {"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x"}, "cannot reach a server"),
        (["seed"], {"FOTOGEN_PORT": "abc"}, "configuration error: port: "),
    ],
)
def test_cli_errors_are_one_line(tmp_path: Path, args: list[str], env: dict[str, str], expected: str) -> None:
    result = _fotogen(*args, env=_env(tmp_path, **env))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fotogen: error: ") and expected in lines[0], lines[0]


def test_revoking_an_unknown_key_is_one_line(tmp_path: Path, database_url: str) -> None:
    result = _fotogen("keys", "revoke", "key_nope", env=_env(tmp_path, DATABASE_URL=database_url))
    assert (result.returncode, result.stderr) == (1, "fotogen: error: no active key 'key_nope'\n")

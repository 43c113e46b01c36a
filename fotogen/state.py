"""The running ``fotogen dev``'s state file: how a second terminal's ``fotogen keys create`` finds its servers.

``fotogen dev`` writes ``<data dir>/dev-state.json`` (its pid and the database, Redis and API URLs) once its
embedded servers are up, and removes it on exit. Other ``fotogen`` commands read it when ``DATABASE_URL`` /
``REDIS_URL`` are unset. A file whose pid no longer runs (``fotogen dev`` was killed with -9) is stale and
ignored, so a crash never points a later command at a dead server.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

STATE_FILE = "dev-state.json"


@dataclass(frozen=True)
class DevState:
    pid: int
    database_url: str
    redis_url: str
    api_url: str

    def write(self, data_dir: Path) -> Path:
        path = data_dir / STATE_FILE
        tmp = path.with_suffix(".tmp")
        # Owner-only: the database URL may carry a password.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(asdict(self), f)
        tmp.replace(path)
        return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def read_state(data_dir: Path) -> DevState | None:
    """The state of a ``fotogen dev`` running on ``data_dir``, or None (no file, unreadable, or stale)."""
    path = data_dir / STATE_FILE
    try:
        raw = json.loads(path.read_text())
        state = DevState(
            pid=int(raw["pid"]),
            database_url=str(raw["database_url"]),
            redis_url=str(raw["redis_url"]),
            api_url=str(raw.get("api_url", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state if _alive(state.pid) else None


def remove_state(data_dir: Path, pid: int | None = None) -> None:
    """Remove the state file (only the one written by ``pid`` when given: never another run's)."""
    path = data_dir / STATE_FILE
    if pid is not None:
        try:
            if int(json.loads(path.read_text())["pid"]) != pid:
                return
        except (OSError, ValueError, KeyError, TypeError):
            pass
    path.unlink(missing_ok=True)

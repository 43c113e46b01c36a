"""Start a real sandbox for tests (in a background thread or a subprocess).

    from sandbox.testing import start_sandbox, shared_sandbox

    sb = start_sandbox(tmp_path)          # own server, free loopback port
    sb.fal_env()                          # {"FAL_QUEUE_RUN_HOST": "127.0.0.1:PORT", "SSL_CERT_FILE": ...}
    sb.configure(training_seconds=0.1)    # PATCH /_sandbox/config
    sb.requests()                         # GET /_sandbox/requests
    sb.stop()

fal-client 1.0.3 reads ``FAL_RUN_HOST``/``FAL_QUEUE_RUN_HOST`` once, when ``fal_client`` is first
imported, so a process can only talk to one queue host. :func:`shared_sandbox` therefore gives every test
suite of a process the *same* sandbox and exports its environment (:func:`apply_fal_env`) before anything
imports ``fal_client``; reset it between tests with ``sb.reset()``.
"""

from __future__ import annotations

import atexit
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import httpx
import uvicorn

from sandbox.config import SandboxConfig
from sandbox.server import sandbox_url, uvicorn_config
from sandbox.signing import JWKS_PATH
from sandbox.tls import client_ssl_context, ensure_certificates

#: knobs that make the sandbox fast enough for unit tests
FAST_CONFIG: dict[str, Any] = {
    "queue_delay": 0.05,
    "training_seconds": 0.2,
    "generation_seconds": 0.05,
    "mesh_seconds": 0.05,
    "video_seconds": 0.05,
}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class RunningSandbox:
    base_url: str  # https://127.0.0.1:PORT
    host: str  # 127.0.0.1:PORT  (= FAL_QUEUE_RUN_HOST)
    ca_file: Path  # the CA that signs the server certificate
    ca_bundle: Path  # certifi's public CAs + ca_file (a drop-in SSL_CERT_FILE)
    data_dir: Path
    pid: int  # the process serving it (this one, in thread mode)
    _stop: Callable[[], None] = field(repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def jwks_url(self) -> str:
        return self.base_url + JWKS_PATH

    def fal_env(self, key: str = "sandbox-key") -> dict[str, str]:
        """Environment that points fal-client (and our FalProvider) at this sandbox."""
        return {
            "FAL_KEY": key,
            "FAL_QUEUE_RUN_HOST": self.host,
            "FAL_RUN_HOST": self.host,
            "SSL_CERT_FILE": str(self.ca_bundle),
        }

    @cached_property
    def _ssl_context(self) -> ssl.SSLContext:
        # built once: loading certifi's bundle costs tens of ms of CPU, and the control calls come often
        return client_ssl_context(self.ca_file)

    def client(self) -> httpx.Client:
        """A sync httpx client trusting the sandbox, for the control API and file downloads."""
        return httpx.Client(base_url=self.base_url, verify=self._ssl_context, timeout=30)

    def async_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, verify=self._ssl_context, timeout=30)

    def configure(self, **knobs: Any) -> dict[str, Any]:
        with self.client() as c:
            resp = c.patch("/_sandbox/config", json=knobs)
            resp.raise_for_status()
            return dict(resp.json())

    def config(self) -> dict[str, Any]:
        with self.client() as c:
            return dict(c.get("/_sandbox/config").raise_for_status().json())

    def reset(self, **knobs: Any) -> None:
        """Forget all requests/files and restore the start-up config, then apply ``knobs``."""
        with self.client() as c:
            c.post("/_sandbox/reset").raise_for_status()
            if knobs:
                c.patch("/_sandbox/config", json=knobs).raise_for_status()

    def requests(self, endpoint: str | None = None) -> dict[str, Any]:
        with self.client() as c:
            params = {"endpoint": endpoint} if endpoint else None
            return dict(c.get("/_sandbox/requests", params=params).raise_for_status().json())

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self._stop()


def _wait_healthy(base_url: str, ca_file: Path, timeout: float, alive: Callable[[], bool]) -> None:
    deadline = time.monotonic() + timeout
    ctx = client_ssl_context(ca_file)
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("sandbox exited during start-up")
        try:
            if httpx.get(f"{base_url}/_sandbox/health", verify=ctx, timeout=2).status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.05)
    raise RuntimeError(f"sandbox did not become healthy at {base_url}: {last!r}")


def start_sandbox(
    data_dir: Path | str | None = None,
    config: SandboxConfig | dict[str, Any] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    mode: Literal["thread", "subprocess"] = "thread",
    timeout: float = 20.0,
) -> RunningSandbox:
    """Start a sandbox on ``host:port`` (0 = a free port) and wait until it answers.

    ``config`` defaults to :data:`FAST_CONFIG`. In ``subprocess`` mode the knobs travel as
    ``FAL_SANDBOX_*`` environment variables.
    """
    data = Path(data_dir) if data_dir is not None else Path(tempfile.mkdtemp(prefix="fal-sandbox-"))
    if config is None:
        config = SandboxConfig(**FAST_CONFIG)
    elif isinstance(config, dict):
        config = SandboxConfig(**config)
    port = port or free_port(host)
    base_url = sandbox_url(host, port)
    certs = ensure_certificates(data, host)

    if mode == "thread":
        ucfg, _ = uvicorn_config(host, port, data, config, log_level="warning", graceful_timeout=0.5)
        server = uvicorn.Server(ucfg)
        thread = threading.Thread(target=server.run, name=f"fal-sandbox-{port}", daemon=True)
        thread.start()

        def stop() -> None:
            server.should_exit = True
            thread.join(timeout=10)

        alive: Callable[[], bool] = thread.is_alive
        server_pid = os.getpid()
    else:
        env = {**os.environ}
        for name, value in config.model_dump(exclude_none=True).items():
            env[f"FAL_SANDBOX_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sandbox",
                "--host",
                host,
                "--port",
                str(port),
                "--data-dir",
                str(data),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        server_pid = proc.pid

        def stop() -> None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

        def alive() -> bool:
            return proc.poll() is None

    try:
        _wait_healthy(base_url, certs.ca_cert, timeout, alive)
    except BaseException:
        stop()
        raise
    return RunningSandbox(
        base_url=base_url,
        host=base_url.removeprefix("https://"),
        ca_file=certs.ca_cert,
        ca_bundle=certs.bundle,
        data_dir=data,
        pid=server_pid,
        _stop=stop,
    )


_shared: RunningSandbox | None = None
_shared_lock = threading.Lock()


def apply_fal_env(sb: RunningSandbox, key: str = "sandbox-key") -> None:
    """Export ``sb.fal_env()`` into ``os.environ``; fails if fal_client already points elsewhere."""
    os.environ.update(sb.fal_env(key))
    mod = sys.modules.get("fal_client.client")
    if mod is not None and getattr(mod, "QUEUE_URL_FORMAT", None) != f"https://{sb.host}/":
        raise RuntimeError(
            "fal_client was imported before the sandbox environment was set "
            f"(it targets {mod.QUEUE_URL_FORMAT!r}); import fal_client lazily in tests"
        )


def stop_shared_sandbox() -> None:
    """Stop the process-wide sandbox (call it at the end of a test session; atexit does it otherwise)."""
    with _shared_lock:
        if _shared is not None:
            _shared.stop()


def shared_sandbox(config: dict[str, Any] | None = None) -> RunningSandbox:
    """The process-wide sandbox (started on first use, stopped at exit), with its env exported."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared._stopped:
            _shared = start_sandbox(config=SandboxConfig(**(config or FAST_CONFIG)))
            atexit.register(_shared.stop)
            apply_fal_env(_shared)
        return _shared


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class LocalHTTPServer:
    """A plain-HTTP loopback server for tests: serves registered bytes and records everything POSTed.

    Use it to host training zips / images for the sandbox to download, and as a webhook receiver::

        with LocalHTTPServer() as web:
            url = web.add_file("/data.zip", zip_bytes, "application/zip")
            hook = web.url("/hook")
            ...
            [delivery] = web.wait_for_posts(1)
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        import http.server

        self.files: dict[str, tuple[bytes, str]] = {}
        self.received: list[ReceivedRequest] = []
        self.post_status = 200
        self._cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                found = outer.files.get(path)
                if found is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data, content_type = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with outer._cond:
                    outer.received.append(ReceivedRequest("POST", self.path, dict(self.headers.items()), body))
                    outer._cond.notify_all()
                self.send_response(outer.post_status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalHTTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, path: str) -> str:
        return self.base_url + path

    def add_file(self, path: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        self.files[path] = (data, content_type)
        return self.url(path)

    def posts(self, path: str | None = None) -> list[ReceivedRequest]:
        with self._cond:
            return [r for r in self.received if path is None or r.path == path]

    def wait_for_posts(self, n: int, path: str | None = None, timeout: float = 10.0) -> list[ReceivedRequest]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [r for r in self.received if path is None or r.path == path]
                if len(got) >= n:
                    return got
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"expected {n} POSTs to {path or '*'}, got {len(got)}")
                self._cond.wait(remaining)


def make_image(
    fmt: str = "PNG", size: tuple[int, int] = (32, 24), color: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    """A small solid-colour image encoded as ``fmt`` (PNG, JPEG, WEBP, GIF, ...)."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def make_zip(entries: dict[str, bytes | str]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def sample_dataset_zip() -> bytes:
    """A valid training archive: JPEG/PNG/WebP images, two with same-stem captions."""
    return make_zip(
        {
            "img_001.jpg": make_image("JPEG", color=(10, 120, 200)),
            "img_001.txt": "a photo of TOK smiling",
            "img_002.png": make_image("PNG", color=(200, 200, 20)),
            "img_003.webp": make_image("WEBP", color=(0, 200, 90)),
            "img_003.txt": "TOK at the beach",
        }
    )

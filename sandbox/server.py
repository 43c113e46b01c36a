"""Serving the sandbox over HTTPS with uvicorn."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from sandbox.app import create_sandbox_app
from sandbox.config import SandboxConfig
from sandbox.tls import CertPaths, ensure_certificates

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8010
DEFAULT_DATA_DIR = Path(".data/sandbox")


def sandbox_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"https://{shown}:{port}"


def uvicorn_config(
    host: str,
    port: int,
    data_dir: Path | str,
    config: SandboxConfig | None = None,
    log_level: str = "info",
    graceful_timeout: float = 2.0,
) -> tuple[uvicorn.Config, CertPaths]:
    certs = ensure_certificates(data_dir, host)
    app = create_sandbox_app(config, data_dir=data_dir, ca_cert=certs.ca_cert)
    cfg = uvicorn.Config(
        app,
        host=host,
        port=port,
        ssl_certfile=str(certs.cert),
        ssl_keyfile=str(certs.key),
        log_level=log_level,
        ws="none",
        lifespan="on",
        timeout_graceful_shutdown=graceful_timeout,
    )
    return cfg, certs


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    data_dir: Path | str = DEFAULT_DATA_DIR,
    config: SandboxConfig | None = None,
    log_level: str = "info",
) -> None:
    """Run the sandbox in the foreground until interrupted.

    Writes ``ca.pem`` (trust it: it signs ``server.pem``), ``ca-bundle.pem`` (public CAs + ca.pem, a drop-in
    ``SSL_CERT_FILE``), ``server.pem``/``server-key.pem`` and ``webhook-ed25519.pem`` into ``data_dir``.
    """
    cfg, _ = uvicorn_config(host, port, data_dir, config, log_level)
    uvicorn.Server(cfg).run()


run = serve

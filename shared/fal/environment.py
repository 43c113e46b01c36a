"""How configuration reaches fal-client (1.0.3).

fal-client has no per-client host or TLS settings:

* ``FAL_RUN_HOST`` / ``FAL_QUEUE_RUN_HOST`` are read **once, when ``fal_client`` is first imported**
  (``fal_client.auth``), and baked into ``fal_client.client.QUEUE_URL_FORMAT = "https://{host}/"``.
* TLS trust is httpx's default: ``SSL_CERT_FILE`` (or ``SSL_CERT_DIR``), else certifi; it is read when
  fal-client builds its httpx client, i.e. on the first request of each ``AsyncClient``.

So the process sets these environment variables before the first ``import fal_client``.
:func:`configure_fal_client` does it (``FalProvider.__init__`` calls it and imports ``fal_client``
lazily), and fails with ``provider_misconfigured`` if ``fal_client`` was already imported with another
host. Alternatively export ``FAL_QUEUE_RUN_HOST``/``SSL_CERT_FILE`` in the environment of the process.
The extra CA is never used alone: it is appended to certifi's (or the current ``SSL_CERT_FILE``) bundle,
so other HTTPS traffic of the process keeps working.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import certifi

from shared.fal.errors import PROVIDER_MISCONFIGURED, ProviderError

FAL_QUEUE_URL = "https://queue.fal.run"


def queue_host(queue_url: str | None) -> str:
    """``https://127.0.0.1:8010`` → ``127.0.0.1:8010``; ``None`` → Fal's ``queue.fal.run``."""
    parts = urlsplit(queue_url or FAL_QUEUE_URL)
    if parts.scheme != "https" or not parts.netloc or parts.path not in ("", "/"):
        raise ProviderError(
            PROVIDER_MISCONFIGURED,
            f"Fal queue URL must look like https://host[:port] (fal-client only speaks https): {queue_url!r}",
            retryable=False,
        )
    return parts.netloc


def trust_bundle(ca_file: Path | str) -> Path:
    """A PEM bundle = current trust (``SSL_CERT_FILE`` or certifi) + ``ca_file``; written once per content."""
    ca = Path(ca_file).read_text()
    current = os.environ.get("SSL_CERT_FILE")
    base_path = Path(current) if current and Path(current).is_file() else Path(certifi.where())
    base = base_path.read_text()
    if ca.strip() in base:
        return base_path
    content = base.rstrip("\n") + "\n" + ca
    digest = hashlib.sha256(content.encode()).hexdigest()[:16]
    out = Path(tempfile.gettempdir()) / f"fotogen-fal-trust-{digest}.pem"
    if not out.exists():
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(content)
        tmp.replace(out)
    return out


def fal_client_environment(queue_url: str | None, ca_file: Path | str | None = None) -> dict[str, str]:
    """The environment variables that point fal-client at ``queue_url`` and trust ``ca_file``."""
    host = queue_host(queue_url)
    env: dict[str, str] = {}
    if host != urlsplit(FAL_QUEUE_URL).netloc:
        env["FAL_QUEUE_RUN_HOST"] = host
        env["FAL_RUN_HOST"] = host  # keep every fal-client URL off the real Fal
    if ca_file is not None:
        env["SSL_CERT_FILE"] = str(trust_bundle(ca_file))
    return env


def configure_fal_client(queue_url: str | None, ca_file: Path | str | None = None) -> None:
    """Export :func:`fal_client_environment` and check that ``fal_client`` targets ``queue_url``."""
    host = queue_host(queue_url)
    env = fal_client_environment(queue_url, ca_file)
    if "fal_client.client" not in sys.modules:
        for name in ("FAL_QUEUE_RUN_HOST", "FAL_RUN_HOST"):
            if name in env:
                os.environ[name] = env[name]
            elif queue_url is None or host == urlsplit(FAL_QUEUE_URL).netloc:
                os.environ.pop(name, None)
    if "SSL_CERT_FILE" in env:
        os.environ["SSL_CERT_FILE"] = env["SSL_CERT_FILE"]
    import fal_client.client

    actual = str(fal_client.client.QUEUE_URL_FORMAT)
    if actual != f"https://{host}/":
        raise ProviderError(
            PROVIDER_MISCONFIGURED,
            f"fal_client was imported before FAL_QUEUE_RUN_HOST was set and targets {actual!r}, not "
            f"'https://{host}/'; export FAL_QUEUE_RUN_HOST={host} or build FalProvider before importing "
            "fal_client",
            retryable=False,
        )

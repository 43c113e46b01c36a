"""``python -m sandbox --host 127.0.0.1 --port 8010 --data-dir .data/sandbox``"""

from __future__ import annotations

import argparse
from pathlib import Path

from sandbox.config import SandboxConfig
from sandbox.server import DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT, sandbox_url, serve
from sandbox.signing import JWKS_PATH
from sandbox.tls import ensure_certificates


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="FotoGen's local Fal stand-in")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    config = SandboxConfig()  # FAL_SANDBOX_* environment variables
    certs = ensure_certificates(args.data_dir, args.host)
    url = sandbox_url(args.host, args.port)
    print(f"Fal sandbox listening on {url}", flush=True)
    print(f"  trust (CA):         {certs.ca_cert.resolve()}", flush=True)
    print(f"  SSL_CERT_FILE:      {certs.bundle.resolve()}", flush=True)
    print(f"  FAL_QUEUE_RUN_HOST: {url.removeprefix('https://')}", flush=True)
    print(f"  webhook JWKS:       {url}{JWKS_PATH}", flush=True)
    print(f"  control API:        {url}/_sandbox/config, /_sandbox/requests, /_sandbox/reset", flush=True)
    serve(args.host, args.port, args.data_dir, config, args.log_level)


if __name__ == "__main__":
    main()

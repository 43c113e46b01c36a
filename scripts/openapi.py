"""Write or check ``openapi/openapi.json`` and the typed client generated from it (``make openapi`` / the drift
test).

The client (``openapi/client``, the package ``fotogen_client``) is made by openapi-python-client, pinned in its
own locked environment (``openapi/generator``, synced into ``.tools/openapi-generator`` by ``make install``: the
generator pins a ``typer`` older than the CLI's). Generation is offline and deterministic: the same document
gives the same files, formatted by the project's ruff version.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "openapi" / "openapi.json"
CLIENT = ROOT / "openapi" / "client"
GENERATOR_DIR = ROOT / "openapi" / "generator"
GENERATOR_BIN = ROOT / ".tools" / "openapi-generator" / "bin"


def render() -> str:
    from api.app import create_app
    from shared.config import Settings

    app = create_app(Settings(database_url="postgresql://unused/unused", redis_url="redis://unused"))
    return json.dumps(app.openapi(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def generate_client(document: str, out: Path) -> None:
    """Generate the client package for ``document`` into ``out`` (which must not exist)."""
    generator = GENERATOR_BIN / "openapi-python-client"
    if not generator.exists():
        raise RuntimeError(f"{generator} is missing: run `make install` (it syncs openapi/generator)")
    with tempfile.TemporaryDirectory(prefix="fotogen-openapi-") as tmp:
        spec = Path(tmp) / "openapi.json"
        spec.write_text(document)
        result = subprocess.run(
            [
                str(generator),
                "generate",
                "--path",
                str(spec),
                "--config",
                str(GENERATOR_DIR / "config.yml"),
                "--meta",
                "uv",
                "--output-path",
                str(out),
                "--fail-on-warning",
            ],
            cwd=tmp,
            # the post hooks run `ruff`: the generator environment's, pinned to the project's version
            env={**os.environ, "PATH": f"{GENERATOR_BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"openapi-python-client failed:\n{result.stdout}\n{result.stderr}")


CACHES = {"__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache"}  # what tools leave in the tree (git ignores)


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and not CACHES & set(p.parts)}


def client_drift(document: str) -> list[str]:
    """Files of ``openapi/client`` that differ from a fresh generation (empty: in step)."""
    with tempfile.TemporaryDirectory(prefix="fotogen-client-") as tmp:
        fresh = Path(tmp) / "client"
        generate_client(document, fresh)
        ours, theirs = _tree(CLIENT) if CLIENT.exists() else set(), _tree(fresh)
        drift = sorted(ours ^ theirs)
        drift += sorted(n for n in ours & theirs if not filecmp.cmp(CLIENT / n, fresh / n, shallow=False))
        return drift


def write_client(document: str) -> None:
    with tempfile.TemporaryDirectory(prefix="fotogen-client-") as tmp:
        fresh = Path(tmp) / "client"
        generate_client(document, fresh)
        if CLIENT.exists():
            shutil.rmtree(CLIENT)
        shutil.copytree(fresh, CLIENT)


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "write"
    text = render()
    if mode == "check":
        failed = 0
        if not OUT.exists() or OUT.read_text() != text:
            print("openapi/openapi.json is stale: run `make openapi`", file=sys.stderr)
            failed = 1
        if drift := client_drift(text):
            print(f"openapi/client is stale ({', '.join(drift[:5])}…): run `make openapi`", file=sys.stderr)
            failed = 1
        return failed
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {OUT}", file=sys.stderr)
    write_client(text)
    print(f"wrote {CLIENT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

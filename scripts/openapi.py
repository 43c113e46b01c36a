"""Write or check ``openapi/openapi.json`` (``make openapi`` / the drift test)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def render() -> str:
    from api.app import create_app
    from shared.config import Settings

    app = create_app(Settings(database_url="postgresql://unused/unused", redis_url="redis://unused"))
    return json.dumps(app.openapi(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "write"
    text = render()
    if mode == "check":
        if not OUT.exists() or OUT.read_text() != text:
            print("openapi/openapi.json is stale: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

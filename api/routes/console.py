"""``/console``: the web console, static files served as they are in the repo (no build step, no CDN).

The console is a client of the public API like any other: it runs in the browser, keeps the pasted API key
in ``sessionStorage`` and calls ``/v1/...`` on the same origin. This module only hands out its files, so
it stays out of the OpenAPI schema. Everything is answered with a strict Content-Security-Policy (scripts
and connections to this origin only; images may come from signed storage URLs elsewhere, e.g. GCS) and
``no-cache`` so a deploy is picked up at the next load.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "console" / "static"

# Only these suffixes are served; ES modules need a JavaScript type or browsers refuse to run them.
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}

HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' https: data: blob:; media-src 'self' https:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
}

router = APIRouter(include_in_schema=False)


def static_file(relative: str) -> Path:
    """The file under :data:`STATIC_DIR` that ``relative`` names, or 404 (never a path outside it)."""
    path = (STATIC_DIR / relative).resolve()
    if not path.is_relative_to(STATIC_DIR) or path.suffix not in MEDIA_TYPES or not path.is_file():
        raise HTTPException(status_code=404, detail="Not found.")
    return path


def _serve(relative: str) -> FileResponse:
    path = static_file(relative)
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=HEADERS)


@router.get("/console")
async def console_index() -> FileResponse:
    return _serve("index.html")


@router.get("/console/{path:path}")
async def console_file(path: str) -> FileResponse:
    # Pages are hash routes (/console#/train), so any other path is a file; "" is /console/ itself.
    return _serve(path or "index.html")

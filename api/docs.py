"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) with every asset served by the service itself: no CDN.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, which a self-hosted deployment may not reach, and then
"Authorize" cannot work. This follows FastAPI's documented pattern for self-hosted docs assets
(``docs_url=None, redoc_url=None``; ``get_swagger_ui_html``/``get_redoc_html`` pointed at a static mount; the OAuth2
redirect route). The files come from the ``fastapi-offline`` package (a pinned runtime dependency, MIT), which
bundles the Swagger UI (``swagger-ui-dist``, Apache-2.0) and ReDoc (``redoc``, MIT) builds and is updated with them;
we use its files only, not its ``FastAPIOffline`` factory, so ``create_app`` stays the one place the app is built.

The pages carry a Content-Security-Policy that keeps every script, style, image and request on this origin: a
browser refuses anything else, so the docs work exactly as they would without a network.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
ASSETS_URL = "/docs/assets"
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")

#: the pasted key survives a reload (Swagger UI keeps it in the browser's localStorage; "Logout" clears it)
SWAGGER_UI_PARAMETERS = {"persistAuthorization": True}

HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # The pages' bootstrap scripts are inline (FastAPI's HTML); Swagger UI and ReDoc style inline and draw with
    # data: images; ReDoc runs its search in a blob: worker.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
}


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs``, its OAuth2 redirect, ``/redoc`` and their assets on ``app`` (built with docs off)."""
    missing = [name for name in ASSETS if not (ASSETS_DIR / name).is_file()]
    if missing:  # a fastapi-offline release that moved its files: fail at start-up, not in someone's browser
        raise RuntimeError(f"API docs assets missing from {ASSETS_DIR}: {', '.join(missing)}")
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    def root(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        base = root(request)
        page = get_swagger_ui_html(
            openapi_url=base + openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=base + OAUTH2_REDIRECT_URL,
            swagger_js_url=f"{base}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{base}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{base}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )
        page.headers.update(HEADERS)
        return page

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        page = get_swagger_ui_oauth2_redirect_html()
        page.headers.update(HEADERS)
        return page

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        base = root(request)
        page = get_redoc_html(
            openapi_url=base + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{base}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{base}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
        page.headers.update(HEADERS)
        return page

"""``/docs`` and ``/redoc`` come with their assets from the service itself (api.docs): no page names another host.

The browser side (Authorize, Try it out, not one request off the origin) is tests/console/test_api_docs.py.
"""

from __future__ import annotations

import re

import httpx
import pytest

#: every URL a page loads: src/href attributes and the ``url:`` / spec URL its bootstrap script passes
_URLS = re.compile(r"""(?:src|href|url|spec-url)\s*[=:]\s*['"]([^'"]+)['"]""")


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        ("/docs", {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/docs/assets/favicon.png"}),
        ("/redoc", {"/docs/assets/redoc.standalone.js", "/docs/assets/favicon.png"}),
    ],
)
async def test_docs_pages_load_only_from_the_service(client: httpx.AsyncClient, page: str, assets: set[str]) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp and "img-src 'self' data: blob:" in csp
    urls = set(_URLS.findall(response.text))
    assert assets | {"/openapi.json"} <= urls, urls
    assert [u for u in urls if "//" in u] == [], "the page names another host"
    assert "fonts.googleapis" not in response.text


@pytest.mark.parametrize(
    ("asset", "media_type"),
    [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("redoc.standalone.js", "text/javascript"),
        ("favicon.png", "image/png"),
    ],
)
async def test_docs_assets_are_served(client: httpx.AsyncClient, asset: str, media_type: str) -> None:
    response = await client.get(f"/docs/assets/{asset}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert len(response.content) > 1000


async def test_docs_oauth2_redirect_and_unknown_asset(client: httpx.AsyncClient) -> None:
    redirect = await client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200 and "oauth2" in redirect.text
    missing = await client.get("/docs/assets/nope.js")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert (await client.get("/docs/assets/../../api/app.py")).status_code == 404


async def test_docs_routes_stay_out_of_the_openapi_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith(("/docs", "/redoc"))]

"""``/docs`` and ``/redoc`` in headless Chromium against the live API, with no network beyond this machine.

Every request the page makes is routed through :func:`_same_origin_only`: one to any host other than loopback is
aborted and recorded, and the test fails on it (the docs must not need a CDN). Browser console errors fail the
test too (the ``console`` fixture). Screenshots (the viewport, or the operation tried) land in
``.data/test-artifacts/console/``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Locator, Page, Route, expect
from support.env import ROOT

ARTIFACTS = ROOT / ".data" / "test-artifacts" / "console"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


async def _same_origin_only(page: Page) -> list[str]:
    """Abort (and list) every request of ``page``'s context to a host that is not loopback."""
    left: list[str] = []

    async def handle(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS:
            await route.continue_()
        else:
            left.append(url)
            await route.abort()

    await page.context.route("**/*", handle)
    return left


async def _shot(target: Page | Locator, name: str) -> None:
    """A screenshot of the viewport or of one element (the docs pages are far too long for a full-page one)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await target.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _operation(page: Page, tag: str, operation_id: str) -> Locator:
    return page.locator(f"#operations-{tag}-{operation_id}")


def _response_body(op: Locator) -> Locator:
    """The live response's body cell (not the documented responses below it)."""
    return op.locator(".live-responses-table tr.response td.response-col_description")


async def _try_it_out(op: Locator) -> None:
    """Press "Try it out" and empty the ``metadata`` filter, which Swagger UI fills with its example values."""
    await op.get_by_role("button", name="Try it out").click()
    await op.locator('tr[data-param-name="metadata"] textarea').fill("{}")


async def _execute(op: Locator, status: str) -> None:
    """Press Execute on an expanded, tried-out operation and wait for ``status`` in its response pane."""
    await op.get_by_role("button", name="Execute").click()
    await expect(op.locator(".live-responses-table tr.response td.response-col_status")).to_have_text(status)


async def test_docs_authorize_with_an_api_key_and_try_an_authenticated_call(
    console: Any, console_key: str, live_api: str
) -> None:
    async with httpx.AsyncClient(base_url=live_api, headers={"Authorization": f"Bearer {console_key}"}) as api:
        created = await api.post("/v1/datasets", json={"name": "Seen through the docs"})
        assert created.status_code == 201, created.text
    page = console.page
    off_origin = await _same_origin_only(page)
    assets: list[str] = []
    page.on("response", lambda r: assets.append(f"{r.status} {r.url}") if "/docs/assets/" in r.url else None)
    await page.goto(f"{live_api}/docs")
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("FotoGen API")
    assert off_origin == [], f"/docs requested hosts other than this service: {off_origin}"
    # Swagger UI itself came from this service (headless Chromium may not ask for the favicon: tests/api does)
    assert {a.rsplit("/", 1)[-1] for a in assets if a.startswith("200 ")} >= {"swagger-ui-bundle.js", "swagger-ui.css"}

    # -- not authorized: the call is refused ------------------------------------------------------------
    op = _operation(page, "datasets", "datasets-list")
    await op.locator(".opblock-summary").click()
    await _try_it_out(op)
    console.expected.append(r"status of 401 .*/v1/datasets")  # Chromium logs the refused fetch
    await _execute(op, "401")
    await expect(_response_body(op)).to_contain_text("missing_api_key")
    await _shot(op, "docs-unauthorized")

    # -- Authorize with the key, then the same call answers 200 -----------------------------------------
    await page.locator(".auth-wrapper").get_by_role("button", name="Authorize").click()
    dialog = page.locator(".dialog-ux .modal-ux")
    await expect(dialog).to_contain_text("bearerAuth")
    await dialog.get_by_label("auth-bearer-value").fill(console_key)
    await dialog.get_by_role("button", name="Apply credentials").click()  # the dialog's "Authorize"
    await expect(dialog.locator("button", has_text="Logout")).to_be_visible()
    await _shot(page, "docs-authorize-dialog")
    await dialog.locator("button.btn-done", has_text="Close").click()
    await _execute(op, "200")
    body = _response_body(op)
    await expect(body).to_contain_text(created.json()["id"])  # the key's owner's dataset, and only that
    await expect(body).to_contain_text("Seen through the docs")
    await expect(op.locator(".curl-command")).to_contain_text("Authorization: Bearer")
    await _shot(op, "docs-authorized")

    # -- persistAuthorization: the key survives loading the page again -----------------------------------
    await page.goto(f"{live_api}/docs")
    op = _operation(page, "datasets", "datasets-list")
    await op.locator(".opblock-summary").click()
    await _try_it_out(op)
    await _execute(op, "200")
    await expect(_response_body(op)).to_contain_text(created.json()["id"])

    assert off_origin == [], f"/docs requested hosts other than this service: {off_origin}"


async def test_redoc_renders_from_the_service_alone(console: Any, live_api: str) -> None:
    page = console.page
    off_origin = await _same_origin_only(page)
    # ReDoc's bundle hard-codes one off-origin image, its "API docs by Redocly" logo on a CDN (no option turns it
    # off). The page's CSP refuses it before any request is made, which Chromium reports once; ReDoc then drops
    # the image by itself (its onError).
    console.expected.append(r"cdn\.redoc\.ly/redoc/logo-mini\.svg' violates the following Content Security Policy")
    await page.goto(f"{live_api}/redoc")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("FotoGen API")
    await expect(page.get_by_role("heading", name="List Datasets").first).to_be_attached()
    await _shot(page, "redoc")
    assert off_origin == [], f"/redoc requested hosts other than this service: {off_origin}"

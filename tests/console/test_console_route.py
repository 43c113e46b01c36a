"""``/console`` as files: what the API serves, with which headers, and what it refuses (no browser needed)."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from fastapi import HTTPException
from support.env import ROOT

from api.routes.console import STATIC_DIR, static_file


async def test_index_and_modules_are_served_with_a_strict_policy(client: httpx.AsyncClient) -> None:
    for path in ("/console", "/console/"):
        r = await client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert '<script type="module" src="/console/app.js">' in r.text
        policy = r.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "connect-src 'self'" in policy
        assert r.headers["x-content-type-options"] == "nosniff"
    r = await client.get("/console/pages/datasets.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")


async def test_only_console_files_are_served(client: httpx.AsyncClient) -> None:
    for path in (
        "/console/%2e%2e/%2e%2e/routes/console.py",
        "/console/..%2f..%2fapp.py",
        "/console/missing.js",
        "/console/pages",
    ):
        assert (await client.get(path)).status_code == 404, path
    for relative in ("../../routes/console.py", "../console.py", "pages", "/etc/passwd"):
        with pytest.raises(HTTPException):
            static_file(relative)


async def test_the_console_is_not_part_of_the_api_contract(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith("/console")]


def test_every_registered_page_names_an_operation_of_the_api() -> None:
    """A page is shown when its `needs` operation exists: a renamed operationId must not hide it silently."""
    registry = (STATIC_DIR / "pages" / "index.js").read_text()
    pages = re.findall(r'id: "([a-z0-9-]+)".*?needs: "([a-z-]+)".*?import\("\./([a-z0-9-]+\.js)"\)', registry)
    assert [page_id for page_id, _, _ in pages] == [
        "datasets",
        "train",
        "models",
        "generate",
        "characters",
        "videos",
        "meshes",
        "usage",
        "webhooks",
        "events",
    ]
    schema = json.loads((ROOT / "openapi" / "openapi.json").read_text())
    operations = {op["operationId"] for item in schema["paths"].values() for op in item.values()}
    for page_id, needs, module in pages:
        assert needs in operations, (page_id, needs)
        assert (STATIC_DIR / "pages" / module).is_file(), module

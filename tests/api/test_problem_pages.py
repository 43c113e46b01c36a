"""Problem ``type`` URIs resolve on the service (``/problems/<code>``), every code in the source is catalogued,
and the OpenAPI document declares the bearer scheme so ``/docs`` can authorize."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from support.problems import assert_problem

from api.problem_codes import CATALOGUE, NOT_FOUND_RESOURCES
from shared.uploads.schemas import REJECTION_CODES

ROOT = Path(__file__).resolve().parent.parent.parent
_LITERALS = [
    re.compile(r'\bcode="([a-z0-9_]+)"'),  # raise X(..., code="..."), RejectedFile(code="...")
    re.compile(r'"code": "([a-z0-9_]+)"'),  # hand-built error items
    re.compile(r'\bdefault_code(?:: ClassVar\[str\])? = "([a-z0-9_]+)"'),  # error classes
    re.compile(r'problem_response\(\s*\d{3},\s*"([a-z0-9_]+)"'),  # middleware answers
    re.compile(r'\.reject\(\s*"([a-z0-9_]+)"'),  # per-file rejections
    re.compile(r'ImageRejected\(\s*"([a-z0-9_]+)"'),
]
_RESOURCES = [
    re.compile(r'\bnot_found\(\s*"([a-z_]+)"'),
    re.compile(r'\bscope\.get\(\s*\w+,\s*\w+,\s*"([a-z_]+)"'),
    re.compile(r'\bchecked_id\(\s*\w+,\s*"([a-z_]+)"'),
]


def _source_codes() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in ("api", "shared", "worker"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            for pattern in _LITERALS:
                for code in pattern.findall(text):
                    found.setdefault(code, str(path.relative_to(ROOT)))
            for pattern in _RESOURCES:
                for resource in pattern.findall(text):
                    found.setdefault(f"{resource}_not_found", str(path.relative_to(ROOT)))
    return found


def test_every_code_in_the_source_is_in_the_catalogue() -> None:
    found = _source_codes()
    assert len(found) > 40, "the scan finds the codes (a broken pattern must not pass silently)"
    missing = {code: where for code, where in found.items() if code not in CATALOGUE}
    assert not missing, f"codes without a catalogue entry (api/problem_codes.py): {missing}"
    assert set(REJECTION_CODES) <= CATALOGUE.keys()
    assert {f"{r}_not_found" for r in NOT_FOUND_RESOURCES} <= CATALOGUE.keys()


async def test_problem_type_resolves_to_its_page(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/v1/models"), 401, "missing_api_key")
    assert body["type"] == "/problems/missing_api_key"
    page = await client.get(body["type"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "missing_api_key" in page.text and "Authorization: Bearer" in page.text
    as_json = await client.get(body["type"], headers={"Accept": "application/json"})
    assert as_json.json() == {
        "code": "missing_api_key",
        "type": "/problems/missing_api_key",
        "status": 401,
        "title": "Unauthorized",
        "description": CATALOGUE["missing_api_key"].description,
    }


async def test_unknown_route_and_unknown_code(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/nowhere"), 404, "not_found")
    assert (await client.get(body["type"])).status_code == 200
    missing = assert_problem(await client.get("/problems/no_such_code"), 404, "problem_not_found")
    assert (await client.get(missing["type"], headers={"Accept": "application/json"})).json()["status"] == 404


async def test_problem_index_lists_the_catalogue(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/problems", headers={"Accept": "application/json"})).json()
    assert {entry["code"] for entry in listed} == CATALOGUE.keys()
    html = (await client.get("/problems")).text
    assert all(f'href="/problems/{code}"' in html for code in CATALOGUE)


async def test_openapi_declares_bearer_auth_on_authed_operations(client: httpx.AsyncClient) -> None:
    doc: dict[str, Any] = (await client.get("/openapi.json")).json()
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key: `Authorization: Bearer <key>`.",
    }
    ops = {(m, p): op for p, item in doc["paths"].items() for m, op in item.items()}
    assert ops[("get", "/v1/models")]["security"] == [{"bearerAuth": []}]
    assert ops[("get", "/v1/trainings/{training_id}/stream")]["security"] == [{"bearerAuth": []}]
    assert "security" not in ops[("get", "/healthz")]
    assert "security" not in ops[("post", "/v1/provider-webhooks/fal")]
    authed = [op for (m, p), op in ops.items() if p.startswith("/v1/") and "401" in op["responses"]]
    assert authed and all(op.get("security") == [{"bearerAuth": []}] for op in authed if "fal" not in str(op))


async def test_bearer_scheme_changes_no_answer(client: httpx.AsyncClient, api_key: str) -> None:
    """The scheme is declared only: our own parsing still answers (problem+json, same codes)."""
    assert_problem(
        await client.get("/v1/models", headers={"Authorization": "Basic eA=="}), 401, "invalid_authorization"
    )
    assert_problem(await client.get("/v1/models", headers={"Authorization": "Bearer"}), 401, "invalid_authorization")
    ok = await client.get("/v1/models", headers={"Authorization": f"bearer {api_key}"})
    assert ok.status_code == 200

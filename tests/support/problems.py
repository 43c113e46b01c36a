from __future__ import annotations

from typing import Any

import httpx


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "code"} <= body.keys()
    if code is not None:
        assert body["code"] == code, body
    # The type is the code's page on the service, and the code is in the one catalogue.
    from api.problem_codes import CATALOGUE, problem_type

    assert body["type"] == problem_type(body["code"]), body
    assert body["code"] in CATALOGUE, f"{body['code']} is not in api/problem_codes.py"
    return body

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.env import new_api_key
from support.problems import assert_problem


async def test_healthz(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert r.headers["x-request-id"]


async def test_readyz_checks_postgres_redis_storage(client: httpx.AsyncClient) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["checks"] == {"postgres": "ok", "redis": "ok", "storage": "ok"}


async def test_metrics_are_prometheus_text(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert 'fotogen_http_requests_total{method="GET",route="/healthz",status="200"}' in r.text


async def test_missing_key_is_401_problem(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/v1/models"), 401, "missing_api_key")
    assert body["type"].endswith("/missing_api_key")


@pytest.mark.parametrize(
    "header", ["Bearer fg_not-a-real-key", "Bearer ", "Basic dXNlcjpwYXNz", "fg_abc", "Bearer " + "x" * 5000]
)
async def test_wrong_key_is_401_problem(client: httpx.AsyncClient, header: str) -> None:
    r = await client.get("/v1/models", headers={"Authorization": header})
    assert_problem(r, 401)
    assert r.headers["www-authenticate"] == "Bearer"


async def test_revoked_key_is_401(app: Any, client: httpx.AsyncClient) -> None:
    from shared.auth.service import revoke_key

    key = await new_api_key(app)
    headers = {"Authorization": f"Bearer {key}"}
    assert (await client.get("/v1/models", headers=headers)).status_code == 200
    async with app.state.sessionmaker() as session:
        assert await revoke_key(session, key[:10])
        await session.commit()
    assert_problem(await client.get("/v1/models", headers=headers), 401, "invalid_api_key")


async def test_unknown_route_is_404_problem(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/v1/nope"), 404, "not_found")
    assert "/v1/nope" in body["detail"]


async def test_wrong_method_is_405_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.put("/healthz"), 405, "method_not_allowed")


async def test_validation_error_is_422_problem_with_errors(authed: httpx.AsyncClient) -> None:
    body = assert_problem(await authed.get("/v1/models?limit=1000"), 422, "validation_error")
    assert body["errors"][0]["loc"] == ["query", "limit"]


async def test_models_lists_base_catalogue(authed: httpx.AsyncClient) -> None:
    r = await authed.get("/v1/models")
    assert r.status_code == 200
    page = r.json()
    ids = {m["id"] for m in page["data"]}
    assert "mdl_flux_1_dev" in ids
    flux = next(m for m in page["data"] if m["id"] == "mdl_flux_1_dev")
    assert flux["type"] == "base" and flux["category"] == "image" and flux["weights"] is None
    assert [t["name"] for t in flux["trainers"]] == ["fast", "portrait"]
    assert page["has_more"] is False and page["next_cursor"] is None


async def test_models_filters_and_paginates(authed: httpx.AsyncClient) -> None:
    r = await authed.get("/v1/models", params={"category": "3d"})
    assert [m["id"] for m in r.json()["data"]] == ["mdl_tripo3d_v2_5"]
    first = (await authed.get("/v1/models", params={"limit": 1})).json()
    assert len(first["data"]) == 1 and first["has_more"] is True
    second = (await authed.get("/v1/models", params={"limit": 1, "after": first["next_cursor"]})).json()
    assert second["data"][0]["id"] != first["data"][0]["id"]
    assert_problem(await authed.get("/v1/models", params={"after": "%%%"}), 400, "invalid_cursor")


async def test_model_get_and_unknown(authed: httpx.AsyncClient) -> None:
    assert (await authed.get("/v1/models/mdl_flux_1_dev")).json()["name"] == "FLUX.1 [dev]"
    assert_problem(await authed.get("/v1/models/mdl_missing"), 404, "model_not_found")


async def test_base_models_are_read_only(authed: httpx.AsyncClient) -> None:
    assert_problem(await authed.patch("/v1/models/mdl_flux_1_dev", json={"name": "x"}), 403, "base_model_read_only")
    assert_problem(await authed.delete("/v1/models/mdl_flux_1_dev"), 403, "base_model_read_only")


async def test_malformed_json_body_is_422_not_500(authed: httpx.AsyncClient) -> None:
    r = await authed.patch(
        "/v1/models/mdl_flux_1_dev", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_problem(r, 422, "validation_error")

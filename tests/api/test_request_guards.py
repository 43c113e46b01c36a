"""Requests that used to cost memory or answer 500: hostile bodies, unstorable text, dependency outages.

Everything here runs against real servers: the live uvicorn for raw-socket tests, and a TCP fault proxy in
front of the real Postgres / Redis for outages (``support.faults``).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import psutil
import pytest
from support.env import make_settings, new_api_key
from support.factories import api_client, wait_for
from support.faults import FaultProxy, postgres_proxy
from support.live import serve
from support.rawhttp import raw_post

from api.app import create_app
from shared.config import Settings

MB = 1024 * 1024


async def test_unauthenticated_body_is_refused_before_it_is_read(live_api: str) -> None:
    status, sent, body = await raw_post(
        live_api,
        "/v1/datasets",
        headers={"Content-Type": "application/json", "Content-Length": str(100 * MB)},
        body_bytes=100 * MB,
    )
    assert status == 401 and json.loads(body)["code"] == "missing_api_key"
    assert sent < 100 * MB


async def test_oversized_json_is_413_while_streaming(live_api: str, api_key: str) -> None:
    auth = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    # Declared too large: refused at the headers.
    status, sent, body = await raw_post(
        live_api, "/v1/datasets", headers={**auth, "Content-Length": str(100 * MB)}, body_bytes=100 * MB
    )
    assert status == 413 and json.loads(body)["code"] == "payload_too_large"
    assert sent < 100 * MB
    # Chunked with no length: counted as it streams.
    status, sent, body = await raw_post(
        live_api, "/v1/datasets", headers={**auth, "Transfer-Encoding": "chunked"}, body_bytes=100 * MB, chunked=True
    )
    assert status == 413 and json.loads(body)["code"] == "payload_too_large"
    assert sent < 100 * MB


async def test_four_concurrent_100mb_bodies_cost_no_memory(live_api: str, api_key: str) -> None:
    process = psutil.Process(os.getpid())  # the live API runs in this process
    before = process.memory_info().rss
    headers = {"Content-Type": "application/json", "Content-Length": str(100 * MB)}
    results = await asyncio.gather(
        raw_post(live_api, "/v1/trainings", headers=headers, body_bytes=100 * MB),
        raw_post(live_api, "/v1/trainings", headers=headers, body_bytes=100 * MB),
        raw_post(
            live_api, "/v1/trainings", headers={**headers, "Authorization": f"Bearer {api_key}"}, body_bytes=100 * MB
        ),
        raw_post(
            live_api, "/v1/generations", headers={**headers, "Authorization": f"Bearer {api_key}"}, body_bytes=100 * MB
        ),
    )
    growth = process.memory_info().rss - before
    assert [r[0] for r in results] == [401, 401, 413, 413]
    assert growth < 50 * MB, f"RSS grew {growth / MB:.1f} MB"


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/v1/datasets", {"name": "a\u0000b"}, ["body", "name"]),
        ("/v1/trainings", {"dataset_id": "ds_x", "name": "bad\u0000name"}, ["body", "name"]),
        ("/v1/generations", {"model_id": "mdl_flux_1_dev", "prompt": "a cat\u0000"}, ["body", "prompt"]),
        ("/v1/webhook-endpoints", {"url": "https://example.com/\u0000hook"}, ["body", "url"]),
    ],
)
async def test_nul_in_text_is_422_naming_the_field(
    authed: httpx.AsyncClient, path: str, body: dict[str, Any], loc: list[str]
) -> None:
    r = await authed.post(path, json=body)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "validation_error" and problem["errors"][0]["loc"] == loc
    assert problem["errors"][0]["code"] == "invalid_character"
    assert r.headers["content-type"] == "application/problem+json"


async def test_lone_surrogate_and_query_nul_are_422(authed: httpx.AsyncClient) -> None:
    r = await authed.post(
        "/v1/datasets", content=b'{"name": "x\\ud800y"}', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "name"]
    r = await authed.get("/v1/trainings", params={"after": "a\x00b"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", "after"]
    ok = await authed.post("/v1/datasets", json={"name": "caf\u00e9 \\u0000 literally"})
    assert ok.status_code == 201, ok.text  # an escaped backslash is ordinary text


async def test_unexpected_error_is_a_problem_and_keeps_the_connection(settings: Settings) -> None:
    app = create_app(settings)

    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    with serve(app) as base:
        parts = urlsplit(base)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        statuses = []
        for path in ("/boom", "/healthz"):
            writer.write(f"GET {path} HTTP/1.1\r\nHost: t\r\nX-Request-ID: req-123\r\n\r\n".encode())
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
            length = int(next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[1])
            body = await reader.readexactly(length)
            statuses.append(int(head.split(b" ")[1]))
            if path == "/boom":
                problem = json.loads(body)
                assert problem["code"] == "internal_error" and problem["request_id"] == "req-123"
                assert b"connection: close" not in head.lower()
        writer.close()
    assert statuses == [500, 200]  # the second request went over the same connection


def _settings_like(settings: Settings, **changes: Any) -> Settings:
    """The session's settings with other connection URLs (a copy would keep the cached asyncpg URL)."""
    return make_settings(
        changes.get("database_url", settings.database_url),
        changes.get("redis_url", settings.redis_url),
        settings.data_dir,
        "unused",
        queue_name=settings.queue_name,
        public_url=settings.public_url,
        fal_queue_url=settings.fal_queue_url,
        fal_ca_file=settings.fal_ca_file,
    )


async def test_postgres_outage_is_503_with_retry_after(settings: Settings, database_url: str) -> None:
    proxy, through = postgres_proxy(database_url)
    try:
        proxied = _settings_like(settings, database_url=through)
        app = create_app(proxied)
        async with app.router.lifespan_context(app):
            key = await new_api_key(app)
            async with api_client(app, key) as c:
                assert (await c.get("/v1/datasets")).status_code == 200
                proxy.cut()
                for attempt in (c.get("/v1/datasets"), c.post("/v1/datasets", json={"name": "x"})):
                    r = await attempt
                    assert r.status_code == 503, r.text
                    assert r.json()["code"] == "service_unavailable" and r.headers["retry-after"] == "5"
                proxy.restore()
                deadline = time.monotonic() + 15
                while (r := await c.get("/v1/datasets")).status_code != 200 and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
                assert r.status_code == 200
    finally:
        proxy.stop()


@pytest.mark.usefixtures("worker")
async def test_create_during_redis_outage_is_202_and_the_job_runs(
    settings: Settings, redis_url: str, sandbox: Any
) -> None:
    sandbox.reset(generation_seconds=0.05)
    target = urlsplit(redis_url)
    proxy = FaultProxy(target.hostname or "127.0.0.1", target.port or 6379).start()
    try:
        proxied_redis = redis_url.replace(f"{target.hostname}:{target.port}", proxy.address)
        proxied = _settings_like(settings, redis_url=proxied_redis)
        app = create_app(proxied)
        async with app.router.lifespan_context(app):
            key = await new_api_key(app)
            async with api_client(app, key) as c:
                proxy.cut()
                r = await c.post("/v1/generations", json={"model_id": "mdl_flux_1_dev", "prompt": "a lighthouse"})
                assert r.status_code == 202, r.text
                proxy.restore()
                # Nothing was enqueued: the session worker's reconciler finds the due row and runs it.
                done = await wait_for(c, f"/v1/generations/{r.json()['id']}", {"succeeded", "failed"}, timeout=60)
                assert done["status"] == "succeeded", done
    finally:
        proxy.stop()

"""Outgoing webhooks: endpoint CRUD, URL safety, the outbox, and real deliveries by a real arq worker to a real
receiver (uvicorn on loopback), verified with the ``standardwebhooks`` library — not with our own signer."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook
from support.env import new_api_key
from support.factories import api_client, owner_of
from support.live import Receiver, commit_event, create_training_row, eventually, serve
from support.problems import assert_problem

from shared.config import Settings
from shared.events.service import write_event
from shared.models import WebhookDelivery
from shared.webhooks.delivery import deliver


@pytest.fixture(scope="module")
def hook_settings(settings: Settings) -> Settings:
    """Own queue (so only our worker runs these deliveries), fast backoff, a quick outbox reconciler."""
    return settings.model_copy(
        update={
            "queue_name": settings.queue_name + ":webhooks",
            "webhook_backoff_base_seconds": 0.1,
            "webhook_backoff_max_seconds": 0.5,
            "webhook_max_attempts": 40,
            "webhook_reconcile_grace_seconds": 0.5,
            "webhook_timeout_seconds": 3.0,
            "reconcile_grace_seconds": 3600.0,  # this worker leaves other tests' jobs alone
        }
    )


@pytest.fixture(scope="module")
async def hook_app(hook_settings: Settings) -> AsyncIterator[Any]:
    from api.app import create_app

    application = create_app(hook_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="module")
async def hook_worker(hook_settings: Settings, hook_app: Any) -> AsyncIterator[Any]:
    from worker.settings import build_worker

    w = build_worker(hook_settings)
    task = asyncio.create_task(w.async_run())
    yield w
    await w.close()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, str]]:
    r = Receiver()
    with serve(r.app()) as url:
        yield r, url + "/hook"


@pytest.fixture
async def api(hook_app: Any) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    key = await new_api_key(hook_app)
    async with api_client(hook_app, key) as c:
        yield c, await owner_of(hook_app, key)


# -- CRUD ------------------------------------------------------------------------------------------------


async def test_create_shows_the_secret_once_then_list_get_delete(
    api: tuple[httpx.AsyncClient, str], other: httpx.AsyncClient
) -> None:
    client, _ = api
    r = await client.post(
        "/v1/webhook-endpoints",
        json={
            "url": "https://example.com/hook",
            "events": ["training.succeeded", "training.failed"],
            "description": "d",
        },
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["id"].startswith("whe_") and created["events"] == ["training.succeeded", "training.failed"]
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 32

    listed = (await client.get("/v1/webhook-endpoints")).json()
    assert [e["id"] for e in listed["data"]] == [created["id"]] and "secret" not in listed["data"][0]
    got = (await client.get(f"/v1/webhook-endpoints/{created['id']}")).json()
    assert got == {k: v for k, v in created.items() if k != "secret"}
    # another owner cannot see it, list its deliveries or delete it
    assert_problem(await other.get(f"/v1/webhook-endpoints/{created['id']}"), 404, "webhook_endpoint_not_found")
    assert_problem(
        await other.get(f"/v1/webhook-endpoints/{created['id']}/deliveries"), 404, "webhook_endpoint_not_found"
    )
    assert_problem(await other.delete(f"/v1/webhook-endpoints/{created['id']}"), 404, "webhook_endpoint_not_found")

    assert (await client.delete(f"/v1/webhook-endpoints/{created['id']}")).status_code == 204
    assert_problem(await client.get(f"/v1/webhook-endpoints/{created['id']}"), 404, "webhook_endpoint_not_found")


async def test_pagination_and_idempotent_create(api: tuple[httpx.AsyncClient, str]) -> None:
    client, _ = api
    ids = []
    for i in range(3):
        r = await client.post("/v1/webhook-endpoints", json={"url": f"https://example.com/{i}", "events": ["*"]})
        ids.append(r.json()["id"])
    page = (await client.get("/v1/webhook-endpoints", params={"limit": 2})).json()
    assert [e["id"] for e in page["data"]] == ids[::-1][:2] and page["has_more"]
    rest = (await client.get("/v1/webhook-endpoints", params={"limit": 2, "after": page["next_cursor"]})).json()
    assert [e["id"] for e in rest["data"]] == [ids[0]] and not rest["has_more"]

    body = {"url": "https://example.com/idem", "events": ["training.succeeded"]}
    first = await client.post("/v1/webhook-endpoints", json=body, headers={"Idempotency-Key": "k1"})
    again = await client.post("/v1/webhook-endpoints", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other_body = await client.post(
        "/v1/webhook-endpoints", json={**body, "url": "https://example.com/x"}, headers={"Idempotency-Key": "k1"}
    )
    assert_problem(other_body, 409, "idempotency_key_reused")


async def test_event_filter_and_url_validation(api: tuple[httpx.AsyncClient, str]) -> None:
    client, _ = api
    r = await client.post("/v1/webhook-endpoints", json={"url": "https://example.com", "events": ["training.nope"]})
    body = assert_problem(r, 422, "invalid_event_filter")
    assert body["errors"][0]["loc"] == ["body", "events", 0]
    r = await client.post("/v1/webhook-endpoints", json={"url": "https://example.com", "events": []})
    assert_problem(r, 422, "validation_error")
    r = await client.post(
        "/v1/webhook-endpoints", json={"url": "https://example.com", "events": ["training.queued", "*"]}
    )
    assert r.status_code == 201 and r.json()["events"] == ["*"]
    for url in ("ftp://example.com/x", "example.com/hook", "https://", "http://host:99999/", "javascript:alert(1)"):
        r = await client.post("/v1/webhook-endpoints", json={"url": url, "events": ["*"]})
        assert_problem(r, 422, "invalid_webhook_url")


async def test_private_addresses_are_refused_unless_allowed(settings: Settings) -> None:
    from api.app import create_app

    strict = create_app(settings.model_copy(update={"allow_private_webhook_urls": False}))
    async with strict.router.lifespan_context(strict):
        key = await new_api_key(strict)
        async with api_client(strict, key) as client:
            for url in (
                "http://127.0.0.1:8000/hook",
                "http://localhost/hook",
                "http://10.1.2.3/",
                "https://192.168.0.10/",
                "http://172.16.5.4/",
                "http://169.254.169.254/latest/meta-data/",
                "http://[::1]/",
                "http://[::ffff:127.0.0.1]/",
                "http://[fd00::1]/",
                "http://0.0.0.0/",
                "http://100.64.0.1/",
                "http://nonexistent.invalid/",
            ):
                r = await client.post("/v1/webhook-endpoints", json={"url": url, "events": ["*"]})
                assert_problem(r, 422, "webhook_url_not_allowed")
            # a public address is fine (an IP literal: no DNS needed in the test)
            r = await client.post("/v1/webhook-endpoints", json={"url": "https://93.184.215.14/hook", "events": ["*"]})
            assert r.status_code == 201, r.text


# -- deliveries ------------------------------------------------------------------------------------------


def verified(secret: str, receiver: Receiver) -> list[dict[str, Any]]:
    """Every request the receiver accepted, each checked by the standardwebhooks library."""
    wh = Webhook(secret)
    return [wh.verify(body, headers) for body, headers in receiver.requests]


async def test_receiver_down_for_a_while_gets_every_delivery_once_back(
    hook_app: Any, hook_worker: Any, api: tuple[httpx.AsyncClient, str], receiver: tuple[Receiver, str]
) -> None:
    client, owner_id = api
    rec, url = receiver
    rec.status, rec.requests, rec.attempts = 503, [], 0
    endpoint = (
        await client.post(
            "/v1/webhook-endpoints", json={"url": url, "events": ["training.queued", "training.succeeded"]}
        )
    ).json()
    job = await create_training_row(hook_app, owner_id)
    wanted = [
        await commit_event(hook_app, owner_id, job, "queued"),
        await commit_event(hook_app, owner_id, job, "progress", message="not subscribed"),
        await commit_event(hook_app, owner_id, job, "succeeded"),
    ]
    wanted = [wanted[0], wanted[2]]
    await eventually(lambda: rec.attempts >= 6, timeout=20)  # several refused attempts while "down"
    rec.status = 200
    await eventually(lambda: len(rec.requests) >= 2, timeout=20)
    await asyncio.sleep(0.5)  # nothing more arrives: each delivery exactly once

    payloads = verified(endpoint["secret"], rec)
    assert sorted(p["data"]["id"] for p in payloads) == wanted
    assert {p["type"] for p in payloads} == {"training.queued", "training.succeeded"}
    first = next(p for p in payloads if p["type"] == "training.queued")
    assert first["data"]["job_id"] == job and first["data"]["data"]["job"]["id"] == job
    assert first["timestamp"] == first["data"]["created_at"]
    webhook_ids = [h["webhook-id"] for _, h in rec.requests]
    assert len(set(webhook_ids)) == 2 and all(i.startswith("whd_") for i in webhook_ids)

    log = (await client.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries")).json()["data"]
    assert len(log) == 2
    for d in log:
        assert d["status"] == "succeeded" and d["attempts"] >= 2 and d["last_status_code"] == 200
        assert d["last_latency_ms"] is not None and d["last_error"] is None and d["delivered_at"]
        assert d["event_type"] in {"training.queued", "training.succeeded"} and d["id"] in webhook_ids
    async with hook_app.state.sessionmaker() as session:
        row = await session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == log[0]["id"]))
        assert row is not None
        codes = [a["status_code"] for a in row.attempt_log]
        assert codes[-1] == 200 and set(codes[:-1]) == {503} and len(codes) == row.attempts

    # a stale or duplicate arq job for an attempt already made does nothing
    outcome = await deliver(
        settings=hook_app.state.settings,
        sessionmaker=hook_app.state.sessionmaker,
        redis=hook_app.state.redis,
        http=hook_app.state.http,
        delivery_id=log[0]["id"],
        attempt=1,
    )
    assert outcome == "skipped" and len(rec.requests) == 2


async def test_gives_up_after_max_attempts(hook_settings: Settings) -> None:
    """Attempts run by hand, on an app whose queue no worker reads (the worker does exactly this, with
    backoff in between); the budget is 3 attempts."""
    from api.app import create_app

    settings = hook_settings.model_copy(
        update={"webhook_max_attempts": 3, "queue_name": hook_settings.queue_name + ":quiet"}
    )
    quiet = create_app(settings)
    always_down = Receiver(status=500)
    async with quiet.router.lifespan_context(quiet):
        key = await new_api_key(quiet)
        owner_id = await owner_of(quiet, key)
        async with api_client(quiet, key) as client:
            with serve(always_down.app()) as base:
                endpoint = (
                    await client.post("/v1/webhook-endpoints", json={"url": base + "/hook", "events": ["*"]})
                ).json()
                job = await create_training_row(quiet, owner_id)
                await commit_event(quiet, owner_id, job, "failed")
                async with quiet.state.sessionmaker() as session:
                    delivery = await session.scalar(
                        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint["id"])
                    )
                    assert delivery is not None
                outcomes = [
                    await deliver(
                        settings=settings,
                        sessionmaker=quiet.state.sessionmaker,
                        redis=quiet.state.redis,
                        http=quiet.state.http,
                        delivery_id=delivery.id,
                        attempt=attempt,
                    )
                    for attempt in (1, 2, 3, 4)
                ]
            log = (await client.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries")).json()["data"]
    assert outcomes == ["retry", "retry", "failed", "skipped"] and always_down.attempts == 3
    assert log[0]["status"] == "failed" and log[0]["attempts"] == 3
    assert log[0]["last_status_code"] == 500 and log[0]["last_error"] == "HTTP 500"
    assert log[0]["next_attempt_at"] is None and log[0]["delivered_at"] is None


def test_backoff_is_exponential_with_jitter(hook_settings: Settings) -> None:
    from shared.webhooks.delivery import backoff_seconds

    s = hook_settings.model_copy(update={"webhook_backoff_base_seconds": 1.0, "webhook_backoff_max_seconds": 60.0})
    for attempt, full in ((1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (10, 60.0)):
        delays = {backoff_seconds(s, attempt) for _ in range(50)}
        assert all(full / 2 <= d <= full for d in delays) and len(delays) > 1


async def test_lost_enqueue_is_recovered_by_the_reconciler(
    hook_app: Any, hook_worker: Any, api: tuple[httpx.AsyncClient, str], receiver: tuple[Receiver, str]
) -> None:
    client, owner_id = api
    rec, url = receiver
    rec.status, rec.requests = 200, []
    endpoint = (await client.post("/v1/webhook-endpoints", json={"url": url, "events": ["*"]})).json()
    job = await create_training_row(hook_app, owner_id)
    async with hook_app.state.sessionmaker() as session:
        event = await write_event(
            session, owner_id=owner_id, type="training.started", job_type="training", job_id=job, data={"job": {}}
        )
        await session.commit()  # plain commit: the arq job the outbox asked for is never sent
        event_id = event.id
    await eventually(lambda: len(rec.requests) >= 1, timeout=20)
    (payload,) = verified(endpoint["secret"], rec)
    assert payload["data"]["id"] == event_id


async def test_endpoint_filters_and_other_owners(
    hook_app: Any, hook_worker: Any, api: tuple[httpx.AsyncClient, str], receiver: tuple[Receiver, str]
) -> None:
    client, owner_id = api
    rec, url = receiver
    rec.status, rec.requests = 200, []
    endpoint = (
        await client.post("/v1/webhook-endpoints", json={"url": url, "events": ["generation.succeeded"]})
    ).json()
    stranger = await owner_of(hook_app, await new_api_key(hook_app))
    job = await create_training_row(hook_app, owner_id)
    await commit_event(hook_app, owner_id, job, "succeeded")  # training.succeeded: not subscribed
    await commit_event(hook_app, stranger, "gen_x", "succeeded", job_type="generation")  # someone else's
    wanted = await commit_event(hook_app, owner_id, "gen_y", "succeeded", job_type="generation")
    await eventually(lambda: len(rec.requests) >= 1, timeout=20)
    await asyncio.sleep(0.5)
    payloads = verified(endpoint["secret"], rec)
    assert [p["data"]["id"] for p in payloads] == [wanted]
    body, headers = rec.requests[0]
    assert json.loads(body)["type"] == "generation.succeeded" and headers["content-type"] == "application/json"
    assert headers["webhook-signature"].startswith("v1,")


async def test_address_is_checked_again_at_send_time(hook_settings: Settings) -> None:
    """An endpoint accepted earlier (or whose DNS now points inside) is not called when private addresses are
    not allowed: the attempt is logged as refused and retried later, and the receiver sees nothing."""
    from api.app import create_app

    settings = hook_settings.model_copy(update={"queue_name": hook_settings.queue_name + ":quiet"})
    quiet = create_app(settings)
    rec = Receiver()
    async with quiet.router.lifespan_context(quiet):
        key = await new_api_key(quiet)
        owner_id = await owner_of(quiet, key)
        async with api_client(quiet, key) as client:
            with serve(rec.app()) as base:
                endpoint = (
                    await client.post("/v1/webhook-endpoints", json={"url": base + "/hook", "events": ["*"]})
                ).json()
                job = await create_training_row(quiet, owner_id)
                await commit_event(quiet, owner_id, job, "queued")
                async with quiet.state.sessionmaker() as session:
                    delivery = await session.scalar(
                        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint["id"])
                    )
                    assert delivery is not None
                outcome = await deliver(
                    settings=settings.model_copy(update={"allow_private_webhook_urls": False}),
                    sessionmaker=quiet.state.sessionmaker,
                    redis=quiet.state.redis,
                    http=quiet.state.http,
                    delivery_id=delivery.id,
                    attempt=1,
                )
            log = (await client.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries")).json()["data"]
    assert outcome == "retry" and rec.attempts == 0
    assert log[0]["status"] == "pending" and log[0]["last_status_code"] is None
    assert log[0]["last_error"].startswith("webhook_url_not_allowed")


def test_delivery_connects_to_the_checked_address() -> None:
    import ipaddress

    from shared.webhooks.delivery import _pinned

    url, headers, ext = _pinned("https://hooks.example.com:8443/a?b=1", [ipaddress.ip_address("93.184.215.14")])
    assert url == "https://93.184.215.14:8443/a?b=1" and headers == {"Host": "hooks.example.com:8443"}
    assert ext == {"sni_hostname": "hooks.example.com"}
    url, headers, ext = _pinned("http://hooks.example.com/x", [ipaddress.ip_address("2606:2800:21f:cb07::1")])
    assert url == "http://[2606:2800:21f:cb07::1]/x" and headers == {"Host": "hooks.example.com"} and ext == {}

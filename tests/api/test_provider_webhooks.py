"""``POST /v1/provider-webhooks/fal``: ED25519 signatures against a JWKS served over real HTTP, timestamp
tolerance, replay refusal, and "reconcile the job now".

Callbacks are signed with the sandbox's signer (``sandbox.signing.WebhookSigner``, Fal's scheme) and our own
key, whose JWKS a tiny Starlette app serves on loopback.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from support.env import new_api_key
from support.factories import owner_of
from support.live import create_training_row, serve
from support.problems import assert_problem

from fotogen.ports import free_port
from sandbox.signing import WebhookSigner
from shared.config import Settings
from shared.ids import new_id
from shared.models import Generation, MeshItem, MeshJob, Training

PATH = "/v1/provider-webhooks/fal"


@dataclass
class Jwks:
    signer: WebhookSigner
    url: str
    hits: list[float]


@pytest.fixture(scope="module")
def jwks() -> Iterator[Jwks]:
    signer = WebhookSigner(Ed25519PrivateKey.generate())
    hits: list[float] = []

    async def serve_jwks(_: Request) -> JSONResponse:
        hits.append(time.time())
        return JSONResponse(signer.jwks())

    with serve(Starlette(routes=[Route("/.well-known/jwks.json", serve_jwks)])) as base:
        yield Jwks(signer, base + "/.well-known/jwks.json", hits)


@pytest.fixture(scope="module")
async def fal_app(settings: Settings, jwks: Jwks) -> AsyncIterator[Any]:
    from api.app import create_app

    application = create_app(
        settings.model_copy(
            update={"fal_webhook_jwks_url": jwks.url, "queue_name": settings.queue_name + ":fal-callbacks"}
        )
    )
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def fal(fal_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fal_app), base_url="http://test") as c:
        yield c


def callback(request_id: str, status: str = "OK") -> bytes:
    return json.dumps(
        {
            "request_id": request_id,
            "gateway_request_id": request_id,
            "status": status,
            "payload": {"images": []} if status == "OK" else {"detail": "bad"},
            "error": None if status == "OK" else "Invalid status code: 422",
        }
    ).encode()


def signed(
    signer: WebhookSigner, request_id: str, body: bytes | None = None, ts: int | None = None
) -> tuple[bytes, dict[str, str]]:
    body = callback(request_id) if body is None else body
    headers = {"Content-Type": "application/json", **signer.headers(request_id, "user-1", body, ts)}
    return body, headers


async def training_with_request(app: Any, owner_id: str, *, status: str = "training", leased: bool = False) -> str:
    job = await create_training_row(app, owner_id, status=status)
    async with app.state.sessionmaker() as session:
        row = await session.get(Training, job)
        assert row is not None
        row.provider_request_id = f"req-{job}"
        row.step_seq = 3
        if leased:
            from datetime import timedelta

            from shared.db import utcnow

            row.lease_until = utcnow() + timedelta(minutes=5)
        await session.commit()
    return job


async def job_state(app: Any, model: Any, job_id: str) -> tuple[int, Any]:
    async with app.state.sessionmaker() as session:
        row = await session.get(model, job_id, populate_existing=True)
        assert row is not None
        return row.step_seq, row.next_run_at


async def arq_job_exists(app: Any, job_id: str) -> bool:
    return bool(await app.state.redis.exists(f"arq:job:{job_id}"))


@pytest.fixture
async def owner_id(fal_app: Any) -> str:
    return await owner_of(fal_app, await new_api_key(fal_app))


async def test_valid_callback_reconciles_the_training_now_and_a_redelivery_is_acknowledged_only(
    fal_app: Any, fal: httpx.AsyncClient, jwks: Jwks, owner_id: str
) -> None:
    job = await training_with_request(fal_app, owner_id)
    body, headers = signed(jwks.signer, f"req-{job}")
    r = await fal.post(PATH, content=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "received": True,
        "job_type": "training",
        "job_id": job,
        "reconciling": True,
        "duplicate": False,
    }
    seq, next_run_at = await job_state(fal_app, Training, job)
    assert seq == 4 and next_run_at is not None
    assert await arq_job_exists(fal_app, f"training:{job}:4")  # the step, enqueued after commit

    # the very same delivery again (Fal re-delivers): acknowledged, and nothing else happens
    for _ in range(2):
        again = await fal.post(PATH, content=body, headers=headers)
        assert again.status_code == 200, again.text
        assert again.json()["duplicate"] is True and again.json()["reconciling"] is False
    assert (await job_state(fal_app, Training, job))[0] == 4


async def test_generation_and_mesh_callbacks_find_their_jobs(
    fal_app: Any, fal: httpx.AsyncClient, jwks: Jwks, owner_id: str
) -> None:
    gen_id, mesh_id = new_id("generation"), new_id("mesh")
    async with fal_app.state.sessionmaker() as session:
        session.add(
            Generation(
                id=gen_id,
                owner_id=owner_id,
                model_id="mdl_flux_1_dev",
                prompt="p",
                status="running",
                provider_request_id=f"req-{gen_id}",
            )
        )
        session.add(MeshJob(id=mesh_id, owner_id=owner_id, status="running", item_count=1))
        await session.flush()
        session.add(
            MeshItem(
                id=new_id("mesh_item"),
                mesh_job_id=mesh_id,
                index=0,
                filename="a.png",
                input_key="k",
                provider_request_id=f"req-item-{mesh_id}",
            )
        )
        await session.commit()
    for request_id, kind, job_id, model in (
        (f"req-{gen_id}", "generation", gen_id, Generation),
        (f"req-item-{mesh_id}", "mesh", mesh_id, MeshJob),
    ):
        body, headers = signed(jwks.signer, request_id)
        r = await fal.post(PATH, content=body, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json() == {
            "received": True,
            "job_type": kind,
            "job_id": job_id,
            "reconciling": True,
            "duplicate": False,
        }
        assert (await job_state(fal_app, model, job_id))[0] == 1


async def test_busy_or_finished_jobs_and_unknown_requests_are_acknowledged_only(
    fal_app: Any, fal: httpx.AsyncClient, jwks: Jwks, owner_id: str
) -> None:
    busy = await training_with_request(fal_app, owner_id, leased=True)
    done = await training_with_request(fal_app, owner_id, status="succeeded")
    for job in (busy, done):
        body, headers = signed(jwks.signer, f"req-{job}")
        r = await fal.post(PATH, content=body, headers=headers)
        assert r.status_code == 200 and r.json()["reconciling"] is False and r.json()["job_id"] == job
        assert (await job_state(fal_app, Training, job))[0] == 3
    body, headers = signed(jwks.signer, "req-nobody-knows")
    r = await fal.post(PATH, content=body, headers=headers)
    assert r.status_code == 200 and r.json() == {
        "received": True,
        "job_type": None,
        "job_id": None,
        "reconciling": False,
        "duplicate": False,
    }


async def test_forged_callbacks_are_refused(fal_app: Any, fal: httpx.AsyncClient, jwks: Jwks, owner_id: str) -> None:
    job = await training_with_request(fal_app, owner_id)
    impostor = WebhookSigner(Ed25519PrivateKey.generate())
    body, headers = signed(impostor, f"req-{job}")
    assert_problem(await fal.post(PATH, content=body, headers=headers), 401, "invalid_signature")

    body, headers = signed(jwks.signer, f"req-{job}")
    tampered = body.replace(b'"OK"', b'"ERROR"')
    assert_problem(await fal.post(PATH, content=tampered, headers=headers), 401, "invalid_signature")
    other_request = {**headers, "X-Fal-Webhook-Request-Id": "req-other"}
    assert_problem(await fal.post(PATH, content=body, headers=other_request), 401, "invalid_signature")
    for missing in ("X-Fal-Webhook-Signature", "X-Fal-Webhook-Timestamp", "X-Fal-Webhook-User-Id"):
        partial = {k: v for k, v in headers.items() if k != missing}
        assert_problem(await fal.post(PATH, content=body, headers=partial), 401, "invalid_signature")
    assert_problem(
        await fal.post(PATH, content=body, headers={**headers, "X-Fal-Webhook-Signature": "zz" * 64}),
        401,
        "invalid_signature",
    )
    assert (await job_state(fal_app, Training, job))[0] == 3  # nothing happened


async def test_stale_timestamps_are_refused(fal_app: Any, fal: httpx.AsyncClient, jwks: Jwks, owner_id: str) -> None:
    job = await training_with_request(fal_app, owner_id)
    for skew in (-301, 301, -3600):
        body, headers = signed(jwks.signer, f"req-{job}", ts=int(time.time()) + skew)
        assert_problem(await fal.post(PATH, content=body, headers=headers), 401, "stale_timestamp")
    body, headers = signed(jwks.signer, f"req-{job}", ts=int(time.time()) - 250)  # late but within ±300 s
    assert (await fal.post(PATH, content=body, headers=headers)).status_code == 200


async def test_signed_but_malformed_body_is_400(fal: httpx.AsyncClient, jwks: Jwks) -> None:
    for body in (
        b"not json",
        b'{"status": "OK"}',
        json.dumps({**json.loads(callback("req-b")), "request_id": "x"}).encode(),
    ):
        body, headers = signed(jwks.signer, "req-b", body=body)
        assert_problem(await fal.post(PATH, content=body, headers=headers), 400, "malformed_callback")


async def test_jwks_is_cached(fal: httpx.AsyncClient, jwks: Jwks) -> None:
    before = len(jwks.hits)
    for i in range(5):
        body, headers = signed(jwks.signer, f"req-cache-{i}-{time.time()}")
        assert (await fal.post(PATH, content=body, headers=headers)).status_code == 200
    impostor = WebhookSigner(Ed25519PrivateKey.generate())
    for i in range(5):  # forgeries may trigger one early refetch (key rotation), not one each
        body, headers = signed(impostor, f"req-forged-{i}")
        assert_problem(await fal.post(PATH, content=body, headers=headers), 401, "invalid_signature")
    assert len(jwks.hits) - before <= 1


async def test_unreachable_jwks_is_503(settings: Settings, jwks: Jwks) -> None:
    from api.app import create_app

    dead = create_app(
        settings.model_copy(update={"fal_webhook_jwks_url": f"http://127.0.0.1:{free_port()}/.well-known/jwks.json"})
    )
    async with (
        dead.router.lifespan_context(dead),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=dead), base_url="http://t") as client,
    ):
        body, headers = signed(jwks.signer, "req-dead")
        assert_problem(await client.post(PATH, content=body, headers=headers), 503, "jwks_unavailable")

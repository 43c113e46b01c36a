"""Webhooks: Fal's payload shape, ED25519 signatures verifiable against the JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sandbox.testing import LocalHTTPServer, RunningSandbox

FLUX = "fal-ai/flux-lora"


def jwks_keys(sandbox: RunningSandbox) -> list[Ed25519PublicKey]:
    with sandbox.client() as c:
        jwks = c.get("/.well-known/jwks.json").raise_for_status().json()
    keys = []
    for jwk in jwks["keys"]:
        assert jwk["kty"] == "OKP"
        assert jwk["crv"] == "Ed25519"
        raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
        keys.append(Ed25519PublicKey.from_public_bytes(raw))
    return keys


def verify(keys: list[Ed25519PublicKey], headers: dict[str, str], body: bytes) -> None:
    h = {k.lower(): v for k, v in headers.items()}
    message = "\n".join(
        [
            h["x-fal-webhook-request-id"],
            h["x-fal-webhook-user-id"],
            h["x-fal-webhook-timestamp"],
            hashlib.sha256(body).hexdigest(),
        ]
    ).encode()
    signature = bytes.fromhex(h["x-fal-webhook-signature"])
    for key in keys:
        try:
            key.verify(signature, message)
            return
        except InvalidSignature:
            continue
    raise AssertionError("no JWKS key verifies the webhook signature")


async def test_success_webhook_is_signed(fal: Any, sandbox: RunningSandbox, web: LocalHTTPServer) -> None:
    hook = web.url("/hooks/fal?job=1")
    handle = await fal.submit(FLUX, {"prompt": "hooked", "seed": 5}, webhook_url=hook)
    [delivery] = web.wait_for_posts(1)
    assert delivery.path == "/hooks/fal?job=1"
    body = json.loads(delivery.body)
    assert body["request_id"] == handle.request_id
    assert body["gateway_request_id"] == handle.request_id
    assert body["status"] == "OK"
    assert body["error"] is None
    assert body["payload"] == await handle.get()
    headers = {k.lower(): v for k, v in delivery.headers.items()}
    assert headers["x-fal-webhook-request-id"] == handle.request_id
    assert abs(int(headers["x-fal-webhook-timestamp"]) - time.time()) < 60
    verify(jwks_keys(sandbox), delivery.headers, delivery.body)
    with pytest.raises(AssertionError):
        verify(jwks_keys(sandbox), delivery.headers, delivery.body + b" ")

    [record] = sandbox.requests()["requests"]
    assert record["webhook_url"] == hook
    assert record["webhook"]["delivered"] is True
    assert record["webhook"]["status_code"] == 200


async def test_error_webhook(fal: Any, sandbox: RunningSandbox, web: LocalHTTPServer) -> None:
    await fal.submit(FLUX, {"prompt": "x", "num_images": 9}, webhook_url=web.url("/hook"))
    [delivery] = web.wait_for_posts(1)
    body = json.loads(delivery.body)
    assert body["status"] == "ERROR"
    assert body["error"] == "Invalid status code: 422"
    assert body["payload"]["detail"][0]["loc"] == ["body", "num_images"]
    verify(jwks_keys(sandbox), delivery.headers, delivery.body)


async def test_webhooks_verify_with_our_helper(fal: Any, sandbox: RunningSandbox, web: LocalHTTPServer) -> None:
    from shared.fal.webhooks import public_keys_from_jwks, verify_webhook

    handle = await fal.submit(FLUX, {"prompt": "x"}, webhook_url=web.url("/hook"))
    [delivery] = web.wait_for_posts(1)
    with sandbox.client() as c:
        keys = public_keys_from_jwks(c.get(sandbox.jwks_url).json())
    assert verify_webhook(delivery.body, delivery.headers, keys) == handle.request_id


async def test_dropped_webhooks(fal: Any, sandbox: RunningSandbox, web: LocalHTTPServer) -> None:
    sandbox.configure(drop_webhooks=True)
    handle = await fal.submit(FLUX, {"prompt": "x"}, webhook_url=web.url("/hook"))
    await handle.get()
    [record] = sandbox.requests()["requests"]
    assert record["webhook"] == {"url": web.url("/hook"), "dropped": True, "delivered": False}
    assert web.posts() == []


async def test_unreachable_webhook_is_recorded(fal: Any, sandbox: RunningSandbox, web: LocalHTTPServer) -> None:
    web.post_status = 500
    handle = await fal.submit(FLUX, {"prompt": "x"}, webhook_url=web.url("/hook"))
    await handle.get()
    web.wait_for_posts(1)
    for _ in range(100):
        record = sandbox.requests()["requests"][0]
        if record["webhook"] and "status_code" in record["webhook"]:
            break
        time.sleep(0.01)
    assert record["webhook"]["status_code"] == 500
    assert record["webhook"]["delivered"] is False


async def test_webhook_repeats_carry_the_same_body_and_signature(
    fal: Any, sandbox: RunningSandbox, web: LocalHTTPServer
) -> None:
    sandbox.configure(webhook_repeats=3)
    handle = await fal.submit(FLUX, {"prompt": "thrice"}, webhook_url=web.url("/hook"))
    deliveries = web.wait_for_posts(3)
    assert {d.body for d in deliveries} == {deliveries[0].body}
    signatures = {d.headers["X-Fal-Webhook-Signature"] for d in deliveries}
    timestamps = {d.headers["X-Fal-Webhook-Timestamp"] for d in deliveries}
    assert len(signatures) == 1 and len(timestamps) == 1
    verify(jwks_keys(sandbox), deliveries[0].headers, deliveries[0].body)
    assert json.loads(deliveries[0].body)["request_id"] == handle.request_id
    for _ in range(100):
        record = sandbox.requests()["requests"][0]
        if len(record["webhook_deliveries"]) == 3 and all("status_code" in d for d in record["webhook_deliveries"]):
            break
        time.sleep(0.01)
    assert [d["status_code"] for d in record["webhook_deliveries"]] == [200, 200, 200]


async def test_webhooks_out_of_order_and_late_repeat(fal: Any, sandbox: RunningSandbox, web: LocalHTTPServer) -> None:
    import fal_client

    # the earlier request's webhook waits 5 s and is repeated 0.4 s later; the later one's goes at once
    sandbox.configure(webhook_delay=5.0, webhook_repeats=2, webhook_repeat_delay=0.4)
    first = await fal.submit(FLUX, {"prompt": "first"}, webhook_url=web.url("/hook"))
    async for status in first.iter_events(interval=0.01):
        if isinstance(status, fal_client.Completed):
            break
    sandbox.configure(webhook_delay=0, webhook_repeats=1)
    second = await fal.submit(FLUX, {"prompt": "second"}, webhook_url=web.url("/hook"))
    order = [json.loads(d.body)["request_id"] for d in web.wait_for_posts(3)]
    assert order == [second.request_id, first.request_id, first.request_id]

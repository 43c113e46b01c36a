"""FalProvider against the real sandbox over HTTPS: happy paths, error codes, retries."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest

from sandbox.testing import LocalHTTPServer, RunningSandbox, make_image, sample_dataset_zip
from shared.fal import FalProvider, ProviderError, ProviderStatus, RetryPolicy
from shared.fal.provider import _error_from_response, _map_exception

FLUX = "fal-ai/flux-lora"
FAST = "fal-ai/flux-lora-fast-training"
TRIPO = "tripo3d/tripo/v2.5/image-to-3d"
RETRY = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.05)


async def wait_completed(provider: FalProvider, endpoint: str, request_id: str) -> ProviderStatus:
    for _ in range(500):
        status = await provider.status(endpoint, request_id)
        if status.state == "completed":
            return status
        await asyncio.sleep(0.02)
    raise AssertionError("request never completed")


async def test_training_round_trip(provider: FalProvider, sandbox: RunningSandbox, web: LocalHTTPServer) -> None:
    url = web.add_file("/d.zip", sample_dataset_zip(), "application/zip")
    request_id = await provider.submit(FAST, {"images_data_url": url, "trigger_word": "TOK", "steps": 40})
    seen: set[str] = set()
    while (status := await provider.status(FAST, request_id)).state != "completed":
        seen.add(status.state)
        if status.state == "queued":
            assert status.queue_position == 0
        await asyncio.sleep(0.01)
    assert "in_progress" in seen
    assert status.logs[-2:] == ["step 40/40", "Training completed"]
    assert status.error is None
    assert "inference_time" in status.metrics
    result = await provider.result(FAST, request_id)
    assert result["diffusers_lora_file"]["url"].startswith(sandbox.base_url)
    [record] = sandbox.requests()["requests"]
    assert record["input"]["trigger_word"] == "TOK"


async def test_status_without_logs(provider: FalProvider, sandbox: RunningSandbox) -> None:
    request_id = await provider.submit(FLUX, {"prompt": "x"})
    status = await wait_completed(provider, FLUX, request_id)
    assert status.logs
    assert (await provider.status(FLUX, request_id, with_logs=False)).logs == []


async def test_subpath_endpoint(provider: FalProvider, web: LocalHTTPServer) -> None:
    url = web.add_file("/i.png", make_image())
    request_id = await provider.submit(TRIPO, {"image_url": url, "face_limit": 100})
    await wait_completed(provider, TRIPO, request_id)
    assert (await provider.result(TRIPO, request_id))["model_mesh"]["file_name"] == "model.glb"


async def test_webhook_url_relative_and_absolute(sandbox: RunningSandbox, web: LocalHTTPServer) -> None:
    p = FalProvider("k", queue_url=sandbox.base_url, ca_file=sandbox.ca_file, webhook_base_url=web.url("/api/"))
    try:
        rid = await p.submit(FLUX, {"prompt": "x"}, webhook_url="/webhooks/fal?job=9")
        [delivery] = web.wait_for_posts(1)
        assert delivery.path == "/api/webhooks/fal?job=9"
        assert json.loads(delivery.body)["request_id"] == rid
        await p.submit(FLUX, {"prompt": "y"}, webhook_url=web.url("/abs"))
        web.wait_for_posts(1, path="/abs")
    finally:
        await p.aclose()
    with pytest.raises(ValueError, match="webhook_base_url"):
        FalProvider("k", queue_url=sandbox.base_url).webhook_url("/x")


async def test_cancel_answers(provider: FalProvider, sandbox: RunningSandbox) -> None:
    sandbox.configure(stuck=True)
    rid = await provider.submit(FLUX, {"prompt": "x"})
    assert await provider.cancel(FLUX, rid) == "CANCELLATION_REQUESTED"
    assert await provider.cancel(FLUX, rid) == "ALREADY_COMPLETED"
    assert await provider.cancel(FLUX, "00000000-0000-0000-0000-000000000000") == "NOT_FOUND"
    status = await provider.status(FLUX, rid)
    assert status.state == "completed"
    assert status.error_type == "request_cancelled"
    with pytest.raises(ProviderError) as exc:
        await provider.result(FLUX, rid)
    assert exc.value.code == "provider_failed"


async def test_rejected_input(provider: FalProvider) -> None:
    rid = await provider.submit(FLUX, {"prompt": "x", "num_images": 7})
    status = await wait_completed(provider, FLUX, rid)
    assert status.error is not None
    with pytest.raises(ProviderError) as exc:
        await provider.result(FLUX, rid)
    err = exc.value
    assert err.code == "provider_rejected_input"
    assert err.retryable is False
    assert err.status_code == 422
    assert err.detail[0]["loc"] == ["body", "num_images"]
    assert err.attempts == 1


async def test_failed_result(provider: FalProvider, sandbox: RunningSandbox) -> None:
    sandbox.configure(fail_rate=1.0)
    rid = await provider.submit(FLUX, {"prompt": "x"})
    await wait_completed(provider, FLUX, rid)
    with pytest.raises(ProviderError) as exc:
        await provider.result(FLUX, rid)
    assert exc.value.code == "provider_failed"
    assert exc.value.retryable is False
    assert exc.value.error_type == "internal_server_error"
    assert sandbox.requests()["requests"][0]["result_calls"] == 1  # not retried


async def test_not_found_and_unknown_endpoint(provider: FalProvider) -> None:
    with pytest.raises(ProviderError) as exc:
        await provider.status(FLUX, "00000000-0000-0000-0000-000000000000")
    assert exc.value.code == "provider_request_not_found"
    with pytest.raises(ProviderError) as exc:
        await provider.result(FLUX, "00000000-0000-0000-0000-000000000000")
    assert exc.value.code == "provider_request_not_found"
    with pytest.raises(ProviderError) as exc:
        await provider.submit("fal-ai/nope", {})
    assert exc.value.code == "provider_rejected_input"


@pytest.mark.parametrize("code", [500, 503])
async def test_persistent_5xx_on_status_exhausts_retries(
    provider: FalProvider, sandbox: RunningSandbox, code: int
) -> None:
    rid = await provider.submit(FLUX, {"prompt": "x"})
    sandbox.configure(**{f"status_{code}_rate": 1.0})
    with pytest.raises(ProviderError) as exc:
        await provider.status(FLUX, rid)
    err = exc.value
    assert err.code == "provider_unavailable"
    assert err.retryable is True
    assert err.status_code == code
    assert err.attempts == RETRY.max_retries + 1
    record = sandbox.requests()["requests"][0]
    assert record["status_calls"] == RETRY.max_retries + 1  # N retries = N+1 calls, no more
    faults = [c["fault"] for c in sandbox.requests()["calls"] if c["kind"] == "status"]
    assert faults == [code] * (RETRY.max_retries + 1)


async def test_persistent_503_on_submit_and_result(provider: FalProvider, sandbox: RunningSandbox) -> None:
    sandbox.configure(submit_503_rate=1.0)
    with pytest.raises(ProviderError) as exc:
        await provider.submit(FLUX, {"prompt": "x"})
    assert exc.value.code == "provider_unavailable"
    assert sandbox.requests()["requests"] == []
    assert len(sandbox.requests()["calls"]) == RETRY.max_retries + 1

    sandbox.reset()
    rid = await provider.submit(FLUX, {"prompt": "x"})
    await wait_completed(provider, FLUX, rid)
    sandbox.configure(result_503_rate=1.0)
    with pytest.raises(ProviderError) as exc:
        await provider.result(FLUX, rid)
    assert exc.value.code == "provider_unavailable"
    assert sandbox.requests()["requests"][0]["result_calls"] == RETRY.max_retries + 1


async def test_flaky_provider_still_succeeds(provider: FalProvider, sandbox: RunningSandbox) -> None:
    sandbox.configure(
        seed=7,
        submit_429_rate=0.5,
        status_429_rate=0.3,
        status_503_rate=0.2,
        result_429_rate=0.25,
        result_500_rate=0.25,
    )
    rids = [await provider.submit(FLUX, {"prompt": f"p{i}"}) for i in range(3)]
    for rid in rids:
        await wait_completed(provider, FLUX, rid)
        assert (await provider.result(FLUX, rid))["images"]
    faults = [c["fault"] for c in sandbox.requests()["calls"] if c["fault"]]
    assert 429 in faults
    assert {500, 503} & set(faults)
    assert sandbox.requests()["submit_counts"] == {FLUX: 3}  # exactly one accepted submission each


async def test_one_retry_recovers(provider: FalProvider, sandbox: RunningSandbox) -> None:
    rid = await provider.submit(FLUX, {"prompt": "x"})
    await wait_completed(provider, FLUX, rid)
    sandbox.configure(result_503_rate=1.0)

    def heal() -> None:  # once two calls failed, the outage ends
        while sandbox.requests()["requests"][0]["result_calls"] < 2:
            time.sleep(0.005)
        sandbox.configure(result_503_rate=0.0)

    slow = RetryPolicy(max_retries=5, base_delay=0.2, max_delay=0.2, jitter=0)
    p = FalProvider("k", queue_url=sandbox.base_url, ca_file=sandbox.ca_file, retry=slow)
    try:
        healer = asyncio.create_task(asyncio.to_thread(heal))
        result = await p.result(FLUX, rid)
        await healer
    finally:
        await p.aclose()
    assert result["images"]
    assert 3 <= sandbox.requests()["requests"][0]["result_calls"] <= 4


def _response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers, request=httpx.Request("GET", "https://x/y"))


@pytest.mark.parametrize(
    ("op", "status", "headers", "code", "retryable"),
    [
        ("status", 401, None, "provider_auth_failed", False),
        ("submit", 403, None, "provider_auth_failed", False),
        ("status", 429, None, "provider_rate_limited", True),
        ("submit", 422, None, "provider_rejected_input", False),
        ("submit", 400, None, "provider_rejected_input", False),
        ("submit", 404, None, "provider_rejected_input", False),
        ("cancel", 404, None, "provider_request_not_found", False),
        ("status", 408, None, "provider_unavailable", True),
        ("status", 500, None, "provider_unavailable", True),
        ("result", 502, None, "provider_unavailable", True),
        ("result", 500, None, "provider_unavailable", True),
        ("result", 500, {"x-fal-request-id": "r"}, "provider_failed", False),
        ("result", 503, {"x-fal-request-id": "r"}, "provider_unavailable", True),
        ("result", 422, {"x-fal-request-id": "r"}, "provider_rejected_input", False),
    ],
)
def test_error_mapping(op: Any, status: int, headers: dict[str, str] | None, code: str, retryable: bool) -> None:
    err = _error_from_response(op, _response(status, {"detail": "d", "error_type": "t"}, headers))
    assert (err.code, err.retryable, err.status_code, err.error_type, err.detail) == (
        code,
        retryable,
        status,
        "t",
        "d",
    )


def test_transport_errors_map_to_unavailable() -> None:
    request = httpx.Request("GET", "https://x")
    for exc in (httpx.ConnectError("refused", request=request), httpx.ReadTimeout("slow", request=request)):
        err = _map_exception("status", exc)
        assert err.code == "provider_unavailable"
        assert err.retryable is True
    assert _map_exception("status", RuntimeError("boom")).retryable is False

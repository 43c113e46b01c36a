"""FalProvider against the real sandbox over HTTPS: happy paths, error codes, which layer retries what.

FalProvider makes one call per method; fal-client retries 408/409/429, transport errors and gateway HTML
pages itself, and anything else transient is left to the job runner (``retryable``). A request that
completed with an error is final."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from sandbox.testing import LocalHTTPServer, RunningSandbox, make_image, sample_dataset_zip
from shared.fal import FalProvider, ProviderError, ProviderStatus
from shared.fal.provider import _error_from_response, _map_exception

FLUX = "fal-ai/flux-lora"
FAST = "fal-ai/flux-lora-fast-training"
TRIPO = "tripo3d/tripo/v2.5/image-to-3d"


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


async def test_followed_stream_ends_cleanly_and_its_connection_serves_the_result(
    provider: FalProvider, sandbox: RunningSandbox
) -> None:
    """The status stream is read to its end after COMPLETED, so the kept-alive connection goes back to the pool:
    submit, stream and result travel over one connection (a stream closed unfinished cost a new TLS handshake for
    every result)."""
    sandbox.configure(generation_seconds=0.2)
    request_id = await provider.submit(FLUX, {"prompt": "x"})
    states = [status.state async for status in provider.follow(FLUX, request_id)]
    assert states[-1] == "completed" and "in_progress" in states
    assert (await provider.result(FLUX, request_id, completed=True))["images"]
    calls = sandbox.requests()["calls"]
    assert [c["kind"] for c in calls] == ["submit", "stream", "result"]
    assert len({c["peer"] for c in calls}) == 1, calls


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
    assert status.error_type == "client_cancelled"  # Fal's type (HTTP 499)
    with pytest.raises(ProviderError) as exc:
        await provider.result(FLUX, rid)
    assert (exc.value.code, exc.value.status_code, exc.value.final) == ("provider_canceled", 499, True)
    assert exc.value.retryable is False


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


@pytest.mark.parametrize(
    ("error_type", "status", "code", "message"),
    [
        ("request_timeout", 504, "provider_timeout", "Request timed out"),
        ("runner_scheduling_failure", 503, "provider_capacity", "No runner could be allocated to handle the request"),
    ],
)
async def test_final_5xx_result_is_final_and_fetched_once(
    provider: FalProvider, sandbox: RunningSandbox, error_type: str, status: int, code: str, message: str
) -> None:
    """Fal ends a request, after its own retries, with a final 503/504: not an outage, not retryable."""
    sandbox.configure(final_error_rate=1.0, final_error_type=error_type)
    rid = await provider.submit(FLUX, {"prompt": "x"})
    completed = await wait_completed(provider, FLUX, rid)
    assert completed.error_type == error_type
    with pytest.raises(ProviderError) as exc:
        await provider.result(FLUX, rid)
    err = exc.value
    assert (err.code, err.status_code, err.error_type, err.final, err.retryable) == (
        code,
        status,
        error_type,
        True,
        False,
    )
    assert err.message == message
    assert sandbox.requests()["requests"][0]["result_calls"] == 1


@pytest.mark.parametrize("code", [500, 503])
async def test_json_5xx_on_status_is_retryable_and_left_to_the_runner(
    provider: FalProvider, sandbox: RunningSandbox, code: int
) -> None:
    rid = await provider.submit(FLUX, {"prompt": "x"})
    sandbox.configure(**{f"status_{code}_rate": 1.0})
    with pytest.raises(ProviderError) as exc:
        await provider.status(FLUX, rid)
    err = exc.value
    assert (err.code, err.retryable, err.status_code, err.final) == ("provider_unavailable", True, code, False)
    assert sandbox.requests()["requests"][0]["status_calls"] == 1  # one layer retries: not this one


async def test_json_503_on_submit_and_result_are_one_call_each(provider: FalProvider, sandbox: RunningSandbox) -> None:
    sandbox.configure(submit_503_rate=1.0)
    with pytest.raises(ProviderError) as exc:
        await provider.submit(FLUX, {"prompt": "x"})
    assert exc.value.code == "provider_unavailable" and exc.value.retryable
    assert sandbox.requests()["requests"] == []
    assert len(sandbox.requests()["calls"]) == 1

    sandbox.reset()
    rid = await provider.submit(FLUX, {"prompt": "x"})
    await wait_completed(provider, FLUX, rid)
    sandbox.configure(result_503_rate=1.0)
    with pytest.raises(ProviderError) as exc:
        await provider.result(FLUX, rid)
    assert exc.value.code == "provider_unavailable" and exc.value.retryable and not exc.value.final
    assert sandbox.requests()["requests"][0]["result_calls"] == 1


async def test_429_and_gateway_pages_are_retried_inside_fal_client(
    provider: FalProvider, sandbox: RunningSandbox
) -> None:
    sandbox.configure(
        seed=7,
        submit_429_rate=0.4,
        status_429_rate=0.3,
        result_429_rate=0.25,
        submit_gateway_rate=0.3,
        status_gateway_rate=0.3,
        result_gateway_rate=0.5,
    )
    rids = [await provider.submit(FLUX, {"prompt": f"p{i}"}) for i in range(3)]
    for rid in rids:
        await wait_completed(provider, FLUX, rid)
        assert (await provider.result(FLUX, rid))["images"]
    calls = sandbox.requests()["calls"]
    assert 429 in {c["fault"] for c in calls}
    assert any(c["gateway"] and c["kind"] == "result" for c in calls)
    assert sandbox.requests()["submit_counts"] == {FLUX: 3}  # exactly one accepted submission each


def _response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers, request=httpx.Request("GET", "https://x/y"))


@pytest.mark.parametrize(
    ("op", "status", "headers", "error_type", "code", "retryable"),
    [
        ("status", 401, None, "t", "provider_auth_failed", False),
        ("submit", 403, None, "t", "provider_auth_failed", False),
        ("status", 429, None, "t", "provider_rate_limited", True),
        ("submit", 422, None, "t", "provider_rejected_input", False),
        ("submit", 400, None, "t", "provider_rejected_input", False),
        ("submit", 404, None, "t", "provider_rejected_input", False),
        ("cancel", 404, None, "t", "provider_request_not_found", False),
        ("status", 408, None, "t", "provider_unavailable", True),
        ("status", 500, None, "t", "provider_unavailable", True),
        ("result", 502, None, "t", "provider_unavailable", True),
        ("result", 500, None, "t", "provider_unavailable", True),
        ("result", 503, {"x-fal-request-id": "r"}, None, "provider_unavailable", True),
        # completed with an error: final, code from error_type
        ("result", 500, {"x-fal-request-id": "r"}, "t", "provider_failed", False),
        ("result", 504, {"x-fal-request-id": "r"}, "request_timeout", "provider_timeout", False),
        ("result", 504, {"x-fal-request-id": "r"}, "startup_timeout", "provider_timeout", False),
        ("result", 503, {"x-fal-request-id": "r"}, "runner_scheduling_failure", "provider_capacity", False),
        ("result", 503, {"x-fal-request-id": "r"}, "runner_disconnected", "provider_failed", False),
        ("result", 502, {"x-fal-request-id": "r"}, "runner_incomplete_response", "provider_failed", False),
        ("result", 499, {"x-fal-request-id": "r"}, "client_cancelled", "provider_canceled", False),
        ("result", 422, {"x-fal-request-id": "r"}, "content_policy_violation", "content_policy_violation", False),
        ("result", 422, {"x-fal-request-id": "r"}, "file_download_error", "provider_download_failed", False),
        ("result", 422, {"x-fal-request-id": "r"}, "extra_forbidden", "provider_rejected_input", False),
        ("result", 400, {"x-fal-request-id": "r"}, "bad_request", "provider_rejected_input", False),
    ],
)
def test_error_mapping(
    op: Any, status: int, headers: dict[str, str] | None, error_type: str | None, code: str, retryable: bool
) -> None:
    body = {"detail": "d", **({"error_type": error_type} if error_type else {})}
    err = _error_from_response(op, _response(status, body, headers))
    assert (err.code, err.retryable, err.status_code, err.error_type, err.detail) == (
        code,
        retryable,
        status,
        error_type,
        "d",
    )


def test_transport_errors_map_to_unavailable() -> None:
    request = httpx.Request("GET", "https://x")
    for exc in (httpx.ConnectError("refused", request=request), httpx.ReadTimeout("slow", request=request)):
        err = _map_exception("status", exc)
        assert err.code == "provider_unavailable"
        assert err.retryable is True
    assert _map_exception("status", RuntimeError("boom")).retryable is False

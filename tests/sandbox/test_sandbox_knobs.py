"""Knobs and the control API provably change behaviour."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from sandbox.testing import RunningSandbox

FLUX = "fal-ai/flux-lora"
AUTH = {"Authorization": "Key k"}


async def test_fail_rate_fails_results(fal: Any, sandbox: RunningSandbox) -> None:
    import fal_client

    sandbox.configure(fail_rate=1.0)
    handle = await fal.submit(FLUX, {"prompt": "x"})
    final = [s async for s in handle.iter_events(interval=0.01)][-1]
    assert isinstance(final, fal_client.Completed)
    assert final.error_type == "internal_server_error"
    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await handle.get()
    assert exc.value.status_code == 500
    assert exc.value.response.json() == {
        "detail": "Internal server error (injected by the sandbox fail_rate knob)",
        "error_type": "internal_server_error",
    }
    assert exc.value.response.headers["x-fal-request-id"] == handle.request_id


async def test_stuck_requests_stay_queued(fal: Any, sandbox: RunningSandbox) -> None:
    import fal_client

    sandbox.configure(stuck=True, queue_delay=0)
    handle = await fal.submit(FLUX, {"prompt": "x"})
    await asyncio.sleep(0.3)
    assert isinstance(await handle.status(), fal_client.Queued)
    assert sandbox.requests()["requests"][0]["status"] == "IN_QUEUE"


@pytest.mark.parametrize("code", [429, 500, 503])
async def test_injected_submit_faults(control: httpx.AsyncClient, sandbox: RunningSandbox, code: int) -> None:
    sandbox.configure(**{f"submit_{code}_rate": 1.0})
    resp = await control.post(f"/{FLUX}", json={"prompt": "x"}, headers=AUTH)
    assert resp.status_code == code
    assert set(resp.json()) == {"detail", "error_type"}
    assert "x-fal-request-id" not in resp.headers
    state = sandbox.requests()
    assert state["requests"] == []
    assert [c["fault"] for c in state["calls"]] == [code]


async def test_fal_client_retries_429_itself(fal: Any, sandbox: RunningSandbox) -> None:
    sandbox.configure(submit_429_rate=0.5, status_429_rate=0.5, result_429_rate=0.5, seed=11)
    result = await fal.subscribe(FLUX, {"prompt": "x"}, interval=0.01)
    assert result["images"]
    calls = sandbox.requests()["calls"]
    assert any(c["fault"] == 429 for c in calls)


async def test_status_and_result_faults(fal: Any, sandbox: RunningSandbox) -> None:
    import fal_client

    handle = await fal.submit(FLUX, {"prompt": "x"})
    sandbox.configure(status_503_rate=1.0, result_500_rate=1.0)
    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await handle.status()
    assert exc.value.status_code == 503
    async with sandbox.async_client() as c:
        assert (await c.get(handle.response_url, headers=AUTH)).status_code == 500
    record = sandbox.requests()["requests"][0]
    assert record["status_calls"] == 1
    assert record["result_calls"] == 1


async def test_latency(control: httpx.AsyncClient, sandbox: RunningSandbox) -> None:
    sandbox.configure(latency=0.3)
    started = time.monotonic()
    resp = await control.post(f"/{FLUX}", json={"prompt": "x"}, headers=AUTH)
    assert resp.status_code == 200
    assert time.monotonic() - started >= 0.3


async def test_speed_knobs(fal: Any, sandbox: RunningSandbox) -> None:
    sandbox.configure(queue_delay=0.3, generation_seconds=0.3)
    started = time.monotonic()
    await fal.subscribe(FLUX, {"prompt": "x"}, interval=0.01)
    assert time.monotonic() - started >= 0.6
    record = sandbox.requests()["requests"][0]
    # asyncio may end a sleep up to its clock resolution early (timers within it count as due): allow 5 ms.
    assert record["started_at"] - record["submitted_at"] >= 0.3 - 0.005
    assert record["completed_at"] - record["started_at"] >= 0.3 - 0.005


async def test_control_api(control: httpx.AsyncClient, sandbox: RunningSandbox, fal: Any) -> None:
    config = (await control.get("/_sandbox/config")).json()
    assert config["training_seconds"] == 0.2  # the fast test defaults
    resp = await control.patch("/_sandbox/config", json={"fail_rate": 0.25, "mesh_seconds": 1})
    assert resp.status_code == 200
    assert resp.json()["fail_rate"] == 0.25
    assert (await control.patch("/_sandbox/config", json={"fail_rate": 2})).status_code == 422
    assert (await control.patch("/_sandbox/config", json={"no_such_knob": 1})).status_code == 422
    assert (await control.get("/_sandbox/config")).json()["fail_rate"] == 0.25

    await fal.submit(FLUX, {"prompt": "one"})
    await fal.submit("fal-ai/flux-lora-fast-training", {"images_data_url": "http://127.0.0.1:9/x.zip"})
    state = (await control.get("/_sandbox/requests")).json()
    assert state["submit_counts"] == {FLUX: 1, "fal-ai/flux-lora-fast-training": 1}
    record = state["requests"][0]
    for key in ("request_id", "endpoint", "input", "status", "cancel_calls", "submitted_at", "status_calls"):
        assert key in record
    assert record["input"] == {"prompt": "one"}
    only_flux = (await control.get("/_sandbox/requests", params={"endpoint": FLUX})).json()
    assert len(only_flux["requests"]) == 1

    assert (await control.post("/_sandbox/reset")).json() == {"ok": True}
    assert (await control.get("/_sandbox/requests")).json()["requests"] == []
    assert (await control.get("/_sandbox/config")).json()["fail_rate"] == 0.0

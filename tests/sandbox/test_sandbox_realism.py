"""Fal realism knobs: final errors, cancel that runners ignore, gateway pages, key check, logs."""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import Any

import httpx
import pytest

from sandbox.testing import RunningSandbox

FLUX = "fal-ai/flux-lora"
FAST = "fal-ai/flux-lora-fast-training"
AUTH = {"Authorization": "Key k"}


async def finished(handle: Any) -> Any:
    return [s async for s in handle.iter_events(with_logs=True, interval=0.01)][-1]


@pytest.mark.parametrize(("error_type", "code"), [("request_timeout", 504), ("runner_scheduling_failure", 503)])
async def test_final_5xx_result_is_fetched_once(fal: Any, sandbox: RunningSandbox, error_type: str, code: int) -> None:
    import fal_client

    sandbox.configure(final_error_rate=1.0, final_error_type=error_type)
    handle = await fal.submit(FLUX, {"prompt": "x"})
    final = await finished(handle)
    assert isinstance(final, fal_client.Completed)
    assert final.error_type == error_type and final.error
    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await handle.get()
    resp = exc.value.response
    assert resp.status_code == code
    assert set(resp.json()) == {"detail", "error_type"} and resp.json()["error_type"] == error_type
    assert resp.headers["x-fal-request-id"] == handle.request_id
    assert resp.headers["x-fal-error-type"] == error_type
    # answered by the app (x-fal-request-id), so fal-client does not retry it: one fetch, counted
    [record] = sandbox.requests()["requests"]
    assert record["result_calls"] == 1
    assert record["error"]["error_type"] == error_type


async def test_cancel_ignored_runner_completes_and_bills(fal: Any, sandbox: RunningSandbox) -> None:
    import fal_client

    sandbox.configure(cancel_ignored=True, queue_delay=0, generation_seconds=0.5)
    handle = await fal.submit(FLUX, {"prompt": "keeps going"})
    while not isinstance(await handle.status(), fal_client.InProgress):
        await asyncio.sleep(0.01)
    await handle.cancel()  # 202 CANCELLATION_REQUESTED: fal-client raises on anything else
    final = await finished(handle)
    assert isinstance(final, fal_client.Completed) and final.error is None
    result = await handle.get()
    assert len(result["images"]) == 1
    [record] = sandbox.requests()["requests"]
    assert record["outcome"] == "ok" and record["cancel_ignored"] is True
    assert [c["answer"] for c in record["cancel_calls"]] == ["CANCELLATION_REQUESTED"]


async def test_cancel_ignored_still_removes_queued_requests(fal: Any, sandbox: RunningSandbox) -> None:
    sandbox.configure(cancel_ignored=True, stuck=True)
    handle = await fal.submit(FLUX, {"prompt": "never runs"})
    await handle.cancel()
    final = await finished(handle)
    assert final.error_type == "client_cancelled"


async def test_legacy_cancel_error_switch(fal: Any, sandbox: RunningSandbox) -> None:
    sandbox.configure(legacy_cancel_error=True, stuck=True)
    handle = await fal.submit(FLUX, {"prompt": "x"})
    await handle.cancel()
    assert (await finished(handle)).error_type == "request_cancelled"


@pytest.mark.parametrize("kind", ["submit", "status", "result"])
async def test_gateway_errors_are_html_without_request_id(
    control: httpx.AsyncClient, sandbox: RunningSandbox, kind: str
) -> None:
    rid = (await control.post(f"/{FLUX}", json={"prompt": "x"}, headers=AUTH)).json()["request_id"]
    sandbox.configure(**{f"{kind}_gateway_rate": 1.0})
    url = {"submit": f"/{FLUX}", "status": f"/{FLUX}/requests/{rid}/status", "result": f"/{FLUX}/requests/{rid}"}
    resp = await (control.post if kind == "submit" else control.get)(url[kind], headers=AUTH)
    assert resp.status_code in (502, 503, 504)
    assert resp.headers["content-type"].startswith("text/html")
    assert "nginx" in resp.text and "x-fal-request-id" not in resp.headers
    assert sandbox.requests()["calls"][-1]["gateway"] is True


async def test_fal_client_retries_gateway_errors_itself(fal: Any, sandbox: RunningSandbox) -> None:
    sandbox.configure(submit_gateway_rate=0.5, status_gateway_rate=0.5, result_gateway_rate=0.5, seed=3)
    result = await fal.subscribe(FLUX, {"prompt": "through the gateway"}, interval=0.01)
    assert result["images"]
    gateway = [c for c in sandbox.requests()["calls"] if c["gateway"]]
    assert gateway and {c["status_code"] for c in gateway} <= {502, 503, 504}


async def test_required_key(control: httpx.AsyncClient, sandbox: RunningSandbox) -> None:
    import fal_client

    sandbox.configure(required_key="right-key")
    wrong = await control.post(f"/{FLUX}", json={"prompt": "x"}, headers={"Authorization": "Key wrong"})
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "No user found for Key ID and Secret"}
    missing = await control.post(f"/{FLUX}", json={"prompt": "x"})
    assert missing.status_code == 401
    right = await control.post(f"/{FLUX}", json={"prompt": "x"}, headers={"Authorization": "Key right-key"})
    assert right.status_code == 200
    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await fal_client.AsyncClient(key="test-key").submit(FLUX, {"prompt": "x"})
    assert exc.value.status_code == 401
    ok = await fal_client.AsyncClient(key="right-key").subscribe(FLUX, {"prompt": "x"}, interval=0.01)
    assert ok["images"]


async def test_trainer_without_step_logs(fal: Any, sandbox: RunningSandbox, web: Any) -> None:
    from sandbox.testing import sample_dataset_zip

    sandbox.configure(step_logs=False)
    url = web.add_file("/d.zip", sample_dataset_zip())
    handle = await fal.submit(FAST, {"images_data_url": url, "steps": 300})
    final = await finished(handle)
    messages = [e["message"] for e in final.logs]
    assert not any(re.search(r"\d+\s*/\s*\d+", m) for m in messages)
    assert sum(m == "step: working" for m in messages) > 1
    assert (await handle.get())["diffusers_lora_file"]["url"]


async def test_logs_are_not_append_only_with_logs_rewrite(fal: Any, sandbox: RunningSandbox) -> None:
    sandbox.configure(logs_rewrite=True, logs_window=2, generation_seconds=0.4, max_step_logs=10)
    handle = await fal.submit(FLUX, {"prompt": "x"})
    seen: list[list[str]] = []
    async for status in handle.iter_events(with_logs=True, interval=0.02):
        if getattr(status, "logs", None) is not None:
            seen.append([e["message"] for e in status.logs])
    assert all(len(logs) <= 2 for logs in seen)
    assert len(seen[-1]) == 2 and seen[-1][-1] == "step 28/28"
    # an earlier poll showed lines a later one no longer has
    assert any(set(a) - set(b) for a, b in itertools.pairwise(seen))
    assert len(sandbox.requests()["requests"][0]["logs"]) == 10  # the full log is still recorded


async def test_strict_inputs_off_drops_unknown_fields(fal: Any, sandbox: RunningSandbox) -> None:
    import fal_client

    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await fal.subscribe(FLUX, {"prompt": "x", "learning_rate": 1e-4}, interval=0.01)
    assert exc.value.status_code == 422
    [item] = exc.value.response.json()["detail"]
    assert item["loc"] == ["body", "learning_rate"] and item["type"] == "extra_forbidden"

    sandbox.configure(strict_inputs=False)
    handle = await fal.submit(FLUX, {"prompt": "x", "learning_rate": 1e-4})
    assert (await handle.get())["images"]
    record = sandbox.requests()["requests"][-1]
    assert record["dropped_fields"] == ["learning_rate"]
    assert any("learning_rate" in m for m in record["logs"])

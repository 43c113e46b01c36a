"""The queue protocol, driven through fal-client itself."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from sandbox.testing import LocalHTTPServer, RunningSandbox, make_image

FLUX = "fal-ai/flux-lora"
TRIPO = "tripo3d/tripo/v2.5/image-to-3d"
AUTH = {"Authorization": "Key test-key"}


async def wait_completed(fal: Any, endpoint: str, request_id: str, timeout: float = 10.0) -> Any:
    import fal_client

    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status = await fal.status(endpoint, request_id, with_logs=True)
        if isinstance(status, fal_client.Completed):
            return status
        assert asyncio.get_running_loop().time() < deadline, f"{request_id} still {status}"
        await asyncio.sleep(0.02)


async def test_submit_status_result_through_fal_client(fal: Any, sandbox: RunningSandbox) -> None:
    import fal_client

    handle = await fal.submit(FLUX, {"prompt": "a red fox", "image_size": "square", "seed": 7})
    base = f"{sandbox.base_url}/fal-ai/flux-lora/requests/{handle.request_id}"
    assert handle.response_url == base
    assert handle.status_url == base + "/status"
    assert handle.cancel_url == base + "/cancel"

    first = await handle.status(with_logs=True)
    assert isinstance(first, fal_client.Queued | fal_client.InProgress | fal_client.Completed)
    seen: list[Any] = [s async for s in handle.iter_events(with_logs=True, interval=0.01)]
    final = seen[-1]
    assert isinstance(final, fal_client.Completed)
    assert any(isinstance(s, fal_client.InProgress) for s in [first, *seen]) or final.logs
    messages = [entry["message"] for entry in final.logs]
    assert messages[-1] == "step 28/28"
    assert all(m.startswith("step ") for m in messages)
    assert "inference_time" in final.metrics

    result = await handle.get()
    assert result["seed"] == 7
    assert result["images"][0]["width"] == 512
    # the module-level API builds the same URLs from the endpoint id
    again = await fal.result(FLUX, handle.request_id)
    assert again == result


async def test_queue_position_and_logs_flag(fal: Any, sandbox: RunningSandbox) -> None:
    import fal_client

    sandbox.configure(stuck=True)
    handles = [await fal.submit(FLUX, {"prompt": f"p{i}"}) for i in range(3)]
    positions = [(await h.status()).position for h in handles]
    assert positions == [0, 1, 2]
    sandbox.configure(stuck=False, generation_seconds=0.3)  # releases the stuck requests
    while not isinstance(status := await handles[0].status(with_logs=False), fal_client.InProgress):
        await asyncio.sleep(0.01)
    assert status.logs is None  # logs only with ?logs=1
    done = await wait_completed(fal, FLUX, handles[0].request_id)
    assert done.logs


async def test_endpoint_subpath_is_dropped_from_request_urls(
    fal: Any, sandbox: RunningSandbox, web: LocalHTTPServer
) -> None:
    url = web.add_file("/in.png", make_image("PNG", (64, 64)), "image/png")
    handle = await fal.submit(TRIPO, {"image_url": url, "face_limit": 500})
    assert handle.status_url == f"{sandbox.base_url}/tripo3d/tripo/requests/{handle.request_id}/status"
    result = await fal.result(TRIPO, handle.request_id)  # fal-client derives tripo3d/tripo itself
    assert result["model_mesh"]["file_name"] == "model.glb"


async def test_subscribe_with_queue_updates(fal: Any) -> None:
    import fal_client

    updates: list[Any] = []
    result = await fal.subscribe(
        FLUX, {"prompt": "hello"}, with_logs=True, interval=0.01, on_queue_update=updates.append
    )
    assert result["prompt"] == "hello"
    assert isinstance(updates[-1], fal_client.Completed)


async def test_auth_is_required(control: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Key"}, {"Authorization": "Bearer abc"}):
        resp = await control.post(f"/{FLUX}", json={"prompt": "x"}, headers=headers)
        assert resp.status_code == 401
        assert resp.json()["detail"]
    resp = await control.post(f"/{FLUX}", json={"prompt": "x"}, headers={"Authorization": "Key anything"})
    assert resp.status_code == 200
    rid = resp.json()["request_id"]
    assert (await control.get(f"/fal-ai/flux-lora/requests/{rid}/status")).status_code == 401


async def test_unknown_app_and_request(fal: Any, control: httpx.AsyncClient) -> None:
    import fal_client

    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await fal.submit("fal-ai/does-not-exist", {})
    assert exc.value.status_code == 404
    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await fal.status(FLUX, "00000000-0000-0000-0000-000000000000")
    assert exc.value.status_code == 404
    resp = await control.post(f"/{FLUX}", content=b"[1, 2]", headers=AUTH)
    assert resp.status_code == 422


async def test_result_before_completion_is_an_error(fal: Any, sandbox: RunningSandbox) -> None:
    import fal_client

    sandbox.configure(stuck=True)
    handle = await fal.submit(FLUX, {"prompt": "x"})
    async with sandbox.async_client() as c:
        resp = await c.get(handle.response_url, headers=AUTH)
    assert resp.status_code == 400
    assert resp.json()["error_type"] == "request_in_progress"
    assert isinstance(await handle.status(), fal_client.Queued)


async def test_status_stream_sse(fal: Any, sandbox: RunningSandbox) -> None:
    sandbox.configure(generation_seconds=0.2)
    handle = await fal.submit(FLUX, {"prompt": "stream me"})
    events: list[dict[str, Any]] = []
    url = handle.status_url + "/stream"
    async with (
        sandbox.async_client() as c,
        c.stream("GET", url, params={"logs": "1"}, headers=AUTH) as resp,
    ):
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        async for line in resp.aiter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    states = [e["status"] for e in events]
    assert states[-1] == "COMPLETED"
    assert "IN_PROGRESS" in states
    assert states.index("IN_PROGRESS") < states.index("COMPLETED")
    assert events[-1]["logs"][-1]["message"] == "step 28/28"
    assert sandbox.requests()["requests"][0]["stream_calls"] == 1


async def test_cancel_answers(fal: Any, sandbox: RunningSandbox) -> None:
    import fal_client

    sandbox.configure(stuck=True)
    queued = await fal.submit(FLUX, {"prompt": "never"})
    await queued.cancel()  # 202 CANCELLATION_REQUESTED
    status = await queued.status(with_logs=True)
    assert isinstance(status, fal_client.Completed)
    assert status.error_type == "client_cancelled"  # Fal's documented type; there is no request_cancelled
    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await queued.get()
    assert exc.value.status_code == 499
    assert exc.value.response.headers["x-fal-error-type"] == "client_cancelled"
    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await queued.cancel()
    assert exc.value.status_code == 400
    assert exc.value.response.json() == {"status": "ALREADY_COMPLETED"}
    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await fal.cancel(FLUX, "00000000-0000-0000-0000-000000000000")
    assert exc.value.status_code == 404
    assert exc.value.response.json() == {"status": "NOT_FOUND"}

    # an in-progress request is interrupted
    sandbox.configure(stuck=False, queue_delay=0, generation_seconds=5)
    running = await fal.submit(FLUX, {"prompt": "long"})
    while not isinstance(await running.status(), fal_client.InProgress):
        await asyncio.sleep(0.01)
    await fal.cancel(FLUX, running.request_id)
    done = await wait_completed(fal, FLUX, running.request_id, timeout=2)
    assert done.error_type == "client_cancelled"
    with pytest.raises(fal_client.FalClientHTTPError):
        await fal.result(FLUX, running.request_id)

    records = {r["request_id"]: r for r in sandbox.requests()["requests"]}
    assert [c["answer"] for c in records[queued.request_id]["cancel_calls"]] == [
        "CANCELLATION_REQUESTED",
        "ALREADY_COMPLETED",
    ]
    assert records[running.request_id]["outcome"] == "cancelled"


async def test_sync_client_works_too(sandbox: RunningSandbox) -> None:
    import fal_client

    client = fal_client.SyncClient(key="sync-key")
    result = await asyncio.to_thread(client.subscribe, FLUX, {"prompt": "sync", "seed": 3}, interval=0.01)
    assert result["seed"] == 3

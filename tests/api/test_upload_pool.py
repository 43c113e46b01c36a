"""Uploads through the API's image process pool: a pool process killed in the middle of a request costs no
file (each gets its outcome in a 201) and the next request finds a working pool."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import httpx
import pytest
from support.factories import photo_jpeg

FILES = 20


async def _dataset(authed: httpx.AsyncClient) -> str:
    r = await authed.post("/v1/datasets", json={"name": "pool"})
    assert r.status_code == 201, r.text
    ds_id: str = r.json()["id"]
    return ds_id


async def test_a_pool_process_killed_mid_request_costs_no_file(app: Any, authed: httpx.AsyncClient) -> None:
    workers = app.state.image_workers
    if workers.pool is None:
        pytest.skip("the API runs image work in threads on a one-core machine")
    tmp_dir = app.state.settings.tmp_dir
    files = [("files", (f"p{i}.jpg", photo_jpeg(i, side=1400), "image/jpeg")) for i in range(FILES)]
    files.append(("files", ("notes.jpg", b"just text, not a photo", "image/jpeg")))
    ds = await _dataset(authed)
    before = set(workers.pool.pids())

    upload = asyncio.create_task(authed.post(f"/v1/datasets/{ds}/images", files=files))
    # Wait for the first normalised copy: the pool is working on the request now.
    for _ in range(5000):
        if any(p.name.startswith("normalised-") for p in tmp_dir.iterdir()) or upload.done():
            break
        await asyncio.sleep(0.002)
    assert not upload.done(), "the request finished before a pool process could be killed"
    os.kill(workers.pool.pids()[0], signal.SIGKILL)
    r = await upload

    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["images"]) == FILES
    assert [(x["filename"], x["code"]) for x in body["rejected"]] == [("notes.jpg", "unsupported_format")]
    assert not (set(workers.pool.pids()) & before)  # the broken pool was replaced

    again = await authed.post(f"/v1/datasets/{ds}/images", files=[("files", ("q.jpg", photo_jpeg(99), "image/jpeg"))])
    assert again.status_code == 201, again.text
    assert len(again.json()["images"]) == 1

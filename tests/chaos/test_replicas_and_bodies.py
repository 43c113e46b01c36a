"""Two API replicas: a stream on one sees every event committed through the other; oversized and NUL
bodies are refused before they cost memory or a 500."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import httpx
from httpx_sse import aconnect_sse
from support.cluster import Cluster
from support.factories import create_dataset
from support.rawhttp import raw_post
from support.scoreboard import TERMINAL, Scoreboard, create_generation, create_training, score, settle

MB = 1024 * 1024


async def test_sse_on_the_other_replica_sees_every_event(
    cluster: Cluster, sandbox: Any, apis: Any, owner: tuple[str, str], board: Scoreboard
) -> None:
    sandbox.configure(training_seconds=1.0)
    ds = await create_dataset(cluster.app, owner[0], images=4)
    seen: list[dict[str, Any]] = []
    ready = asyncio.Event()
    job_ids: set[str] = set()

    async def listen() -> None:
        async with aconnect_sse(apis[1], "GET", "/v1/events/stream", timeout=httpx.Timeout(60, read=60)) as source:
            ready.set()
            async for sse in source.aiter_sse():
                if not sse.data:
                    continue
                seen.append(json.loads(sse.data))
                ended = {e["job_id"] for e in seen if e["type"].rsplit(".", 1)[-1] in TERMINAL}
                if job_ids and job_ids <= ended:
                    return

    task = asyncio.create_task(listen())
    try:
        await asyncio.wait_for(ready.wait(), 10)
        jobs = [await create_training(apis[0], ds.id), await create_generation(apis[0])]
        job_ids.update(j.id for j in jobs)
        await settle(cluster.app, jobs, timeout=60)
        await asyncio.wait_for(task, 15)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await task
    committed = []
    for job in jobs:
        page = (await apis[0].get("/v1/events", params={"job_id": job.id, "limit": 100})).json()
        committed += [e["id"] for e in page["data"]]
    streamed = [e["id"] for e in seen if e["job_id"] in job_ids]
    row = score(board, "SSE on the other replica", jobs, sandbox.requests())
    row.note = f"{len(streamed)}/{len(committed)} events streamed"
    assert sorted(streamed) == sorted(committed) and len(set(streamed)) == len(streamed)


async def _post_big(url: str, key: str | None, size: int = 100 * MB) -> tuple[int, int]:
    """POST a ``size``-byte JSON body, stopping when the server answers: (status, bytes sent before it)."""
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    headers = {"Content-Type": "application/json", **auth, "Content-Length": str(size)}
    status, sent, _ = await raw_post(url, "/v1/generations", headers=headers, body_bytes=size, chunk=b"a" * MB)
    return status, sent


async def test_four_concurrent_100mb_bodies_are_refused_before_they_are_read(
    cluster: Cluster, owner: tuple[str, str], board: Scoreboard
) -> None:
    api = cluster.apis[0]
    before = api.rss()
    peak = before
    sampling = True

    async def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, api.rss())
            await asyncio.sleep(0.02)

    sampler = asyncio.create_task(sample())
    results = await asyncio.gather(*[_post_big(api.url, k) for k in (owner[1], owner[1], owner[1], None)])
    sampling = False
    await sampler
    growth = (peak - before) / MB
    answers = [code for code, _ in results]
    most_sent = max(sent for _, sent in results) / MB
    row = board.row("4 x 100 MB bodies")
    row.tried, row.survived = 4, sum(1 for a in answers if a in (413, 401))
    row.note = f"answers {answers}; API RSS +{growth:.1f} MB; at most {most_sent:.0f} MB sent before the answer"
    assert answers[:3] == [413] * 3 and answers[3] == 401, answers
    assert most_sent < 100, "a body was read to its end before the answer"
    assert growth < 50, f"API RSS grew {growth:.1f} MB"


async def test_nul_characters_answer_422_and_keep_the_connection(
    cluster: Cluster, apis: Any, owner: tuple[str, str], board: Scoreboard
) -> None:
    ds = await create_dataset(cluster.app, owner[0], images=1)
    bodies = [
        ("/v1/generations", {"model_id": "mdl_flux_1_dev", "prompt": "a\u0000b"}),
        ("/v1/trainings", {"dataset_id": ds.id, "name": "x\u0000y"}),
        ("/v1/webhooks", {"url": "https://example.com/\u0000hook", "events": ["training.succeeded"]}),
    ]
    row = board.row("NUL in bodies")
    for path, body in bodies:
        r = await apis[0].post(path, json=body)
        row.tried += 1
        row.survived += r.status_code == 422
        assert r.status_code == 422, (path, r.status_code, r.text[:300])
        with contextlib.suppress(KeyError):
            assert "\u0000" not in r.json()["detail"]
        # the same keep-alive connection still serves the next request
        assert (await apis[0].get("/v1/generations")).status_code == 200

"""SSE against real uvicorn servers (and real ``fotogen api`` subprocesses) with a real SSE client (httpx-sse).

Events are committed by the test process itself — a third party to the servers — through ``write_event``,
exactly as the worker commits them; the servers learn about them only through Postgres.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import Request
from httpx_sse import aconnect_sse
from sqlalchemy import text
from support.env import new_api_key
from support.factories import owner_of
from support.live import api_processes, commit_event, create_training_row, eventually, serve, set_status
from support.problems import assert_problem

from api.sse import LastEventIdDep, job_event_stream
from api.stream_auth import StreamPrincipalDep
from shared.config import Settings
from shared.models import Event

PING = 0.3


def build_app(settings: Settings) -> Any:
    """The product app, plus one route that calls the shared per-job stream the way the job routes do."""
    from api.app import create_app

    application = create_app(settings)

    @application.get("/test/trainings/{job_id}/stream")
    async def job_stream(
        request: Request, job_id: str, principal: StreamPrincipalDep, last_event_id: LastEventIdDep = None
    ) -> Any:
        return await job_event_stream(request, principal.owner_id, "training", job_id, last_event_id)

    return application


@pytest.fixture(scope="module")
def live(settings: Settings) -> Iterator[tuple[str, Any]]:
    application = build_app(settings.model_copy(update={"sse_ping_seconds": PING, "sse_recheck_seconds": 1.0}))
    with serve(application) as url:
        yield url, application


@pytest.fixture
async def owner(app: Any) -> tuple[str, str]:
    key = await new_api_key(app)
    return await owner_of(app, key), key


@pytest.fixture
async def http(live: tuple[str, Any], owner: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=live[0], headers={"Authorization": f"Bearer {owner[1]}"}, timeout=httpx.Timeout(10.0)
    ) as c:
        yield c


async def collect(
    client: httpx.AsyncClient, url: str, count: int, *, headers: dict[str, str] | None = None, timeout: float = 10
) -> list[Any]:
    """Open the stream and read ``count`` events (or until the server closes it)."""
    got: list[Any] = []

    async def run() -> None:
        async with aconnect_sse(client, "GET", url, headers=dict(headers or {})) as source:
            assert source.response.status_code == 200, await source.response.aread()
            async for sse in source.aiter_sse():
                if not sse.data:
                    continue  # a heartbeat comment (httpx-sse reports it as an empty message)
                got.append(sse)
                if len(got) >= count:
                    return

    await asyncio.wait_for(run(), timeout)
    return got


async def open_stream(client: httpx.AsyncClient, url: str, **kwargs: Any) -> tuple[Any, Any, asyncio.Queue[Any]]:
    """Open a stream in the background; events land in the returned queue. Returns (task, ready, queue)."""
    queue: asyncio.Queue[Any] = asyncio.Queue()
    ready = asyncio.Event()

    async def run() -> None:
        async with aconnect_sse(client, "GET", url, **kwargs) as source:
            assert source.response.status_code == 200
            ready.set()
            async for sse in source.aiter_sse():
                if sse.data:  # httpx-sse reports heartbeat comments as empty messages
                    await queue.put(sse)
        await queue.put(None)

    task = asyncio.create_task(run())
    await asyncio.wait_for(ready.wait(), 10)
    return task, ready, queue


async def close(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


async def test_owner_stream_delivers_events_committed_after_connect(
    app: Any, http: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    job = await create_training_row(app, owner[0])
    before = await commit_event(app, owner[0], job, "queued")  # before connecting: not part of "from now on"
    async with aconnect_sse(http, "GET", "/v1/events/stream") as source:
        response = source.response
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
        assert response.headers["cache-control"] == "no-store"
        ids = [
            await commit_event(app, owner[0], job, "started"),
            await commit_event(app, owner[0], job, "progress", message="step 1/10"),
        ]
        got = []
        async for sse in source.aiter_sse():
            if not sse.data:
                continue
            got.append(sse)
            if len(got) == 2:
                break
    assert [int(s.id) for s in got] == ids and ids[0] > before
    assert [s.event for s in got] == ["training.started", "training.progress"]
    body = json.loads(got[1].data)
    assert body["id"] == ids[1] and body["type"] == "training.progress" and body["job_type"] == "training"
    assert body["job_id"] == job and body["data"]["message"] == "step 1/10" and body["created_at"]


async def test_owner_stream_sees_only_its_owner_and_filters_by_job(
    app: Any, http: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    other_owner = await owner_of(app, await new_api_key(app))
    mine, also_mine = await create_training_row(app, owner[0]), await create_training_row(app, owner[0])
    theirs = await create_training_row(app, other_owner)
    task, _, queue = await open_stream(http, f"/v1/events/stream?job_id={mine}")
    try:
        await commit_event(app, other_owner, theirs, "queued")
        await commit_event(app, owner[0], also_mine, "queued")
        expected = await commit_event(app, owner[0], mine, "queued")
        sse = await asyncio.wait_for(queue.get(), 5)
        assert int(sse.id) == expected
        await asyncio.sleep(0.3)
        assert queue.empty()
    finally:
        await close(task)


async def test_job_stream_replays_history_then_live_and_closes_after_terminal(
    app: Any, http: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    job = await create_training_row(app, owner[0])
    history = [await commit_event(app, owner[0], job, w) for w in ("queued", "started")]
    task, _, queue = await open_stream(http, f"/test/trainings/{job}/stream")
    try:
        first = [await asyncio.wait_for(queue.get(), 5) for _ in history]
        assert [int(s.id) for s in first] == history
        live = [
            await commit_event(app, owner[0], job, "progress", message="step 5/10"),
            await commit_event(app, owner[0], job, "succeeded"),
        ]
        await set_status(app, job, "succeeded")
        rest = [await asyncio.wait_for(queue.get(), 5) for _ in live]
        assert [int(s.id) for s in rest] == live and rest[-1].event == "training.succeeded"
        assert await asyncio.wait_for(queue.get(), 5) is None  # the server closed the stream
    finally:
        await close(task)


async def test_job_stream_of_a_finished_job_replays_and_closes(
    app: Any, http: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    job = await create_training_row(app, owner[0])
    ids = [await commit_event(app, owner[0], job, w) for w in ("queued", "started", "failed")]
    await set_status(app, job, "failed")
    got = await collect(http, f"/test/trainings/{job}/stream", 10)
    assert [int(s.id) for s in got] == ids and got[-1].event == "training.failed"
    # resuming after the last event: 204, which tells EventSource not to reconnect again
    for last in (ids[-1], ids[-1] + 1000):
        r = await http.get(f"/test/trainings/{job}/stream", headers={"Last-Event-ID": str(last)})
        assert (r.status_code, r.content) == (204, b"")
    got = await collect(http, f"/test/trainings/{job}/stream?last_event_id={ids[0]}", 10)
    assert [int(s.id) for s in got] == ids[1:]


async def test_client_that_drops_resumes_with_last_event_id_exactly_once(
    app: Any, http: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    """Events keep being committed while the client is away; the resumed stream has no gap, no duplicate."""
    job = await create_training_row(app, owner[0])
    total = 60
    produced: list[int] = []

    async def produce() -> None:
        for i in range(total):
            produced.append(await commit_event(app, owner[0], job, "progress", message=f"step {i}/{total}"))
            await asyncio.sleep(0.005)
        produced.append(await commit_event(app, owner[0], job, "succeeded"))

    first_id = await commit_event(app, owner[0], job, "queued")
    producer = asyncio.create_task(produce())
    received: list[int] = []
    last: str | None = None
    connections = 0
    while True:
        connections += 1
        headers = {"Last-Event-ID": last} if last else {}
        budget = 7  # drop the connection after a few events, mid-stream
        done = False
        async with aconnect_sse(http, "GET", f"/test/trainings/{job}/stream", headers=headers) as source:
            async for sse in source.aiter_sse():
                if not sse.data:
                    continue
                received.append(int(sse.id))
                last = sse.id
                if sse.event == "training.succeeded":
                    done = True
                    break
                budget -= 1
                if budget == 0:
                    break
        if done:
            break
        await asyncio.sleep(0.02)  # the client is away while events are committed
        assert connections < 100
    await producer
    assert received == [first_id, *produced]
    assert len(set(received)) == len(received)
    assert connections > 3


async def test_heartbeats_while_idle(http: httpx.AsyncClient) -> None:
    comments = 0
    start = time.monotonic()
    async with http.stream("GET", "/v1/events/stream") as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith(":"):
                assert line == ": ping"
                comments += 1
                if comments == 3:
                    break
    elapsed = time.monotonic() - start
    assert PING * 2 <= elapsed < PING * 3 + 2


async def test_disconnect_is_noticed_and_no_session_is_held(
    app: Any, live: tuple[str, Any], http: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    server_app = live[1]
    hub = server_app.state.event_hub
    job = await create_training_row(app, owner[0])
    base = hub.subscribers
    tasks = [(await open_stream(http, f"/v1/events/stream?job_id={job}"))[0] for _ in range(20)]
    try:
        await eventually(lambda: hub.subscribers == base + 20, timeout=5)
        # 20 open, idle streams hold no database connection. A stream does read briefly (its catch-up
        # at open, its periodic re-check), so on a loaded machine one such read may be in flight at any
        # given instant: the exact claim is that the pool drains to zero while all 20 stay open, which
        # could never happen if a stream held its session.
        pool = server_app.state.engine.pool
        await eventually(lambda: pool.checkedout() == 0, timeout=10, interval=0.005)
        assert hub.subscribers == base + 20
    finally:
        for task in tasks:
            await close(task)
    start = time.monotonic()
    await eventually(lambda: hub.subscribers == base, timeout=5, interval=0.01)
    assert time.monotonic() - start < 1.0


async def test_listener_reconnects_and_missed_notifications_are_caught_up(
    app: Any, live: tuple[str, Any], http: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    hub = live[1].state.event_hub
    job = await create_training_row(app, owner[0])
    task, _, queue = await open_stream(http, f"/v1/events/stream?job_id={job}")
    try:
        reconnects = hub.reconnects
        async with app.state.sessionmaker() as session:
            killed = await session.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = 'fotogen-events' AND datname = current_database()"
                )
            )
        assert killed and killed >= 1
        first = await commit_event(app, owner[0], job, "started")
        assert int((await asyncio.wait_for(queue.get(), 10)).id) == first
        await eventually(lambda: hub.reconnects > reconnects and hub.listening.is_set(), timeout=10)
        # An event with no NOTIFY at all (as if the notification were lost) still arrives: the hub re-reads.
        async with app.state.sessionmaker() as session:
            row = Event(owner_id=owner[0], type="training.log", job_type="training", job_id=job, data={"job": {}})
            session.add(row)
            await session.commit()
            silent = row.id
        assert int((await asyncio.wait_for(queue.get(), 5)).id) == silent
    finally:
        await close(task)


@pytest.mark.slow
async def test_two_api_processes_both_deliver_an_event_committed_elsewhere(
    app: Any, settings: Settings, owner: tuple[str, str]
) -> None:
    job = await create_training_row(app, owner[0])
    headers = {"Authorization": f"Bearer {owner[1]}"}
    with api_processes(settings, 2) as (first, second):
        async with (
            httpx.AsyncClient(base_url=first, headers=headers) as one,
            httpx.AsyncClient(base_url=second, headers=headers) as two,
        ):
            streams = [await open_stream(c, f"/v1/events/stream?job_id={job}") for c in (one, two)]
            try:
                event_id = await commit_event(app, owner[0], job, "succeeded")
                for _, _, queue in streams:
                    sse = await asyncio.wait_for(queue.get(), 5)
                    assert int(sse.id) == event_id and sse.event == "training.succeeded"
            finally:
                for task, _, _ in streams:
                    await close(task)


async def test_stream_errors_are_problems_not_streams(app: Any, http: httpx.AsyncClient, live: tuple[str, Any]) -> None:
    other_owner = await owner_of(app, await new_api_key(app))
    theirs = await create_training_row(app, other_owner)
    assert_problem(await http.get(f"/test/trainings/{theirs}/stream"), 404, "training_not_found")
    assert_problem(await http.get("/test/trainings/trn_nope/stream"), 404, "training_not_found")
    assert_problem(await http.get("/v1/events/stream", headers={"Last-Event-ID": "abc"}), 400, "invalid_last_event_id")
    async with httpx.AsyncClient(base_url=live[0]) as anonymous:
        assert_problem(await anonymous.get("/v1/events/stream"), 401, "missing_api_key")
        bad = {"Authorization": "Bearer fg_nope"}
        assert_problem(await anonymous.get("/v1/events/stream", headers=bad), 401, "invalid_api_key")


async def test_streams_start_with_a_retry_field(
    app: Any, http: httpx.AsyncClient, owner: tuple[str, str], live: tuple[str, Any]
) -> None:
    """``retry:`` sets EventSource's reconnection delay; it comes with the first event (no event of its own)."""
    job = await create_training_row(app, owner[0])
    first = await commit_event(app, owner[0], job, "queued")
    await commit_event(app, owner[0], job, "failed")
    await set_status(app, job, "failed")
    expected = f"retry: {round(live[1].state.settings.sse_retry_seconds * 1000)}"
    async with http.stream("GET", f"/test/trainings/{job}/stream") as r:
        assert r.status_code == 200
        blocks = (await r.aread()).decode().split("\n\n")
    assert blocks[0].splitlines()[:2] == [expected, f"id: {first}"]
    assert sum(expected in block for block in blocks) == 1
    got = await collect(http, f"/test/trainings/{job}/stream", 10)
    assert [s.event for s in got] == ["training.queued", "training.failed"], "the retry field is not an event"

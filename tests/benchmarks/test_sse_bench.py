"""Events/SSE figures (issue 7), against a real ``fotogen api`` subprocess (uvicorn) on loopback.

1. Latency: an event's transaction commits in this process → an httpx-sse client of the API receives it.
   p99 < 50 ms over 300 sequential events.
2. Fan-out (issue 19): 5,000 concurrent SSE subscribers of one owner on one API process; one broadcast event
   reaches all of them within 1.5 s (commit → the last subscriber has the event's ``data:`` line), and the
   API process grows by < 250 MB (peak RSS while connected and after the broadcast minus RSS before the
   streams were opened). The subscribers are minimal HTTP/1.1 clients on raw asyncio (uvloop) sockets in
   ``FANOUT_CLIENT_PROCS`` processes of their own, so the figure measures the server, not httpx; their
   clocks are ``time.perf_counter`` (CLOCK_MONOTONIC, the same in every process).
3. Rate: ``GET /v1/trainings/{id}`` sustains at least 0.35 times the request rate of ``GET /healthz`` on the same
   server. The load generator is a minimal keep-alive HTTP/1.1 client on raw asyncio streams (so the
   server, not the client, is what is measured), 16 connections, 4 s per endpoint after a warm-up.

Run with ``make bench``; a table of figures is printed. Uses ``api_server`` (a ``fotogen api`` subprocess) and
``bench_api_key`` from ``tests/benchmarks/conftest.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psutil
import pytest
from httpx_sse import aconnect_sse

from shared.auth.service import authenticate
from shared.config import to_asyncpg_url
from shared.db import create_engine, create_sessionmaker
from shared.events.service import write_event
from shared.ids import new_id
from shared.models import Dataset, Training

LATENCY_EVENTS = 300
LATENCY_P99_MS = 50.0
SUBSCRIBERS = 5000
FANOUT_CLIENT_PROCS = 4
FANOUT_S = 1.5
FANOUT_RSS_MB = 250.0
RATE_RATIO = 0.35
RATE_SECONDS = 4.0
RATE_CONNECTIONS = 16

FIGURES: list[tuple[str, str, str, bool]] = []


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _record(name: str, value: str, target: str, ok: bool) -> None:
    FIGURES.append((name, value, target, ok))
    print(f"\n[sse bench] {name}: {value} (target {target}) {'OK' if ok else 'MISSED'}")


@pytest.fixture(scope="module", autouse=True)
def figures_table() -> Any:
    yield
    if FIGURES:
        width = max(len(f[0]) for f in FIGURES)
        print("\n\nSSE / events figures")
        print(f"  {'figure'.ljust(width)}  {'value':>22}  {'target':>12}")
        for name, value, target, ok in FIGURES:
            print(f"  {name.ljust(width)}  {value:>22}  {target:>12}  {'ok' if ok else 'MISSED'}")


@pytest.fixture(scope="module", autouse=True)
def enough_file_descriptors() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * SUBSCRIBERS + 1024  # the API subprocess inherits it (one socket per subscriber)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Any]:
    engine = create_engine(to_asyncpg_url(database_url), pool_size=2)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def owner_id(db: Any, bench_api_key: str) -> str:
    async with db() as session:
        principal = await authenticate(session, bench_api_key)
    assert principal is not None
    return principal.owner_id


async def _commit_event(db: Any, owner_id: str, job_id: str, seq: int) -> tuple[int, float]:
    """Write an event and commit; returns (event id, time.perf_counter() just before COMMIT)."""
    async with db() as session:
        event = await write_event(
            session,
            owner_id=owner_id,
            type="training.progress",
            job_type="training",
            job_id=job_id,
            data={"job": {"id": job_id}, "message": f"step {seq}"},
        )
        t0 = time.perf_counter()
        await session.commit()
        return event.id, t0


async def test_commit_to_sse_latency(api_server: Any, bench_api_key: str, db: Any, owner_id: str) -> None:
    job_id = f"trn_bench{secrets.token_hex(4)}"
    received: dict[int, float] = {}
    ready = asyncio.Event()

    async def listen(client: httpx.AsyncClient) -> None:
        async with aconnect_sse(client, "GET", f"/v1/events/stream?job_id={job_id}") as source:
            ready.set()
            async for sse in source.aiter_sse():
                if sse.data:
                    received[int(sse.id)] = time.perf_counter()

    async with httpx.AsyncClient(
        base_url=api_server.url, headers={"Authorization": f"Bearer {bench_api_key}"}, timeout=30
    ) as client:
        task = asyncio.create_task(listen(client))
        await asyncio.wait_for(ready.wait(), 30)
        sent: dict[int, float] = {}
        for i in range(LATENCY_EVENTS + 20):
            event_id, t0 = await _commit_event(db, owner_id, job_id, i)
            if i >= 20:  # warm-up: pools, first queries
                sent[event_id] = t0
            deadline = time.monotonic() + 5
            while event_id not in received and time.monotonic() < deadline:
                await asyncio.sleep(0.0005)
            await asyncio.sleep(0.005)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    latencies = [(received[i] - t0) * 1000 for i, t0 in sent.items() if i in received]
    assert len(latencies) == len(sent), "events lost"
    p50, p99 = statistics.median(latencies), _pct(latencies, 0.99)
    _record("commit→SSE latency p50", f"{p50:.1f} ms", "", True)
    _record("commit→SSE latency p99", f"{p99:.1f} ms", f"< {LATENCY_P99_MS:.0f} ms", p99 < LATENCY_P99_MS)
    _record("commit→SSE latency max", f"{max(latencies):.1f} ms", "", True)
    assert p99 < LATENCY_P99_MS


# A subscriber process: opens `n` SSE streams, says "connected <n>" once every response head is in, then
# prints one JSON line of receive times (perf_counter, per stream) when every stream saw a `data:` line.
FANOUT_CLIENT = textwrap.dedent(
    """
    import asyncio, json, sys, time

    host, port, n, path, key = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    REQUEST = (
        f"GET {path} HTTP/1.1\\r\\nHost: {host}\\r\\nAuthorization: Bearer {key}\\r\\n"
        "Accept: text/event-stream\\r\\n\\r\\n"
    ).encode()
    got = {}
    heads = 0
    all_heads = None
    all_got = None


    class Stream(asyncio.Protocol):
        def __init__(self, i):
            self.i = i
            self.head = b""
            self.tail = b""
            self.open = False

        def connection_made(self, transport):
            self.transport = transport
            transport.write(REQUEST)

        def data_received(self, data):
            global heads
            if not self.open:
                self.head += data
                head, sep, rest = self.head.partition(b"\\r\\n\\r\\n")
                if not sep:
                    return
                if not head.startswith(b"HTTP/1.1 200"):
                    print("bad response " + head[:200].decode(errors="replace"), file=sys.stderr, flush=True)
                    sys.exit(2)
                self.open = True
                heads += 1
                if heads == n:
                    all_heads.set()
                data = rest
            if self.i in got:
                return
            buf = self.tail + data
            if b"\\ndata:" in buf or buf.startswith(b"data:"):
                got[self.i] = time.perf_counter()
                if len(got) == n:
                    all_got.set()
            self.tail = buf[-8:]


    async def main():
        global all_heads, all_got
        all_heads, all_got = asyncio.Event(), asyncio.Event()
        loop = asyncio.get_running_loop()
        transports = []
        for i in range(n):
            t, _ = await loop.create_connection(lambda i=i: Stream(i), host, port)
            transports.append(t)
            if i % 50 == 49:
                await asyncio.sleep(0.02)
        await all_heads.wait()
        print(f"connected {n}", flush=True)
        await all_got.wait()
        print(json.dumps(list(got.values())), flush=True)
        for t in transports:
            t.close()


    try:
        import uvloop
        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
    """
)


async def _readline(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), timeout)
    if not line:
        raise RuntimeError(f"subscriber process exited ({proc.poll()})")
    return line


@pytest.mark.timeout(300)
async def test_five_thousand_subscribers_broadcast(
    api_server: Any, bench_api_key: str, db: Any, owner_id: str, tmp_path: Any
) -> None:
    job_id = f"trn_fan{secrets.token_hex(4)}"
    proc = psutil.Process(api_server.pid)
    url = httpx.URL(api_server.url)
    headers = {"Authorization": f"Bearer {bench_api_key}"}
    # warm the process up (imports, pools, the event hub) before measuring its baseline
    async with (
        httpx.AsyncClient(base_url=api_server.url, headers=headers) as c,
        c.stream("GET", "/v1/events/stream") as r,
    ):
        assert r.status_code == 200
    await asyncio.sleep(0.5)
    baseline = proc.memory_info().rss

    script = tmp_path / "subscribers.py"
    script.write_text(FANOUT_CLIENT)
    per_proc = -(-SUBSCRIBERS // FANOUT_CLIENT_PROCS)
    counts = [min(per_proc, SUBSCRIBERS - i * per_proc) for i in range(FANOUT_CLIENT_PROCS)]
    path = f"/v1/events/stream?job_id={job_id}"
    clients = [
        subprocess.Popen(
            [sys.executable, str(script), url.host, str(url.port), str(k), path, bench_api_key],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        for k in counts
    ]
    peak = baseline
    try:
        t_connect = time.perf_counter()
        for client in clients:
            line = await _readline(client, 180)
            assert line.startswith("connected"), line
        connect_s = time.perf_counter() - t_connect
        await asyncio.sleep(1.0)  # let every stream reach its wait
        connected_rss = proc.memory_info().rss
        peak = max(peak, connected_rss)

        _, t0 = await _commit_event(db, owner_id, job_id, 0)
        received: list[float] = []
        for client in clients:
            received += json.loads(await _readline(client, 60))
        after_rss = proc.memory_info().rss
        peak = max(peak, after_rss)
    finally:
        for client in clients:
            client.kill()
            client.wait(timeout=10)
    assert len(received) == SUBSCRIBERS, f"only {len(received)} of {SUBSCRIBERS} received the event"
    spread = sorted(t - t0 for t in received)
    last = spread[-1]
    growth_mb = (peak - baseline) / 1e6
    n = SUBSCRIBERS
    _record(f"{n} subscribers: connected in", f"{connect_s:.1f} s", "", True)
    _record(f"{n} subscribers: first receives", f"{spread[0] * 1000:.0f} ms", "", True)
    _record(f"{n} subscribers: median receives", f"{_pct(spread, 0.5) * 1000:.0f} ms", "", True)
    _record(f"{n} subscribers: all received", f"{last * 1000:.0f} ms", f"< {FANOUT_S * 1000:.0f} ms", last < FANOUT_S)
    _record(
        f"{n} subscribers: RSS growth",
        f"{growth_mb:.1f} MB ({growth_mb * 1e3 / n:.1f} kB each)",
        f"< {FANOUT_RSS_MB:.0f} MB",
        growth_mb < FANOUT_RSS_MB,
    )
    assert last < FANOUT_S
    assert growth_mb < FANOUT_RSS_MB


async def _load(host: str, port: int, request: bytes, seconds: float, connections: int) -> int:
    """Send ``request`` over keep-alive connections as fast as the server answers; count 200s."""
    count = 0
    stop = time.monotonic() + seconds

    async def one() -> None:
        nonlocal count
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.monotonic() < stop:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                assert head.startswith(b"HTTP/1.1 200"), head[:200]
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                count += 1
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(connections)))
    return count


async def test_get_training_rate_vs_healthz(api_server: Any, bench_api_key: str, db: Any, owner_id: str) -> None:
    async with db() as session:
        ds = Dataset(id=new_id("dataset"), owner_id=owner_id, name="bench", kind="subject")
        session.add(ds)
        await session.flush()
        trn = Training(
            id=new_id("training"),
            owner_id=owner_id,
            dataset_id=ds.id,
            base_model_id="mdl_flux_1_dev",
            trainer="fast",
            name="bench",
            status="training",
            progress=0.4,
        )
        session.add(trn)
        await session.commit()
        training_id = trn.id
    url = httpx.URL(api_server.url)
    host, port = url.host, url.port or 80
    async with httpx.AsyncClient(base_url=api_server.url, headers={"Authorization": f"Bearer {bench_api_key}"}) as c:
        r = await c.get(f"/v1/trainings/{training_id}")
        assert r.status_code == 200, r.text
    health = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    training = (
        f"GET /v1/trainings/{training_id} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {bench_api_key}\r\n\r\n"
    ).encode()
    await _load(host, port, health, 1.0, RATE_CONNECTIONS)  # warm-up
    await _load(host, port, training, 1.0, RATE_CONNECTIONS)
    health_rps = await _load(host, port, health, RATE_SECONDS, RATE_CONNECTIONS) / RATE_SECONDS
    training_rps = await _load(host, port, training, RATE_SECONDS, RATE_CONNECTIONS) / RATE_SECONDS
    ratio = training_rps / health_rps
    _record("GET /healthz", f"{health_rps:.0f} req/s", "", True)
    _record("GET /v1/trainings/{id}", f"{training_rps:.0f} req/s", "", True)
    _record("ratio trainings/healthz", f"{ratio:.2f}", f">= {RATE_RATIO}", ratio >= RATE_RATIO)
    assert ratio >= RATE_RATIO

"""OpenTelemetry traces (``shared.telemetry``): one training through the real API, the real worker and the Fal
sandbox (with its callback) makes ONE connected trace; with no ``OTEL_*`` endpoint nothing is installed; with one,
``fotogen api`` exports OTLP/HTTP to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from support.env import create_database, drop_database, migrate
from support.factories import create_owner, photo_jpeg, wait_for
from support.live import api_processes, eventually, serve

from fotogen.ports import free_port
from shared import telemetry
from shared.catalog.service import seed_catalog
from shared.config import Settings

ENDED = {"succeeded", "failed", "canceled"}


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry.use_provider(provider)
    try:
        yield exporter
    finally:
        telemetry.use_provider(None)


@pytest.fixture
async def traced_stack(admin_url: str, settings: Settings, sandbox: Any) -> AsyncIterator[tuple[Any, str]]:
    """A database of its own (no other test's worker can take over a step), an API on a port the sandbox calls
    back, and an in-process worker with Fal callbacks on; slow polls and no status stream, so the callback is what ends
    the job."""
    from api.app import create_app
    from worker.settings import build_worker

    name = f"fotogen_test_otel_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    port = free_port()
    try:
        await asyncio.to_thread(migrate, url, "upgrade", "head")
        own = settings.model_copy(
            update={
                "database_url": url,
                "queue_name": f"{settings.queue_name}:otel:{secrets.token_hex(3)}",
                "public_url": f"http://127.0.0.1:{port}",
                "fal_webhooks_enabled": True,
                "fal_webhook_jwks_url": sandbox.jwks_url,
                "provider_poll_interval": 5.0,
                "provider_stream_seconds": 0.0,  # no status-stream following: the callback ends the job
                "reconcile_grace_seconds": 60.0,  # a step the reconciler re-sends starts a trace of its own
            }
        )
        # the served app runs on uvicorn's loop; this one (same settings) does the test's own database work
        application = create_app(own)
        with serve(create_app(own), port) as base:
            async with application.router.lifespan_context(application):
                async with application.state.sessionmaker() as session:
                    await seed_catalog(session)
                    await session.commit()
                worker = build_worker(own)
                task = asyncio.create_task(worker.async_run())
                try:
                    yield application, base
                finally:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
                    await worker.close()
    finally:
        await drop_database(admin_url, name)


def _by_id(spans: list[ReadableSpan]) -> dict[int, ReadableSpan]:
    return {s.context.span_id: s for s in spans if s.context is not None}


def _chain(span: ReadableSpan, index: dict[int, ReadableSpan]) -> list[str]:
    """The names from the root down to ``span``."""
    names = [span.name]
    while span.parent is not None:
        span = index[span.parent.span_id]
        names.append(span.name)
    return names[::-1]


async def test_one_training_is_one_connected_trace(
    spans: InMemorySpanExporter, traced_stack: tuple[Any, str], sandbox: Any
) -> None:
    application, base = traced_stack
    sandbox.reset(training_seconds=0.3)
    _, key = await create_owner(application)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as api:
        ds = (await api.post("/v1/datasets", json={"name": "Zoe", "trigger_word": "ZOE"})).json()
        files = [("files", (f"zoe{i}.jpg", photo_jpeg(i, side=384), "image/jpeg")) for i in range(4)]
        assert (await api.post(f"/v1/datasets/{ds['id']}/images", files=files)).status_code == 201
        r = await api.post("/v1/trainings", json={"dataset_id": ds["id"]})
        assert r.status_code == 202, r.text
        training_id = r.json()["id"]
        done = await wait_for(api, f"/v1/trainings/{training_id}", ENDED, timeout=60)
    assert done["status"] == "succeeded", done

    def finished() -> list[ReadableSpan] | None:
        found = list(spans.get_finished_spans())
        steps = [s for s in found if (s.attributes or {}).get("fotogen.job.id") == training_id]
        ran = [s for s in steps if (s.attributes or {}).get("fotogen.task.result") == "ran"]
        results = [s for s in found if s.name == "fal result"]
        return found if ran and results and len(ran) >= 2 else None

    found = await eventually(finished, timeout=20)
    [create] = [s for s in found if s.name == "HTTP POST /v1/trainings"]
    assert create.parent is None and create.kind == trace.SpanKind.SERVER
    trace_id = create.context.trace_id
    ours = [s for s in found if s.context.trace_id == trace_id]
    index = _by_id(ours)

    # connected: one root (the API request), every other span's parent is in the same trace
    assert [s.name for s in ours if s.parent is None] == ["HTTP POST /v1/trainings"]
    assert all(s.parent.span_id in index for s in ours if s.parent is not None), "a parent is missing"
    # every step of this training, and every Fal call, is in it
    steps = [s for s in found if (s.attributes or {}).get("fotogen.job.id") == training_id]
    assert steps and all(s.context.trace_id == trace_id for s in steps), "a step of the training left the trace"
    fal = [s for s in found if s.name.startswith("fal ")]
    assert fal and all(s.context.trace_id == trace_id for s in fal)

    chains = {" → ".join(_chain(s, index)) for s in ours if s.name.startswith("fal ")}
    submit = "HTTP POST /v1/trainings → enqueue run_job_step → job step training → fal submit"
    assert submit in chains, chains
    # the callback (its URL carries the traceparent) continues the trace and schedules the step that ends the job
    callback = "job step training → HTTP POST /v1/provider-webhooks/fal → enqueue run_job_step → job step training"
    assert any(callback + " → fal result" in c for c in chains), chains
    [submitted] = [s for s in fal if s.name == "fal submit"]
    assert submitted.kind == trace.SpanKind.CLIENT
    assert (submitted.attributes or {}).get("fal.request_id") == done["provider"]["request_id"]
    assert (submitted.attributes or {}).get("fal.endpoint") == "fal-ai/flux-lora-fast-training"


async def test_without_an_endpoint_no_tracer_provider_is_installed(app: Any, worker: Any) -> None:
    """The session's API (its lifespan ran) and worker (its on_startup ran) saw no OTEL_* endpoint."""
    assert not telemetry.wanted()
    assert not telemetry.enabled()
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    assert telemetry.configure_tracing("fotogen-api") is False
    assert telemetry.inject() is None and telemetry.traceparent() is None
    with telemetry.span("nothing") as current:
        assert current is None


def test_with_an_endpoint_fotogen_api_exports_otlp(settings: Settings) -> None:
    """The standard variables only: `fotogen api` sends its request spans to an OTLP/HTTP receiver."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    received: list[ExportTraceServiceRequest] = []

    async def traces(request: Request) -> Response:
        message = ExportTraceServiceRequest()
        message.ParseFromString(await request.body())
        received.append(message)
        return Response(b"", media_type="application/x-protobuf")

    collector = Starlette(routes=[Route("/v1/traces", traces, methods=["POST"])])
    with (
        serve(collector) as endpoint,
        api_processes(
            settings,
            OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
            OTEL_BSP_SCHEDULE_DELAY="100",
            OTEL_SERVICE_NAME="fotogen-test",
        ) as [api],
    ):
        traceparent = f"00-{'ab' * 16}-{'cd' * 8}-01"  # the caller's trace: the request continues it
        assert httpx.get(f"{api}/healthz", headers={"traceparent": traceparent}).status_code == 200
        deadline = time.monotonic() + 20
        spans: list[tuple[str, str, bytes, bytes]] = []
        while time.monotonic() < deadline and not any(s[2] == bytes.fromhex("ab" * 16) for s in spans):
            time.sleep(0.1)
            spans = [
                (
                    next(a.value.string_value for a in rs.resource.attributes if a.key == "service.name"),
                    span.name,
                    span.trace_id,
                    span.parent_span_id,
                )
                for message in list(received)
                for rs in message.resource_spans
                for ss in rs.scope_spans
                for span in ss.spans
            ]
    [healthz] = [s for s in spans if s[2] == bytes.fromhex("ab" * 16)]
    assert healthz == ("fotogen-test", "HTTP GET /healthz", bytes.fromhex("ab" * 16), bytes.fromhex("cd" * 8))

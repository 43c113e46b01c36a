"""OpenTelemetry traces: API request → enqueue → worker step → Fal call, one trace per job.

Off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is set: then
:func:`configure_tracing` (the API lifespan, the worker's ``on_startup``) installs an SDK tracer provider that
exports OTLP over HTTP, configured by the standard ``OTEL_*`` variables (service name, resource attributes,
sampler, headers, ``OTEL_SDK_DISABLED``). Off, nothing is imported beyond this module, no provider is installed
and every helper returns at once: :func:`span` is a ``nullcontext``, :func:`inject` returns ``None`` and no trace
field travels with a job.

The context crosses processes as a W3C ``traceparent`` (and ``tracestate``): in the ``trace_context`` keyword of
the arq job (``shared.queue`` injects it inside an ``enqueue`` span; the worker's tasks extract it for their
span), and in the ``traceparent`` query parameter of the callback URL given to Fal, so a provider callback and
the step it schedules stay in the job's trace.

Spans: ``HTTP <method> <route>`` (server, the API), ``enqueue <function>`` (producer), ``<function>`` / ``job
step <kind>`` (consumer, the worker), ``fal <operation>`` (client: submit, status, result, cancel).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span, SpanKind, Tracer

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
TRACEPARENT = "traceparent"

_tracer: Tracer | None = None
_provider: TracerProvider | None = None
_owned = False  # the provider was built here (from the environment): flushed and shut down here
_users = 0  # configure_tracing calls not yet matched by shutdown_tracing (an API and a worker in one process)


def wanted() -> bool:
    """Whether the environment asks for traces."""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(os.environ.get(name, "").strip() for name in ENDPOINT_VARIABLES)


def enabled() -> bool:
    return _tracer is not None


def configure_tracing(service_name: str) -> bool:
    """Install the OTLP exporter when the environment asks for it (once per process); True when tracing is on."""
    global _users, _owned
    if _tracer is not None:
        _users += 1
        return True
    if not wanted():
        return False
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": service_name}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)  # the global one too: libraries' own instrumentation finds it
    use_provider(provider)
    _owned = True
    _users = 1
    return True


def use_provider(provider: TracerProvider | None) -> None:
    """Send this process's spans to ``provider`` (``None``: off). Tests install one with an in-memory exporter."""
    global _tracer, _provider, _owned, _users
    _provider = provider
    _tracer = provider.get_tracer("fotogen") if provider is not None else None
    _owned = False
    _users = 0


def shutdown_tracing() -> None:
    """Flush and stop the provider :func:`configure_tracing` built, once its last user is done."""
    global _users
    if _provider is None or not _owned:
        return
    _users -= 1
    if _users <= 0:
        _provider.shutdown()
        use_provider(None)


# -- spans ---------------------------------------------------------------------------------------------------


def _kind(name: str) -> SpanKind:
    from opentelemetry.trace import SpanKind

    return SpanKind[name]


@contextlib.contextmanager
def span(
    name: str, *, kind: str = "INTERNAL", attributes: Mapping[str, Any] | None = None, parent: Context | None = None
) -> Iterator[Span | None]:
    """A span around the block (current for it), or nothing at all when tracing is off. An exception marks the
    span as failed and is re-raised."""
    if _tracer is None:
        yield None
        return
    with _tracer.start_as_current_span(
        name, context=parent, kind=_kind(kind), attributes=dict(attributes or {})
    ) as current:
        yield current


def set_attributes(current: Span | None, attributes: Mapping[str, Any]) -> None:
    if current is not None:
        current.set_attributes({k: v for k, v in attributes.items() if v is not None})


def annotate(name: str | None = None, attributes: Mapping[str, Any] | None = None) -> None:
    """Rename the current span and/or add attributes to it (nothing when tracing is off)."""
    if _tracer is None:
        return
    from opentelemetry import trace

    current = trace.get_current_span()
    if name:
        current.update_name(name)
    set_attributes(current, attributes or {})


def inject() -> dict[str, str] | None:
    """The current span's context as W3C headers (``traceparent``, maybe ``tracestate``); None when off."""
    if _tracer is None:
        return None
    from opentelemetry import propagate

    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier or None


def extract(carrier: Mapping[str, str] | None) -> Context | None:
    """The context a carrier names (``None``: off, or nothing to continue)."""
    if _tracer is None or not carrier:
        return None
    from opentelemetry import propagate

    return propagate.extract(dict(carrier))


def traceparent() -> str | None:
    """The current span's ``traceparent`` (for a URL the provider calls back)."""
    carrier = inject()
    return carrier.get(TRACEPARENT) if carrier else None


# -- the API's server span -----------------------------------------------------------------------------------


@contextlib.contextmanager
def server_span(scope: Mapping[str, Any]) -> Iterator[Span | None]:
    """The span of one HTTP request: continues a ``traceparent`` header (or query parameter: a provider's
    callback carries it in its URL), named after the route template once routing has run."""
    if _tracer is None:
        yield None
        return
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
    if TRACEPARENT not in headers:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get(TRACEPARENT):
            headers = {TRACEPARENT: query[TRACEPARENT][0]}
    method = scope.get("method", "GET")
    attributes = {"http.request.method": method, "url.path": scope.get("path", "")}
    with span(f"HTTP {method}", kind="SERVER", attributes=attributes, parent=extract(headers)) as current:
        try:
            yield current
        finally:
            if current is not None:
                route = getattr(scope.get("route"), "path", None)
                if route:
                    current.update_name(f"HTTP {method} {route}")
                    current.set_attribute("http.route", route)


def end_server_span(current: Span | None, status: int, request_id: str) -> None:
    if current is None:
        return
    current.set_attributes({"http.response.status_code": status, "fotogen.request_id": request_id})
    if status >= 500:
        from opentelemetry.trace import Status, StatusCode

        current.set_status(Status(StatusCode.ERROR))

"""Prometheus metrics with a per-app registry (several apps can live in one test process).

With several API processes (``fotogen api --workers N``, gunicorn) each process counts on its own, so a scrape
would see one process's numbers. Set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory shared by the processes
(prometheus-client's multiprocess mode, https://prometheus.github.io/client_python/multiprocess/): every
process then writes its values there and ``/metrics`` answers with the sum over all of them.

Usage (handbook section 11): quota and credit refusals and blocked prompts are counted by this process
as it answers them. Credits captured and refunded are settled mostly by workers, which serve no metrics:
those two are read from Postgres at scrape time (lifetime totals kept on the end-user rows), so they are
totals for the whole deployment, the same on every replica — aggregate them with ``max``, not ``sum``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.models import EndUser

log = structlog.get_logger("api.metrics")


class CreditTotals(Collector):
    """Credits captured and refunded since the start, as last read from Postgres."""

    def __init__(self) -> None:
        self.captured = 0
        self.refunded = 0

    async def refresh(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        try:
            async with sessionmaker() as session:
                row = (
                    await session.execute(
                        select(
                            func.coalesce(func.sum(EndUser.captured_total), 0),
                            func.coalesce(func.sum(EndUser.refunded_total), 0),
                        )
                    )
                ).one()
        except (SQLAlchemyError, OSError) as exc:  # the scrape still answers, with the last figures
            log.warning("credit_totals_unavailable", error=repr(exc))
            return
        self.captured, self.refunded = int(row[0]), int(row[1])

    def collect(self) -> Iterator[CounterMetricFamily]:
        yield CounterMetricFamily(
            "fotogen_credits_captured", "Credits captured from end users (all replicas)", value=self.captured
        )
        yield CounterMetricFamily(
            "fotogen_credits_refunded", "Credits refunded to end users (all replicas)", value=self.refunded
        )


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "fotogen_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "fotogen_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
        )
        self.quota_refusals = Counter(
            "fotogen_quota_refusals_total",
            "Creates refused for an end user's limit (429 quota_exceeded)",
            ["quota"],
            registry=self.registry,
        )
        self.credit_refusals = Counter(
            "fotogen_credit_refusals_total",
            "Creates or debits refused for too few credits (insufficient_credits)",
            registry=self.registry,
        )
        self.blocked_prompts = Counter(
            "fotogen_blocked_prompts_total",
            "Requests refused for a blocked term (422 prompt_blocked)",
            ["field"],
            registry=self.registry,
        )
        self.credits = CreditTotals()
        self.registry.register(self.credits)

    def count_refusal(self, code: str, extensions: dict[str, Any], errors: list[dict[str, Any]]) -> None:
        """Count the usage refusals among the errors this process answers."""
        if code == "quota_exceeded":
            self.quota_refusals.labels(str(extensions.get("quota", ""))).inc()
        elif code == "insufficient_credits":
            self.credit_refusals.inc()
        elif code == "prompt_blocked":
            for field in {str(e.get("field", "")) for e in errors}:
                self.blocked_prompts.labels(field).inc()

    content_type = CONTENT_TYPE_LATEST

    def render(self) -> bytes:
        """The exposition text: this process's registry, or every process's in multiprocess mode."""
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if not directory:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        registry.register(self.credits)  # read from Postgres: already deployment-wide
        return generate_latest(registry)


class MetricsMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware) so streaming bodies and SSE are untouched."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            self.metrics.requests.labels(scope["method"], path, str(status)).inc()
            self.metrics.latency.labels(scope["method"], path).observe(time.perf_counter() - start)

"""Worker metrics (Prometheus): the hooks the job runner and the Fal provider call, and the worker's ``/metrics``.

Hooks — cheap, never raise, safe to call from any process (outside a worker they count into a registry nobody
scrapes):

* :func:`observe_step` — one job step's duration and how it ended (``ok``, ``transient``, ``failed``);
* :func:`job_finished` — a job reached a terminal status, with its error code (``none`` on success);
* :func:`observe_provider` — one provider call's latency and outcome (``ok`` or the provider error code).

Queue depth (jobs waiting in arq's queue) is read from Redis at scrape time. :func:`start_metrics_server`
serves the registry on ``FOTOGEN_WORKER_METRICS_PORT`` (``worker.settings`` starts it; off when unset).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from threading import Thread
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

_STEP_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_PROVIDER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


@dataclass
class WorkerMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.step_seconds = Histogram(
            "fotogen_job_step_duration_seconds",
            "Duration of one job step",
            ["kind", "outcome"],
            buckets=_STEP_BUCKETS,
            registry=self.registry,
        )
        self.outcomes = Counter(
            "fotogen_job_outcomes_total",
            "Jobs that reached a terminal status, by error code",
            ["kind", "status", "error_code"],
            registry=self.registry,
        )
        self.provider_seconds = Histogram(
            "fotogen_provider_request_duration_seconds",
            "Latency of one provider call (each retry counts)",
            ["provider", "operation", "outcome"],
            buckets=_PROVIDER_BUCKETS,
            registry=self.registry,
        )


# One per process: the hooks are called deep inside the runner and the provider, which do not carry it.
METRICS = WorkerMetrics()


def observe_step(kind: str, outcome: str, seconds: float) -> None:
    METRICS.step_seconds.labels(kind, outcome).observe(seconds)


@contextmanager
def step_timer(kind: str) -> Iterator[dict[str, str]]:
    """``with step_timer(kind) as step: ...; step["outcome"] = "transient"`` — observed on exit (``ok`` by
    default, ``failed`` when the block raises)."""
    step = {"outcome": "ok"}
    start = time.perf_counter()
    try:
        yield step
    except BaseException:
        step["outcome"] = "failed"
        raise
    finally:
        observe_step(kind, step["outcome"], time.perf_counter() - start)


def job_finished(kind: str, status: str, error_code: str | None) -> None:
    METRICS.outcomes.labels(kind, status, error_code or "none").inc()


def observe_provider(provider: str, operation: str, outcome: str, seconds: float) -> None:
    METRICS.provider_seconds.labels(provider, operation, outcome).observe(seconds)


class QueueDepthCollector(Collector):
    """``fotogen_queue_depth``: jobs in arq's queue (a sorted set), read from Redis when scraped."""

    def __init__(self, redis_url: str, queue_name: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self._queue = queue_name

    def collect(self) -> Iterator[GaugeMetricFamily]:
        import redis

        family = GaugeMetricFamily("fotogen_queue_depth", "Jobs waiting in the queue (due and deferred)")
        try:
            depth: int = self._redis.zcard(self._queue)  # type: ignore[assignment]  # sync client
            family.add_metric([], float(depth))
        except redis.RedisError:
            family.add_metric([], float("nan"))
        yield family

    def close(self) -> None:
        self._redis.close()


@dataclass
class MetricsServer:
    server: WSGIServer
    thread: Thread
    queue_depth: QueueDepthCollector

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        METRICS.registry.unregister(self.queue_depth)
        self.queue_depth.close()


def start_metrics_server(port: int, host: str, redis_url: str, queue_name: str) -> MetricsServer:
    """Serve this process's worker metrics on ``http://host:port/metrics`` from a daemon thread."""
    queue_depth = QueueDepthCollector(redis_url, queue_name)
    METRICS.registry.register(queue_depth)
    server, thread = start_http_server(port, host, registry=METRICS.registry)
    return MetricsServer(server, thread, queue_depth)

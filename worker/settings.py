"""arq worker: ``WorkerSettings`` for ``fotogen worker``.

JSON serialisation (no pickle); a worker that waits on its queue's doorbell between looks at the queue
instead of polling (burst workers keep arq's ``poll_delay``); clients built in ``on_startup`` and closed
in ``on_shutdown``; a reconcile cron that re-enqueues due jobs whose arq job was lost (or whose worker
died), and a sweep of partial temporary objects. The worker is a
:class:`~worker.resilient.ResilientWorker`: it rides out Redis outages and keeps a liveness key.
"""

from __future__ import annotations

from typing import Any

import httpx
import structlog
from arq import cron as arq_cron
from arq.connections import ArqRedis
from arq.cron import CronJob

from shared.clients import build_fal, build_storage, job_dumps, job_loads, redis_settings
from shared.config import Settings
from shared.db import create_engine, create_sessionmaker
from shared.jobs.kinds import KINDS
from shared.jobs.registry import JobRegistry
from shared.logging import configure_logging
from shared.metrics import start_metrics_server
from shared.telemetry import configure_tracing, shutdown_tracing
from worker.resilient import ResilientWorker
from worker.tasks import FUNCTIONS, reconcile, reconcile_webhooks, sweep_temporary, sweep_uploads

SWEEP_MINUTES = {7, 37}  # twice an hour


async def on_startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    configure_logging(settings.log_level, settings.log_json)
    configure_tracing("fotogen-worker")  # only when OTEL_EXPORTER_OTLP_ENDPOINT is set
    engine = create_engine(settings.async_database_url, pool_size=max(2, settings.worker_max_jobs // 2))
    ctx["engine"] = engine
    ctx["sessionmaker"] = create_sessionmaker(engine)
    ctx["storage"] = build_storage(settings)
    # Fal first: it sets the CA trust (the sandbox's) that the HTTP client below picks up.
    ctx["fal"] = build_fal(settings)
    ctx["http"] = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0), follow_redirects=True)
    if settings.worker_metrics_port is not None:
        ctx["metrics_server"] = start_metrics_server(
            settings.worker_metrics_port, settings.worker_metrics_host, settings.redis_url or "", settings.queue_name
        )
    # Catch up at once on anything a previous worker left behind (the cron retries if Postgres is away).
    try:
        await reconcile(ctx)
    except Exception as exc:
        structlog.get_logger("jobs").warning("startup_reconcile_failed", error=repr(exc))


async def on_shutdown(ctx: dict[str, Any]) -> None:
    for name in ("fal", "http", "storage"):
        client = ctx.get(name)
        if client is not None:
            await client.aclose()
    if ctx.get("metrics_server") is not None:
        ctx.pop("metrics_server").stop()
    engine = ctx.get("engine")
    if engine is not None:
        await engine.dispose()
    shutdown_tracing()


def build_worker(
    settings: Settings, *, burst: bool = False, redis: ArqRedis | None = None, kinds: JobRegistry = KINDS
) -> ResilientWorker:
    """The worker runs the job kinds of ``kinds`` (the product's by default)."""

    def cron(task: Any, **kwargs: Any) -> CronJob:
        # A cron's unique job id is ``<name>:<time>`` in Redis, whatever the queue: without the queue in the name, two
        # deployments (or test stacks) sharing a Redis would each skip the ticks the other one claimed first.
        return arq_cron(task, name=f"cron:{task.__name__}@{settings.queue_name}", **kwargs)

    return ResilientWorker(
        functions=FUNCTIONS,
        cron_jobs=[
            cron(
                reconcile,
                second=set(range(0, 60, max(1, min(59, settings.reconcile_interval_seconds)))),
                run_at_startup=False,
                unique=True,
                timeout=60,
            ),
            cron(
                reconcile_webhooks,  # its grace is minutes: a slower cadence than the job reconciler's is plenty
                second=set(range(0, 60, max(10, min(59, settings.reconcile_interval_seconds)))),
                run_at_startup=False,
                unique=True,
                timeout=60,
            ),
            cron(sweep_uploads, minute=set(range(0, 60, 10)), run_at_startup=False, unique=True, timeout=120),
            cron(sweep_temporary, minute=SWEEP_MINUTES, second=0, unique=True, timeout=300),
        ],
        redis_settings=None if redis is not None else redis_settings(settings),
        redis_pool=redis,
        queue_name=settings.queue_name,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        job_serializer=job_dumps,
        job_deserializer=job_loads,
        # A long-running worker waits on the doorbell between polls (ResilientWorker); a burst worker polls.
        poll_delay=settings.worker_poll_delay if burst else 0.0,
        idle_poll_seconds=None if burst else settings.worker_idle_poll_seconds,
        max_jobs=settings.worker_max_jobs,
        job_timeout=settings.job_timeout_seconds,
        keep_result=0,
        max_tries=1000,
        burst=burst,
        ctx={"settings": settings, "kinds": kinds},
        handle_signals=not burst,
        liveness_seconds=settings.worker_liveness_seconds,
    )

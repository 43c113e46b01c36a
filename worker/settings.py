"""arq worker: ``WorkerSettings`` for ``fotogen worker``.

JSON serialisation (no pickle), a short ``poll_delay`` (arq's 0.5 s default is too slow for interactive
generation), clients built in ``on_startup`` and closed in ``on_shutdown``, and a reconcile cron that
re-enqueues due jobs whose arq job was lost.
"""

from __future__ import annotations

from typing import Any

import httpx
from arq import cron
from arq.connections import ArqRedis
from arq.worker import Worker

from shared.clients import build_fal, build_storage, job_dumps, job_loads, redis_settings
from shared.config import Settings
from shared.db import create_engine, create_sessionmaker
from shared.jobs.kinds import KINDS
from shared.jobs.registry import JobRegistry
from shared.logging import configure_logging
from worker.tasks import FUNCTIONS, reconcile, reconcile_webhooks, sweep_uploads


async def on_startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    configure_logging(settings.log_level, settings.log_json)
    engine = create_engine(settings.async_database_url, pool_size=max(2, settings.worker_max_jobs // 2))
    ctx["engine"] = engine
    ctx["sessionmaker"] = create_sessionmaker(engine)
    ctx["storage"] = build_storage(settings)
    # Fal first: it sets the CA trust (the sandbox's) that the HTTP client below picks up.
    ctx["fal"] = build_fal(settings)
    ctx["http"] = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0), follow_redirects=True)
    # Catch up at once on anything a previous worker left behind.
    await reconcile(ctx)


async def on_shutdown(ctx: dict[str, Any]) -> None:
    for name in ("fal", "http", "storage"):
        client = ctx.get(name)
        if client is not None:
            await client.aclose()
    engine = ctx.get("engine")
    if engine is not None:
        await engine.dispose()


def build_worker(
    settings: Settings, *, burst: bool = False, redis: ArqRedis | None = None, kinds: JobRegistry = KINDS
) -> Worker:
    """The worker runs the job kinds of ``kinds`` (the product's by default)."""
    return Worker(
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
                reconcile_webhooks,
                second=set(range(0, 60, max(1, min(59, settings.reconcile_interval_seconds)))),
                run_at_startup=False,
                unique=True,
                timeout=60,
            ),
            cron(sweep_uploads, minute=set(range(0, 60, 10)), run_at_startup=False, unique=True, timeout=120),
        ],
        redis_settings=None if redis is not None else redis_settings(settings),
        redis_pool=redis,
        queue_name=settings.queue_name,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        job_serializer=job_dumps,
        job_deserializer=job_loads,
        poll_delay=settings.worker_poll_delay,
        max_jobs=settings.worker_max_jobs,
        job_timeout=settings.job_timeout_seconds,
        keep_result=0,
        max_tries=1000,
        burst=burst,
        ctx={"settings": settings, "kinds": kinds},
        handle_signals=not burst,
    )

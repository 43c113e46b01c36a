"""The FastAPI application: ``create_app()`` builds it; every client is built in the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute

from api.docs import install_docs
from api.guards import RequestGuardMiddleware, UnhandledErrorMiddleware
from api.metrics import Metrics, MetricsMiddleware
from api.middleware import RequestIdMiddleware
from api.problems import Problem, install_problem_handlers
from api.ratelimit import KeyRateLimiter
from api.routes import ROUTERS
from api.sse import drain_streams_on_exit, listener_dsn
from shared.billing.policy import POLICY_TABLE
from shared.cache import Invalidations, NotifiedCache
from shared.clients import build_redis, build_storage
from shared.config import Settings
from shared.db import create_engine, create_sessionmaker
from shared.events.hub import EventHub
from shared.logging import configure_logging
from shared.telemetry import configure_tracing, shutdown_tracing
from shared.uploads import ImageWorkers

DESCRIPTION = """
FotoGen: upload photos into datasets, fine-tune a LoRA on them (Fal.ai does the GPU work), follow
progress over SSE or signed webhooks, and generate images with your own model.

Authenticate with `Authorization: Bearer <api key>`. Errors are RFC 9457 `application/problem+json`
documents with a stable `code`. Lists are cursor-paginated (`limit`, `after`).
"""


def _operation_id(route: APIRoute) -> str:
    return route.operation_id or route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, settings.log_json)
        configure_tracing("fotogen-api")  # only when OTEL_EXPORTER_OTLP_ENDPOINT is set
        engine = create_engine(settings.async_database_url)
        app.state.engine = engine
        # Read caches of the hot paths, kept coherent by Postgres notifications (shared.cache).
        invalidations = Invalidations()
        app.state.invalidations = invalidations
        app.state.auth_cache = NotifiedCache()
        app.state.training_cache = NotifiedCache()
        invalidations.register("api_keys", app.state.auth_cache, by_id=False)
        invalidations.register("trainings", app.state.training_cache)
        invalidations.register(POLICY_TABLE, NotifiedCache(), by_id=False)  # shared.billing.policy
        app.state.sessionmaker = create_sessionmaker(engine, info=invalidations.session_info())
        app.state.storage = build_storage(settings)
        app.state.redis = await build_redis(settings)
        app.state.http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
        app.state.rate_limiter = (
            KeyRateLimiter(settings.rate_limit, settings.redis_url or "") if settings.rate_limit else None
        )
        settings.tmp_dir.mkdir(parents=True, exist_ok=True)
        # Uploaded photos are decoded on every core: a warm process pool (or threads), see shared.uploads.workers.
        app.state.image_workers = ImageWorkers.build(settings.image_workers, settings.image_concurrency)
        await app.state.image_workers.start()
        # The process's one LISTEN connection: wakes SSE streams (shared.events.hub) and empties the read caches.
        hub = EventHub(
            listener_dsn(settings),
            app.state.sessionmaker,
            recheck_seconds=settings.sse_recheck_seconds,
            invalidations=invalidations,
        )
        drain = asyncio.create_task(drain_streams_on_exit(hub), name="sse-drain-on-exit")
        try:
            await hub.start()
            app.state.event_hub = hub
            yield
        finally:
            drain.cancel()
            app.state.event_hub = None
            await app.state.image_workers.aclose()
            await hub.stop()
            await app.state.http.aclose()
            await app.state.redis.aclose()
            await app.state.storage.aclose()
            await engine.dispose()
            shutdown_tracing()

    app = FastAPI(
        title="FotoGen API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        # /docs and /redoc are served with their assets from this service, never a CDN (api.docs).
        docs_url=None,
        redoc_url=None,
        # Traces come from shared.telemetry (RequestIdMiddleware's server span: it also continues the trace a
        # provider callback carries in its URL); metrics from api.metrics; logs from shared.logging. FastAPI's
        # own OpenTelemetry layer would add a second server span beside ours, so it stays off.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.rate_limiter = None
    install_problem_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_docs(app)
    # Middleware runs outermost-last-added: request id → unhandled errors → metrics → CORS → guards → routes.
    app.add_middleware(RequestGuardMiddleware, max_json_bytes=settings.max_json_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"],
            expose_headers=["X-Request-ID"],
        )
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(RequestIdMiddleware)
    _register_problem_schema(app)
    return app


def _register_problem_schema(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
        for name, sub in (
            Problem.model_json_schema(ref_template="#/components/schemas/{model}").get("$defs", {}).items()
        ):
            components.setdefault(name, sub)
        components["Problem"].pop("$defs", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

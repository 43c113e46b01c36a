from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import text
from starlette.responses import JSONResponse

router = APIRouter(tags=["operations"])


@router.get("/healthz", operation_id="health-live", summary="Process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _check(name: str, coro: Any) -> tuple[str, str]:
    try:
        await asyncio.wait_for(coro, timeout=3)
    except Exception as exc:  # readiness reports any failure, whatever its type
        return name, f"error: {type(exc).__name__}"
    return name, "ok"


async def _db(request: Request) -> None:
    async with request.app.state.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


@router.get(
    "/readyz",
    operation_id="health-ready",
    summary="Postgres, Redis and storage reachable",
    responses={503: {"description": "A dependency is unreachable"}},
)
async def readyz(request: Request) -> JSONResponse:
    """`checks` per dependency; `warnings` lists configuration that works here but fails with real Fal
    (e.g. signed URLs on a loopback or private `FOTOGEN_PUBLIC_URL`, which production refuses to start with)."""
    results = dict(
        await asyncio.gather(
            _check("postgres", _db(request)),
            _check("redis", request.app.state.redis.ping()),
            _check("storage", request.app.state.storage.ping()),
        )
    )
    ok = all(v == "ok" for v in results.values())
    unreachable = request.app.state.settings.unreachable_files_problem()
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": results,
        "warnings": [unreachable] if unreachable else [],
    }
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", operation_id="metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    metrics = request.app.state.metrics
    await metrics.credits.refresh(request.app.state.sessionmaker)
    return Response(metrics.render(), media_type=metrics.content_type)

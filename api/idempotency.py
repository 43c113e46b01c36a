from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Header, Request
from pydantic import BaseModel
from starlette.responses import JSONResponse

from api.deps import RedisDep, SessionDep
from shared.idempotency import request_fingerprint, run_idempotent
from shared.queue import commit

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Replays the first response for 24 h when the same key and body are sent again.",
    ),
]


async def idempotent_create(
    request: Request,
    session: SessionDep,
    redis: RedisDep,
    *,
    owner_id: str,
    key: str | None,
    body: BaseModel,
    create: Callable[[], Awaitable[tuple[int, BaseModel]]],
) -> JSONResponse:
    """Create through the idempotency table, commit at the boundary, answer (or replay) the response."""

    async def _create() -> tuple[int, Any]:
        status, out = await create()
        return status, out.model_dump(mode="json")

    scope = f"{request.method} {request.url.path}"
    status, payload, replayed = await run_idempotent(
        session,
        owner_id=owner_id,
        scope=scope,
        key=key,
        fingerprint=request_fingerprint(request.method, request.url.path, body.model_dump(mode="json")),
        create=_create,
    )
    await commit(session, redis)
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return JSONResponse(payload, status_code=status, headers=headers)

"""``Annotated`` dependency aliases: ``SessionDep``, ``PrincipalDep``, ``ScopeDep``, ``SettingsDep``...

Every dependency is ``async def`` even when it does not await: FastAPI runs a plain ``def`` dependency in
its thread pool, which costs a thread hop per dependency per request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from arq.connections import ArqRedis
from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from api.ratelimit import STATE_KEY as RATELIMIT_STATE_KEY
from api.ratelimit import KeyRateLimiter, refuse
from shared.auth.service import Principal, authenticate, hash_key
from shared.cache import NotifiedCache
from shared.config import Settings
from shared.errors import Unauthorized
from shared.jobs.env import JobEnv
from shared.pagination import MAX_LIMIT
from shared.queue import discard_pending
from shared.scope import OwnerScope
from shared.storage import Storage


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


async def get_redis(request: Request) -> ArqRedis:
    redis: ArqRedis = request.app.state.redis
    return redis


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request. Routes that change state commit through ``shared.queue.commit``."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
        finally:
            discard_pending(session)


SettingsDep = Annotated[Settings, Depends(get_settings)]
StorageDep = Annotated[Storage, Depends(get_storage)]
RedisDep = Annotated[ArqRedis, Depends(get_redis)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]


# Declares ``components.securitySchemes.bearerAuth`` in the OpenAPI document (Swagger's "Authorize", generated
# clients). ``auto_error=False``: it never answers by itself; ``_bearer`` below parses the header and raises our
# problem+json 401s, so the behaviour is the same with or without it.
bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="bearerAuth", description="An API key: `Authorization: Bearer <key>`."
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized("Send your API key as `Authorization: Bearer <key>`.", code="missing_api_key")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("The Authorization header must be `Bearer <key>`.", code="invalid_authorization")
    return token.strip()


async def get_principal(request: Request, _credentials: BearerDep = None) -> Principal:
    """The caller, from the per-process key cache (``shared.cache``; a revocation empties it in every
    process) or, on a miss, from Postgres in a short session of its own."""
    raw = _bearer(request)
    cache: NotifiedCache[Principal] = request.app.state.auth_cache

    async def load() -> Principal | None:
        async with request.app.state.sessionmaker() as session:
            return await authenticate(session, raw)

    principal = await cache.get_or_load(hash_key(raw), load)
    if principal is None:
        raise Unauthorized("The API key is invalid or has been revoked.", code="invalid_api_key")
    request.state.owner_id = principal.owner_id
    await _count_request(request, principal)
    return principal


async def _count_request(request: Request, principal: Principal) -> None:
    """The per-key rate limit (``api.ratelimit``), counted once per request however often auth runs."""
    limiter: KeyRateLimiter | None = request.app.state.rate_limiter
    if limiter is None or getattr(request.state, RATELIMIT_STATE_KEY, None) is not None:
        return
    verdict = await limiter.check(principal.key_id or principal.owner_id)
    if verdict is None:
        return
    setattr(request.state, RATELIMIT_STATE_KEY, verdict.headers())
    if not verdict.allowed:
        raise refuse(verdict)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_scope(session: SessionDep, principal: PrincipalDep) -> OwnerScope:
    return OwnerScope(session, principal.owner_id)


ScopeDep = Annotated[OwnerScope, Depends(get_scope)]


async def get_job_env(request: Request, settings: SettingsDep, storage: StorageDep, redis: RedisDep) -> JobEnv:
    """What the API side of the job machine needs (cancel, start): the app's clients, no provider."""
    return JobEnv(settings=settings, sessionmaker=request.app.state.sessionmaker, storage=storage, redis=redis)


JobEnvDep = Annotated[JobEnv, Depends(get_job_env)]

LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
AfterQuery = Annotated[str | None, Query(max_length=200, description="Cursor from a previous page's `next_cursor`.")]

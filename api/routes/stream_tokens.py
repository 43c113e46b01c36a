"""``POST /v1/stream-tokens``: short-lived read-only tokens for ``EventSource`` clients."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.problems import AUTHED, problems
from shared.auth.stream_tokens import StreamTokenCreate, StreamTokenOut, create_stream_token

router = APIRouter(prefix="/v1/stream-tokens", tags=["events"])


@router.post(
    "",
    operation_id="stream-tokens-create",
    status_code=201,
    responses=problems(*AUTHED, 404),
)
async def create(
    body: StreamTokenCreate, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> StreamTokenOut:
    """A short-lived (default 5 min, max 60), read-only token for the browser's `EventSource`, which cannot
    send an `Authorization` header: `new EventSource(".../v1/events/stream?token=...")`. It is scoped to your
    events, to one job's or to one character's (`character_id`: from the profile's creation on, before any
    training; a character's events carry its id as `job_id`), accepted **only** on `/stream` endpoints, and
    stateless (it cannot be revoked, it expires). Nothing is stored, so `Idempotency-Key` is not needed:
    minting again is harmless."""
    return await create_stream_token(session, settings.secret_key, principal.owner_id, body)

"""``Idempotency-Key`` for every create endpoint — one implementation.

The key row is inserted in the same transaction as the resource it creates (``INSERT … ON CONFLICT DO
NOTHING``). A concurrent duplicate blocks on the unique index until the first transaction commits, then
finds the row and replays its response — so twenty simultaneous requests with one key create one row.
Same key + another body → 409 ``idempotency_key_reused``. Failed requests roll the key back with
everything else, so a retry after an error runs again. Keys are kept 24 h.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.errors import BadRequest, Conflict
from shared.models import IdempotencyKey

KEY_TTL = timedelta(hours=24)


def request_fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def validate_key(key: str) -> str:
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise BadRequest("Idempotency-Key must be 1-255 printable characters.", code="invalid_idempotency_key")
    return key


async def run_idempotent(
    session: AsyncSession,
    *,
    owner_id: str,
    scope: str,
    key: str | None,
    fingerprint: str,
    create: Callable[[], Awaitable[tuple[int, Any]]],
) -> tuple[int, Any, bool]:
    """Run ``create`` once per (owner, scope, key). Returns (status, json body, replayed).

    The caller commits (the boundary); ``create`` only flushes."""
    if key is None:
        status, body = await create()
        return status, body, False
    validate_key(key)
    await session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.owner_id == owner_id,
            IdempotencyKey.scope == scope,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at < utcnow() - KEY_TTL,
        )
    )
    inserted = await session.scalar(
        insert(IdempotencyKey)
        .values(owner_id=owner_id, scope=scope, key=key, request_hash=fingerprint)
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    )
    if inserted is None:
        row = await session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.owner_id == owner_id, IdempotencyKey.scope == scope, IdempotencyKey.key == key
            )
        )
        if row is None or row.response_status is None or row.response_body is None:
            raise Conflict("A request with this Idempotency-Key is still in progress.", code="idempotency_key_in_use")
        if row.request_hash != fingerprint:
            raise Conflict(
                "This Idempotency-Key was used with a different request body.", code="idempotency_key_reused"
            )
        return row.response_status, json.loads(row.response_body), True
    status, body = await create()
    row = await session.get(IdempotencyKey, (owner_id, scope, key))
    assert row is not None
    row.response_status = status
    row.response_body = json.dumps(body, separators=(",", ":"), default=str).encode()
    await session.flush()
    return status, body, False

"""Deleting what a request stored when it does not keep it: shielded from cancellation, failures logged."""

from __future__ import annotations

from collections.abc import Iterable

import anyio
import structlog
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession

from shared.queue import commit
from shared.storage import Storage

log = structlog.get_logger("shared.uploads")


async def delete_objects(storage: Storage, keys: Iterable[str]) -> None:
    """Delete objects, shielded from cancellation; failures are logged, never raised."""
    keys = list(keys)
    if not keys:
        return
    with anyio.CancelScope(shield=True):
        for key in keys:
            try:
                await storage.delete(key)
            except Exception:
                log.exception("object_not_deleted", key=key)


async def purge_prefix(storage: Storage, prefix: str) -> None:
    """Delete every object under ``prefix``, shielded from cancellation; failures are logged, never raised."""
    with anyio.CancelScope(shield=True):
        try:
            await storage.delete_prefix(prefix)
        except Exception:
            log.exception("objects_not_deleted", prefix=prefix)


async def commit_or_delete(session: AsyncSession, redis: ArqRedis, storage: Storage, stored: Iterable[str]) -> None:
    """The boundary of an upload: commit (then send the jobs it scheduled); if the commit fails, delete the
    objects the request stored, so no orphan object survives a failed request."""
    try:
        await commit(session, redis)
    except BaseException:
        await delete_objects(storage, stored)
        raise

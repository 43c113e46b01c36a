"""Worker liveness: each worker process keeps a key in Redis alive; a lease whose owner's key is gone is free.

A worker id is ``<host>:<pid>:<random>``. The worker writes ``fotogen:worker:<id>`` with a time-to-live of
``worker_liveness_seconds`` every third of it (Redis expires the key, so no clocks are compared), deletes it
on a graceful exit, and stamps its id on every lease it takes (``lease_owner``). Keys are not per queue:
leases live in the database, which workers of every queue share, so every worker must see every other.
The reconciler asks which owners of held leases still have a key; the leases of the others are treated as
expired, so a step whose worker died is retried within seconds instead of after ``job_lease_seconds``.

A key can also vanish while its worker lives (the worker lost Redis for longer than the time-to-live). That
worker's step may then run twice at once, which every step tolerates: state changes are conditional, a
superseded step's lease heartbeat and final bookkeeping match no row, and a second provider submit is
recognised by its nonce (``shared.jobs.steps``). The reconciler only trusts a missing key while its own
worker has been beating steadily for a whole time-to-live, so a Redis blip alone frees nothing.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterable

from redis.asyncio import Redis


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


PREFIX = "fotogen:worker:"


def key(worker_id: str) -> str:
    return PREFIX + worker_id


async def beat(redis: Redis, worker_id: str, ttl_seconds: float, info: str) -> None:
    await redis.set(key(worker_id), info, px=max(1, int(ttl_seconds * 1000)))


async def forget(redis: Redis, worker_id: str) -> None:
    await redis.delete(key(worker_id))


async def alive(redis: Redis, worker_ids: Iterable[str]) -> set[str]:
    """The ids among ``worker_ids`` whose liveness key exists."""
    ids = sorted(set(worker_ids))
    if not ids:
        return set()
    values = await redis.mget([key(i) for i in ids])
    return {i for i, value in zip(ids, values, strict=True) if value is not None}


async def alive_on_host(redis: Redis, host: str) -> list[str]:
    """Ids of the live workers of ``host`` (a container's own worker, for its health check)."""
    found = [k.decode() if isinstance(k, bytes) else str(k) async for k in redis.scan_iter(match=key(host + ":*"))]
    return [k[len(PREFIX) :] for k in found]

"""Builders for the per-process clients (storage, arq pool). Called from the API lifespan and the
worker's ``on_startup``, never at import time."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from shared.config import Settings
from shared.storage import Storage

if TYPE_CHECKING:
    from shared.fal.provider import FalProvider


def build_storage(settings: Settings) -> Storage:
    if settings.storage == "gcs":
        from shared.storage.gcs import GCSStorage

        if not settings.gcs_bucket:
            raise RuntimeError("FOTOGEN_GCS_BUCKET is required when FOTOGEN_STORAGE=gcs")
        return GCSStorage(settings.gcs_bucket, project=settings.gcs_project)
    from shared.storage.local import LocalStorage

    return LocalStorage(settings.storage_dir, public_url=settings.public_url, secret_key=settings.secret_key)


def redis_settings(settings: Settings) -> RedisSettings:
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set (run `fotogen dev` for embedded servers)")
    return RedisSettings.from_dsn(settings.redis_url)


def job_dumps(obj: Any) -> bytes:
    """arq job serialiser: JSON, never pickle (the worker's ``job_deserializer`` must match)."""
    return json.dumps(obj, separators=(",", ":")).encode()


def job_loads(raw: bytes) -> Any:
    return json.loads(raw)


async def build_redis(settings: Settings) -> ArqRedis:
    """The arq pool of an API process: it enqueues onto the workers' queue (``settings.queue_name``) in
    the workers' serialisation, so a job sent at commit time is picked up at once."""
    return await create_pool(
        redis_settings(settings),
        default_queue_name=settings.queue_name,
        job_serializer=job_dumps,
        job_deserializer=job_loads,
    )


def build_fal(settings: Settings) -> FalProvider:
    """Real Fal when ``FAL_KEY`` is set, the sandbox (``FOTOGEN_FAL_QUEUE_URL``) otherwise — nothing else
    differs. Builds before any HTTP client of the process, since it sets fal-client's host and CA trust."""
    from shared.fal.provider import FalProvider

    if not settings.fal_key and not settings.fal_queue_url:
        raise RuntimeError("set FAL_KEY (real Fal) or FOTOGEN_FAL_QUEUE_URL (the sandbox, `fotogen sandbox`)")
    return FalProvider(
        settings.fal_key or "sandbox",
        queue_url=settings.fal_queue_url,
        ca_file=settings.fal_ca_file,
        webhook_base_url=settings.public_url,
    )

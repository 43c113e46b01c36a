from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.config import Settings
from shared.jobs.registry import JobRegistry, default_registry
from shared.storage import Storage

if TYPE_CHECKING:
    from shared.fal.provider import FalProvider


@dataclass
class JobEnv:
    """What a job step needs: built once per worker process (or per API app for cancels)."""

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    storage: Storage
    redis: ArqRedis
    http: httpx.AsyncClient | None = None
    fal: FalProvider | None = None
    kinds: JobRegistry = field(default_factory=default_registry)
    worker_id: str | None = None  # stamped on the leases this process takes (``lease_owner``)

    @classmethod
    def from_ctx(cls, ctx: dict[str, Any]) -> JobEnv:
        return cls(
            settings=ctx["settings"],
            sessionmaker=ctx["sessionmaker"],
            storage=ctx["storage"],
            redis=ctx["redis"],
            http=ctx.get("http"),
            fal=ctx.get("fal"),
            kinds=ctx.get("kinds") or default_registry(),
            worker_id=ctx.get("worker_id"),
        )

    @property
    def provider(self) -> FalProvider:
        if self.fal is None:
            raise RuntimeError("no Fal provider in this process")
        return self.fal

"""Job kinds: trainings, generations and mesh jobs share one mechanism (``shared.jobs.runner``).

Each kind registers its ORM model, how to render the job as the API returns it (events carry that exact
object) and the coroutine that advances it by one step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared.jobs.env import JobEnv
from shared.storage import Storage

TERMINAL = ("succeeded", "failed", "canceled")

# serialize(session, storage, ttl_seconds, row) -> the job as GET returns it
Serializer = Callable[[AsyncSession, Storage, int, Any], Awaitable[BaseModel]]
# advance(env, job_id) -> seconds until the next step, or None when nothing is scheduled
Advancer = Callable[[JobEnv, str], Awaitable[float | None]]


@dataclass(frozen=True)
class JobKind:
    name: str  # "training": event types are "training.<what>", arq ids "training:<id>:<seq>"
    model: type[Any]
    serialize: Serializer
    advance: Advancer
    queued_status: str = "queued"


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> JobKind:
    load_all()
    return _KINDS[name]


def all_kinds() -> list[JobKind]:
    load_all()
    return list(_KINDS.values())


def load_all() -> None:
    """Import every job domain so it registers (lazy, to keep import order simple)."""
    import importlib

    for module in ("shared.trainings.jobs", "shared.generations.jobs", "shared.meshes.jobs"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if not exc.name or not module.startswith(exc.name):
                raise

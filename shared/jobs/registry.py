"""Job kinds: trainings, generations and mesh jobs share one mechanism (``shared.jobs.runner``).

A kind is a declaration: its ORM model and status enum, which statuses can be canceled, the events it
writes, how to render it as the API returns it (events carry that exact object), how often to poll its
provider, and its steps (:class:`shared.jobs.steps.ProviderSteps`). The runner does the rest: loading the
row, leases, cancel, submit-then-persist, polling, failure and retries.

Kinds are listed explicitly in a :class:`JobRegistry`; the product's is ``shared.jobs.kinds.KINDS``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import Settings
from shared.storage import Storage

if TYPE_CHECKING:
    from shared.jobs.steps import ProviderSteps

# Every kind's enum has these three, and only these end a job.
TERMINAL = ("succeeded", "failed", "canceled")
EVENTS = ("queued", "started", "progress", "succeeded", "failed", "canceled")

# serialize(session, storage, signed-URL lifetime, row) -> the job as GET returns it
Serializer = Callable[[AsyncSession, Storage, timedelta, Any], Awaitable[BaseModel]]
# delivered(row) -> a SQL expression of the units a succeeded job delivered, for billing (evaluated inside the
# settling UPDATE, in the terminal transition's transaction: no round trip of its own)
DeliveredCount = Callable[[Any], ColumnElement[int]]
# find(session, provider_request_id) -> the id of the job this provider request belongs to, or None
RequestFinder = Callable[[AsyncSession, Any, str], Awaitable[str | None]]


@dataclass(frozen=True)
class PollPolicy:
    """The one poll-interval rule, parametrised per kind: ``first`` seconds while the request is young,
    then ``growth`` times the seconds it has been quiet, capped at ``provider_poll_max_interval``.

    ``stream``: instead of polling, a step follows the provider's status stream (pushed statuses) for up to
    ``provider_stream_seconds`` and goes on the moment the request completes; ``progress`` still runs at most
    every ``first`` seconds. Interval polling stays the fallback (``provider_stream_seconds = 0``)."""

    first: Callable[[Settings], float]
    growth: float
    stream: bool = False

    def stream_seconds(self, settings: Settings) -> float:
        """How long one step may follow the status stream (0: it polls)."""
        return settings.provider_stream_seconds if self.stream else 0.0

    def delay(self, settings: Settings, quiet_seconds: float) -> float:
        first = self.first(settings)
        return float(min(settings.provider_poll_max_interval, max(first, max(0.0, quiet_seconds) * self.growth)))


async def find_by_request_id(session: AsyncSession, model: Any, request_id: str) -> str | None:
    """The default: the job row itself carries ``provider_request_id``."""
    job_id: str | None = await session.scalar(select(model.id).where(model.provider_request_id == request_id))
    return job_id


@dataclass(frozen=True)
class JobKind:
    name: str  # "training": event types are "training.<what>", arq ids "training:<id>:<seq>"
    model: type[Any]
    statuses: type[StrEnum]
    started: StrEnum  # the status ``queued`` moves to when a worker first picks the job up
    cancelable: frozenset[StrEnum]
    serialize: Serializer
    steps: ProviderSteps
    poll: PollPolicy
    events: tuple[str, ...] = EVENTS
    find_request: RequestFinder = find_by_request_id
    delivered: DeliveredCount | None = None
    terminal: frozenset[StrEnum] = field(init=False)

    def __post_init__(self) -> None:
        missing = {"queued", *TERMINAL} - {s.value for s in self.statuses}
        if missing:
            raise ValueError(f"job kind {self.name!r}: status enum lacks {sorted(missing)}")
        object.__setattr__(self, "terminal", frozenset(self.statuses(v) for v in TERMINAL))

    def status(self, value: str) -> StrEnum:
        """This kind's member for ``value`` (``kind.status("failed")``): the statuses every kind has."""
        return self.statuses(value)

    @property
    def queued(self) -> StrEnum:
        return self.statuses("queued")


class JobRegistry:
    """An explicit list of job kinds, looked up by name (the arq task and the events carry the name)."""

    def __init__(self, kinds: Iterable[JobKind]) -> None:
        self._kinds: dict[str, JobKind] = {}
        for kind in kinds:
            if kind.name in self._kinds:
                raise ValueError(f"job kind {kind.name!r} listed twice")
            self._kinds[kind.name] = kind

    def get(self, name: str) -> JobKind:
        return self._kinds[name]

    def __iter__(self) -> Iterator[JobKind]:
        return iter(self._kinds.values())

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def with_kinds(self, *kinds: JobKind) -> JobRegistry:
        """This registry plus ``kinds`` (a process that runs extra kinds, e.g. in tests)."""
        return JobRegistry([*self, *kinds])


def get_kind(name: str) -> JobKind:
    """A kind of the product's registry by name (for services and routes that name their own kind)."""
    return default_registry().get(name)


def all_kinds() -> list[JobKind]:
    return list(default_registry())


def default_registry() -> JobRegistry:
    # Imported here, not at the top: the kind modules import their domain services, which import this module.
    from shared.jobs.kinds import KINDS

    return KINDS

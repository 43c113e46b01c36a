"""What a job kind implements (:class:`ProviderSteps`) and the handle its steps work through (:class:`Job`).

The default :meth:`ProviderSteps.advance` drives the common shape, one provider request per job:

    (started) prepare → build the arguments → submit, and persist the request id at once → poll
    (``progress`` between polls, on the kind's :class:`~shared.jobs.registry.PollPolicy`) → on completion
    fetch the result → ``collect`` it into our storage and finish.

A kind overrides only what it does differently (a batch kind overrides ``advance`` and uses the same
handle). Provider errors are not handled here: a retryable one propagates to the runner, which retries
the step with backoff; a non-retryable one fails the job (:func:`settle` is for a kind that wants one
error to end only part of its work).
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from datetime import datetime
from typing import Any, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.fal.errors import ProviderError
from shared.fal.provider import ProviderStatus
from shared.jobs.env import JobEnv
from shared.jobs.registry import JobKind
from shared.jobs.transitions import transition
from shared.queue import commit

log = structlog.get_logger("jobs")
T = TypeVar("T")
PROVIDER_WEBHOOK_PATH = "/v1/provider-webhooks/fal"


async def settle(call: Awaitable[T]) -> T | ProviderError:
    """Await a provider call: a retryable error propagates (the runner retries the step), a non-retryable
    one is returned for the caller to record."""
    try:
        return await call
    except ProviderError as exc:
        if exc.retryable:
            raise
        return exc


class Job:
    """One job being advanced: its kind, its row as this step loaded it, and the moves it can make."""

    def __init__(self, env: JobEnv, kind: JobKind, row: Any) -> None:
        self.env = env
        self.kind = kind
        self.row = row

    @property
    def id(self) -> str:
        return str(self.row.id)

    @property
    def endpoint(self) -> str:
        return str(self.row.provider_endpoint or "")

    async def move(
        self,
        from_statuses: Iterable[str] | None,
        to: str | None = None,
        event: str | None = None,
        values: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        *,
        session: AsyncSession | None = None,
    ) -> Any | None:
        """A conditional change (and its event) of this job; in ``session`` if given (the caller commits),
        else in a transaction of its own. Returns the updated row, None when the job had moved on."""
        if session is not None:
            return await transition(
                session,
                self.env,
                self.kind,
                self.id,
                from_statuses=from_statuses,
                to=to,
                event=event,
                values=values,
                extra=extra,
            )
        async with self.env.sessionmaker() as own:
            row = await transition(
                own,
                self.env,
                self.kind,
                self.id,
                from_statuses=from_statuses,
                to=to,
                event=event,
                values=values,
                extra=extra,
            )
            await commit(own, self.env.redis)
        if row is not None:
            self.row = row
        return row

    async def fail(self, code: str, message: str, *, session: AsyncSession | None = None) -> Any | None:
        return await self.move(
            None, "failed", "failed", {"error_code": code, "error_message": message}, session=session
        )

    def poll_delay(self, since: datetime | None) -> float:
        """Seconds until the next poll of a request that has had no news since ``since``."""
        quiet = (utcnow() - since).total_seconds() if since is not None else 0.0
        return self.kind.poll.delay(self.env.settings, quiet)

    async def submit(self, endpoint: str, arguments: dict[str, Any], *, webhook: bool = True) -> str:
        """Send a request to the provider (asking for a callback when enabled); the caller persists the id."""
        url = PROVIDER_WEBHOOK_PATH if webhook and self.env.settings.fal_webhooks_enabled else None
        return await self.env.provider.submit(endpoint, arguments, webhook_url=url)

    async def cancel(self) -> None:
        """Ask the provider to cancel what is in flight, end the job ``canceled``, then clean up."""
        steps = self.kind.steps
        for request_id in await steps.cancel_requests(self):
            answer = await settle(self.env.provider.cancel(self.endpoint, request_id))
            log.info("provider_cancel", kind=self.kind.name, job_id=self.id, request_id=request_id, answer=answer)
        async with self.env.sessionmaker() as session:
            values = await steps.on_cancel(self, session)
            done = await self.move(self.kind.cancelable, "canceled", "canceled", values, session=session)
            if done is None:
                await session.rollback()
                return
            await commit(session, self.env.redis)
        await steps.cleanup(self)


class ProviderSteps:
    """A kind's own steps. Defaults fit a job that is one provider request; override what differs."""

    submitted: str | None = None  # the status a job moves to once its request is submitted (None: stays)
    with_logs = False  # ask the provider for logs when polling

    async def advance(self, job: Job) -> float | None:
        """One step from a non-terminal, non-canceled status (the runner has moved ``queued`` on)."""
        row = job.row
        if row.provider_request_id is None:
            if not await self.prepare(job):
                return None
            arguments = await self.arguments(job)
            request_id = await job.submit(job.endpoint, arguments)
            # Persist the request id before anything else can fail: a repeated step must never resubmit.
            to, event, values, extra = self.on_submitted(job)
            moved = await job.move((row.status,), to, event, {**values, "provider_request_id": request_id}, extra)
            if moved is None:
                log.warning("job_moved_during_submit", kind=job.kind.name, job_id=job.id, request_id=request_id)
            return job.poll_delay(None)
        if self.submitted is None or row.status == self.submitted:
            status = await job.env.provider.status(job.endpoint, row.provider_request_id, with_logs=self.with_logs)
            if status.state != "completed":
                return await self.progress(job, status)
            # Fal reports failures as COMPLETED; the result fetch says which.
            result = await job.env.provider.result(job.endpoint, row.provider_request_id)
            return await self.collect(job, result)
        return await self.resume(job)

    def started_values(self, job: Job) -> dict[str, Any]:
        """Values set with the move from ``queued`` to the kind's started status (besides ``started_at``)."""
        return {}

    async def prepare(self, job: Job) -> bool:
        """Before the submit (safe to repeat); False when the job cannot go on (it was failed)."""
        return True

    async def arguments(self, job: Job) -> dict[str, Any]:
        """The provider arguments of the job's request."""
        raise NotImplementedError

    def on_submitted(self, job: Job) -> tuple[str | None, str | None, dict[str, Any], dict[str, Any] | None]:
        """(status, event, values, event extra) of the move that records the request id."""
        return self.submitted, None, {}, None

    async def progress(self, job: Job, status: ProviderStatus) -> float | None:
        """The request is still queued or running: report what is new; returns the delay to the next poll."""
        return job.poll_delay(job.row.started_at or job.row.created_at)

    async def collect(self, job: Job, result: dict[str, Any]) -> float | None:
        """The request completed: copy its outputs into our storage and finish (or schedule what follows)."""
        raise NotImplementedError

    async def resume(self, job: Job) -> float | None:
        """A status after the request completed (e.g. still saving its outputs)."""
        return None

    async def cancel_requests(self, job: Job) -> list[str]:
        """Provider requests to ask to cancel."""
        return [job.row.provider_request_id] if job.row.provider_request_id else []

    async def on_cancel(self, job: Job, session: AsyncSession) -> dict[str, Any]:
        """Inside the cancel's transaction, before the job ends: values to set on the job row."""
        return {}

    async def cleanup(self, job: Job) -> None:
        """After a cancel: delete what the job stored so far."""

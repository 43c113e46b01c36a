"""What a job kind implements (:class:`ProviderSteps`) and the handle its steps work through (:class:`Job`).

The default :meth:`ProviderSteps.advance` drives the common shape, one provider request per job:

    (started) prepare → build the arguments → commit a fresh submission nonce → submit (the callback URL
    carries the job and the nonce) → persist the request id if the nonce is still ours → poll
    (``progress`` between polls, on the kind's :class:`~shared.jobs.registry.PollPolicy`) → on completion
    fetch the result → ``collect`` it into our storage and finish.

A kind whose poll policy says ``stream`` does not poll: the step that submitted goes on following the
provider's status stream (:meth:`Job.follow`), for a window of ``provider_stream_seconds``, and collects the
result in the same step the moment the provider pushes ``completed``; a cancel asked for meanwhile ends the
window early (the next step cancels).

A kind overrides only what it does differently (a batch kind overrides ``advance`` and uses the same
handle). Provider errors are not handled here: a retryable one propagates to the runner, which retries
the step with backoff; a non-retryable one fails the job (:func:`settle` is for a kind that wants one
error to end only part of its work).

At most one provider request per step: a worker killed between the provider accepting a request and our
commit of its id leaves an *orphan*. The nonce is what recognises it: the step that takes over commits a new
nonce before submitting again, so a submit whose nonce is no longer current cancels its own request instead of
recording it, and a provider callback whose request is not the job's current one has it canceled
(``shared.webhooks.provider``). A job only ever reads the result of the request id it recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared import telemetry
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
PROVIDER_TIMEOUT = "provider_timeout"
# Test-only: seconds to sleep right after a submit returned, before its request id is persisted (the window a
# crash test kills the worker in). Unset in every real deployment.
TEST_SLEEP_AFTER_SUBMIT = "FOTOGEN_TEST_SLEEP_AFTER_SUBMIT"
# While a step follows a status stream it looks this often whether a cancel was asked for.
CANCEL_CHECK_SECONDS = 0.25


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
        self.started_nonce: str | None = None  # the nonce this step committed with the job's start

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
        unless_cancel_requested: bool = False,
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
                unless_cancel_requested=unless_cancel_requested,
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
                unless_cancel_requested=unless_cancel_requested,
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

    async def follow(
        self,
        request_id: str,
        seconds: float,
        with_logs: bool,
        on_status: Callable[[ProviderStatus], Awaitable[Any]] | None,
    ) -> ProviderStatus | None:
        """Follow the provider's status stream of ``request_id`` for up to ``seconds``: the ``completed`` status,
        or None when the window ended, the stream closed early or a cancel was asked for (the next step looks
        again). ``on_status`` sees the other statuses, at most every ``PollPolicy.first`` seconds (the latest), and
        the last one again after a quiet poll interval."""
        every = self.kind.poll.first(self.env.settings)

        async def completed() -> ProviderStatus | None:
            queue: asyncio.Queue[ProviderStatus | BaseException | None] = asyncio.Queue()

            async def read() -> None:
                try:
                    stream = self.env.provider.follow(self.endpoint, request_id, with_logs=with_logs)
                    async with contextlib.aclosing(stream):
                        async for status in stream:
                            queue.put_nowait(status)
                    queue.put_nowait(None)
                except Exception as exc:
                    queue.put_nowait(exc)

            async def report(status: ProviderStatus) -> None:
                if on_status is None:
                    return
                await self.reload()  # as a poll step would: the kind reports against the row as it is now
                await on_status(status)

            reader = asyncio.create_task(read())
            last: ProviderStatus | None = None
            shown, fresh = time.monotonic(), False
            try:
                while True:
                    try:
                        wait = max(0.0, shown + every - time.monotonic()) if on_status is not None else None
                        item = await asyncio.wait_for(queue.get(), wait)
                    except TimeoutError:  # quiet for a poll interval: report as a poll would (estimates rise)
                        if last is not None:
                            await report(last)
                        shown, fresh = time.monotonic(), False
                        continue
                    if isinstance(item, BaseException):
                        raise item
                    if item is None:  # the stream closed before completion: the next step looks again
                        if last is not None and fresh:
                            await report(last)
                        return None
                    if item.state == "completed":
                        return item
                    last, fresh = item, True
                    if time.monotonic() - shown >= every:
                        await report(item)
                        shown, fresh = time.monotonic(), False
            finally:
                reader.cancel()
                await asyncio.gather(reader, return_exceptions=True)

        follower = asyncio.create_task(completed())
        watcher = asyncio.create_task(self._cancel_asked())
        try:
            done, _ = await asyncio.wait({follower, watcher}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
            return follower.result() if follower in done else None
        finally:
            for task in (follower, watcher):
                task.cancel()
            await asyncio.gather(follower, watcher, return_exceptions=True)

    async def reload(self) -> None:
        async with self.env.sessionmaker() as session:
            row = await session.get(self.kind.model, self.id)
        if row is not None:
            self.row = row

    async def _cancel_asked(self) -> None:
        """Returns once a cancel of this job was recorded."""
        model = self.kind.model
        while True:
            await asyncio.sleep(CANCEL_CHECK_SECONDS)
            async with self.env.sessionmaker() as session:
                asked = await session.scalar(select(model.cancel_requested_at).where(model.id == self.id))
            if asked is not None:
                return

    async def submit(
        self, endpoint: str, arguments: dict[str, Any], *, webhook: bool = True, nonce: str | None = None
    ) -> str:
        """Send a request to the provider (asking for a callback when enabled; the callback URL names this
        job and the submission ``nonce``); the caller persists the id."""
        url = None
        if webhook and self.env.settings.fal_webhooks_enabled:
            query = {"job": f"{self.kind.name}:{self.id}", **({"nonce": nonce} if nonce else {})}
            if traceparent := telemetry.traceparent():  # the callback continues this job's trace
                query["traceparent"] = traceparent
            url = f"{PROVIDER_WEBHOOK_PATH}?{urlencode(query)}"
        request_id = await self.env.provider.submit(endpoint, arguments, webhook_url=url)
        if pause := float(os.environ.get(TEST_SLEEP_AFTER_SUBMIT) or 0):
            await asyncio.sleep(pause)
        return request_id

    async def new_submit_nonce(self) -> str | None:
        """Commit a fresh submission nonce (before submitting); None when the job no longer needs a submit. The
        first one was committed with the job's start, in this step: it is used as it is."""
        if self.started_nonce is not None:
            nonce, self.started_nonce = self.started_nonce, None
            return nonce
        model = self.kind.model
        nonce = secrets.token_hex(8)
        async with self.env.sessionmaker() as session:
            stmt = (
                update(model)
                .where(
                    model.id == self.id, model.provider_request_id.is_(None), model.status.not_in(self.kind.terminal)
                )
                .values(submit_nonce=nonce)
                .returning(model.id)
            )
            done = (await session.execute(stmt)).scalar_one_or_none()
            await session.commit()
        return nonce if done is not None else None

    async def record_submission(
        self, nonce: str, request_id: str, from_status: Any, move: tuple[Any, Any, dict[str, Any], Any]
    ) -> bool:
        """Persist ``request_id`` (with ``move``: status, event, values, extra) if ``nonce`` is still the job's;
        otherwise another step took over after this one submitted: cancel our request, keep theirs."""
        model = self.kind.model
        to, event, values, extra = move
        async with self.env.sessionmaker() as session:
            stmt = (
                update(model)
                .where(
                    model.id == self.id,
                    model.submit_nonce == nonce,
                    model.provider_request_id.is_(None),
                    model.status.not_in(self.kind.terminal),
                )
                .values(provider_request_id=request_id)
                .returning(model.id)
            )
            if (await session.execute(stmt)).scalar_one_or_none() is not None:
                moved = await self.move((from_status,), to, event, values, extra, session=session)
                await commit(session, self.env.redis)
                if moved is not None:
                    self.row = moved
                return True
            await session.rollback()
        answer = await settle(self.env.provider.cancel(self.endpoint, request_id))
        log.warning(
            "provider_submission_superseded", kind=self.kind.name, job_id=self.id, request_id=request_id, answer=answer
        )
        return False

    def deadline_left(self) -> float:
        """Seconds until the job's deadline (``Settings.deadline_seconds`` from its start)."""
        since = self.row.started_at or self.row.created_at
        if since is None:
            return float("inf")
        spent = (utcnow() - since).total_seconds()
        return float(self.env.settings.deadline_seconds(self.kind.name) - spent)

    async def expire(self) -> None:
        """Past the deadline: ask the provider to cancel what is in flight, then fail ``provider_timeout``."""
        for request_id in await self.kind.steps.cancel_requests(self):
            answer = await settle(self.env.provider.cancel(self.endpoint, request_id))
            log.info("provider_cancel", kind=self.kind.name, job_id=self.id, request_id=request_id, answer=answer)
        limit = self.env.settings.deadline_seconds(self.kind.name)
        await self.fail(PROVIDER_TIMEOUT, f"The provider did not finish within the {limit:.0f} s deadline.")

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
        row, submitted = job.row, None
        if row.provider_request_id is None:
            if not await self.prepare(job):
                return None
            arguments = await self.arguments(job)
            nonce = await job.new_submit_nonce()
            if nonce is None:
                return 0.0  # another step recorded a request meanwhile: look at it
            request_id = await job.submit(job.endpoint, arguments, nonce=nonce)
            # Persist the request id before anything else can fail: a repeated step must never resubmit.
            if not await job.record_submission(nonce, request_id, row.status, self.on_submitted(job)):
                return None
            if not job.kind.poll.stream_seconds(job.env.settings):
                return job.poll_delay(None)
            row, submitted = job.row, request_id  # follow the stream in this very step
        if self.submitted is None or row.status == self.submitted:
            provider, request_id = job.env.provider, str(submitted or row.provider_request_id)
            window = min(job.kind.poll.stream_seconds(job.env.settings), job.deadline_left())
            if window > 0:
                # a kind that reports nothing between polls is not woken for each streamed status
                reports = type(self).progress is not ProviderSteps.progress
                on_status = (lambda st: self.progress(job, st)) if reports else None
                followed = await job.follow(request_id, window, self.with_logs, on_status)
                if followed is None:
                    return 0.0  # the window ended (or a cancel was asked for): the next step goes on
                status = followed
            else:
                status = await provider.status(job.endpoint, request_id, with_logs=self.with_logs)
            if status.state != "completed":
                return await self.progress(job, status)
            # Fal reports failures as COMPLETED; the result fetch says which.
            result = await provider.result(job.endpoint, request_id, completed=True)
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

    def temporary_keys(self, job: Job) -> list[str]:
        """Objects that only exist while the job runs (e.g. an upload archive for the provider)."""
        return []

    def temporary_prefix(self, job: Job) -> str | None:
        """Where the job writes storage objects: interrupted (partial) writes under it are swept at its end."""
        return None

    async def discard_temporary(self, job: Job) -> None:
        """The job ended (any outcome): delete its temporary objects and any partial writes it left."""
        storage = job.env.storage
        for key in self.temporary_keys(job):
            await storage.delete(key)
        prefix = self.temporary_prefix(job)
        if prefix:
            await storage.delete_partials(prefix, older_than_seconds=0.0)

"""Server-Sent Events: the reusable pieces behind every ``/stream`` endpoint.

    from api.sse import LastEventIdDep, job_event_stream, SSE_RESPONSES
    from api.stream_auth import StreamPrincipalDep

    @router.get("/{training_id}/stream", operation_id="trainings-stream", response_class=EventSourceResponse,
                responses=SSE_RESPONSES)
    async def stream(request: Request, training_id: str, principal: StreamPrincipalDep,
                     last_event_id: LastEventIdDep = None) -> Response:
        return await job_event_stream(request, principal.owner_id, "training", training_id, last_event_id)

Each message is ``id: <event id>``, ``event: <type>``, ``data: <the event JSON>``; the first also carries
``retry: <ms>`` (``settings.sse_retry_seconds``: how long ``EventSource`` waits before reconnecting); heartbeat
comments every ``settings.sse_ping_seconds``; ``X-Accel-Buffering: no`` so nginx does not buffer. Everything a
stream sends comes from Postgres by id (see :mod:`shared.events.hub`), so ``Last-Event-ID`` resumes with
no gap and no duplicate. A finished job's stream closes after its terminal event; when ``EventSource``
reconnects with that event's id, the answer is 204, which tells it not to reconnect again (WHATWG HTML,
"Server-sent events": a 204 fails the connection for good). The 404/403 checks and the starting position
are settled *before* the response starts, with a short-lived session; none is held while the stream runs.
A client that goes away is noticed at once (a listener on the connection cancels the stream).

Live streams (thousands may be open in one process) use :class:`LiveEventStream`: the messages go out from one
task and the request's own task waits for the client's disconnect; the server's shutdown ends them all through the
hub (:func:`drain_streams_on_exit` calls ``EventHub.drain``), not through a task per stream. Replays of finished
jobs use sse-starlette's ``EventSourceResponse`` (three tasks per stream, short-lived).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from fastapi import Depends, Header, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from api.problems import problems
from api.stream_auth import check_job_scope
from shared.auth.service import Principal
from shared.config import Settings, to_asyncpg_url
from shared.errors import BadRequest, not_found
from shared.events.hub import EventHub, EventRecord
from shared.events.service import events_after, latest_event_id
from shared.jobs.registry import TERMINAL, get_kind

SSE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An SSE stream (`text/event-stream`): `id:` the event id, `event:` its type, `data:` the "
        "event JSON (see `EventOut`); `: ping` comments while idle.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
    204: {
        "description": "The job has finished and the client's `Last-Event-ID` is at or past its last event: "
        "nothing more will come (`EventSource` stops reconnecting)."
    },
    **problems(400, 401, 403, 404, 422),
}


# -- per-process hub (started by the app's lifespan, api.app) --------------------------------------------


def listener_dsn(settings: Settings) -> str:
    """asyncpg's DSN for the LISTEN connection, from whatever URL scheme the operator wrote."""
    url = make_url(to_asyncpg_url(settings.database_url or ""))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def drain_streams_on_exit(hub: EventHub) -> None:
    """When the server is told to exit, end every live stream at once (clients reconnect to another replica with
    ``Last-Event-ID``) rather than hold the shutdown until its timeout: one task per process, waiting on
    sse-starlette's one per-loop watcher of uvicorn's exit signal, instead of one per stream."""
    await EventSourceResponse._listen_for_exit_signal()
    hub.drain()


def get_hub(request: Request) -> EventHub:
    hub: EventHub | None = getattr(request.app.state, "event_hub", None)
    if hub is None:
        raise RuntimeError("the event hub is not running (the app's lifespan starts it)")
    return hub


# -- parameters ------------------------------------------------------------------------------------------


async def get_last_event_id(
    last_event_id: Annotated[
        str | None,
        Query(max_length=20, description="Resume after this event id (for clients that cannot send the header)."),
    ] = None,
    header: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            max_length=20,
            description="Resume after this event id (browsers send it when they reconnect).",
        ),
    ] = None,
) -> int | None:
    """``Last-Event-ID`` header (what ``EventSource`` sends on reconnect) first, else ``?last_event_id=``."""
    raw = header if header not in (None, "") else last_event_id
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise BadRequest("Last-Event-ID must be an event id (a non-negative integer).", code="invalid_last_event_id")
    return int(raw)


LastEventIdDep = Annotated[int | None, Depends(get_last_event_id)]


# -- responses -------------------------------------------------------------------------------------------


def _message(record: EventRecord) -> bytes:
    return record.sse  # encoded once per process, however many streams send it


PING = b": ping\n\n"  # the heartbeat comment


def _ping() -> ServerSentEvent:
    return ServerSentEvent(comment="ping", sep="\n")


class LiveEventStream(StreamingResponse):
    """A ``text/event-stream`` response for streams that ping themselves (a live hub stream yields :data:`PING`
    when idle): the messages are sent from one task, and the request's own task waits on ``receive`` for the
    client's disconnect, which cancels the sending task. That is what a process holding thousands of streams pays
    for in memory (sse-starlette's response runs three tasks in an anyio task group, with their events and a
    lock: ~10 kB a stream). A client that stops reading for ``send_timeout`` seconds is dropped."""

    media_type = "text/event-stream"

    def __init__(self, messages: AsyncIterator[bytes], *, send_timeout: float, headers: dict[str, str]) -> None:
        super().__init__(messages, status_code=200, headers=headers, media_type=self.media_type)  # no Content-Length
        self.send_timeout = send_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The messages go out from a task of their own (a shallow stack to resume when an event wakes thousands of
        # streams at once); the request's task waits for the client's disconnect, or for that task to end.
        streaming = asyncio.ensure_future(self._stream(send))
        with anyio.CancelScope() as waiting:
            streaming.add_done_callback(lambda _: waiting.cancel())
            while (await receive())["type"] != "http.disconnect":
                pass
        if not streaming.done():  # the client went away
            streaming.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            ended = await streaming
            if ended:
                await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _stream(self, send: Send) -> bool:
        """Send every message; True when they ran out (then the response ends), False when the client stopped
        reading for ``send_timeout`` seconds (it is dropped)."""
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            async for message in self.body_iterator:
                async with asyncio.timeout(self.send_timeout):  # a timer handle, not an anyio cancel scope
                    await send({"type": "http.response.body", "body": message, "more_body": True})
            return True
        except TimeoutError:
            return False
        finally:
            await _close(self.body_iterator)


async def _close(messages: object) -> None:
    aclose = getattr(messages, "aclose", None)
    if aclose is not None:
        with anyio.CancelScope(shield=True):
            await aclose()


def event_source(request: Request, messages: AsyncIterator[bytes], *, pings_itself: bool = False) -> Response:
    """``pings_itself``: ``messages`` yields :data:`PING` when idle (a live stream gets it from
    :meth:`EventHub.follow`): it is served by :class:`LiveEventStream`; anything else (a replay) by sse-starlette,
    which sends the pings."""
    settings: Settings = request.app.state.settings
    retry = f"retry: {round(settings.sse_retry_seconds * 1000)}\n".encode()

    async def with_retry() -> AsyncIterator[bytes]:
        # The retry field rides on the first event: a block of its own would reach some clients (httpx-sse)
        # as an empty event.
        first = True
        async for message in messages:
            if first and message is not PING:
                message = retry + message
                first = False
            yield message

    headers = {"X-Accel-Buffering": "no", "Cache-Control": "no-store"}
    if pings_itself:
        return LiveEventStream(with_retry(), send_timeout=settings.sse_send_timeout_seconds, headers=headers)
    return EventSourceResponse(
        with_retry(),
        ping=settings.sse_ping_seconds,
        ping_message_factory=_ping,
        sep="\n",
        send_timeout=settings.sse_send_timeout_seconds,
        headers=headers,
    )


def _heartbeat(request: Request) -> float | None:
    settings: Settings = request.app.state.settings
    return settings.sse_ping_seconds or None  # 0 disables the heartbeat


def _principal(request: Request) -> Principal | None:
    principal: Principal | None = getattr(request.state, "principal", None)
    return principal


async def job_event_stream(
    request: Request, owner_id: str, job_type: str, job_id: str, last_event_id: int | None = None
) -> Response:
    """The SSE stream of one job: its history after ``last_event_id`` (all of it when None), then live
    events, closed after the terminal event (``*.succeeded|failed|canceled``).

    404 ``{job_type}_not_found`` when the job is not ``owner_id``'s; 403 ``stream_token_out_of_scope`` when
    the caller authenticated with a stream token scoped to another job; 204 when the job is terminal and
    ``last_event_id`` is at or past its last event."""
    principal = _principal(request)
    if principal is not None:
        check_job_scope(principal, job_id)
    kind = get_kind(job_type)
    async with request.app.state.sessionmaker() as session:
        status = await session.scalar(
            select(kind.model.status).where(kind.model.id == job_id, kind.model.owner_id == owner_id)
        )
    if status is None:
        raise not_found(job_type, job_id)
    after = last_event_id or 0

    if status in TERMINAL:
        # Its terminal event committed with the status: replay what is left and close.
        sessionmaker = request.app.state.sessionmaker
        async with sessionmaker() as session:
            first = await events_after(session, owner_id, after, job_id=job_id, limit=200)
        if not first and last_event_id is not None:
            return Response(status_code=204)

        async def replay() -> AsyncIterator[bytes]:
            position = after
            rows = first
            while True:
                for row in rows:
                    record = EventRecord.from_row(row)
                    yield _message(record)
                    if record.terminal:
                        return
                if len(rows) < 200:
                    return
                position = rows[-1].id
                async with sessionmaker() as session:
                    rows = await events_after(session, owner_id, position, job_id=job_id, limit=200)

        return event_source(request, replay())

    hub = get_hub(request)
    heartbeat = _heartbeat(request)

    async def live() -> AsyncIterator[bytes]:
        records = hub.follow(owner_id, after, job_id, heartbeat=heartbeat)
        try:
            async for record in records:
                if record is None:
                    yield PING
                    continue
                yield _message(record)
                if record.terminal:
                    return
        finally:
            await records.aclose()

    return event_source(request, live(), pings_itself=True)


async def owner_event_stream(
    request: Request, owner_id: str, job_id: str | None = None, last_event_id: int | None = None
) -> Response:
    """All of the owner's events (of one job when ``job_id`` is given) from now on — or from after
    ``last_event_id`` — live, until the client goes away. A job-scoped stream token forces its job."""
    principal = _principal(request)
    if principal is not None and principal.job_id is not None:
        check_job_scope(principal, job_id if job_id is not None else principal.job_id)
        job_id = principal.job_id
    if last_event_id is None:
        async with request.app.state.sessionmaker() as session:
            after = await latest_event_id(session)
    else:
        after = last_event_id
    hub = get_hub(request)
    heartbeat = _heartbeat(request)

    async def live() -> AsyncIterator[bytes]:
        records = hub.follow(owner_id, after, job_id, heartbeat=heartbeat)
        try:
            async for record in records:
                yield PING if record is None else _message(record)
        finally:
            await records.aclose()

    return event_source(request, live(), pings_itself=True)

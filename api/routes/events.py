"""``/v1/events``: the owner's event history (JSON, oldest first) and its live SSE stream."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sse_starlette import EventSourceResponse

from api.deps import LimitQuery, PrincipalDep, SessionDep
from api.problems import AUTHED, problems
from api.sse import SSE_RESPONSES, LastEventIdDep, owner_event_stream
from api.stream_auth import StreamPrincipalDep
from shared.events.schemas import EventOut
from shared.events.service import list_events
from shared.pagination import DEFAULT_LIMIT, Page

router = APIRouter(prefix="/v1/events", tags=["events"])

JobIdQuery = Annotated[str | None, Query(max_length=40, description="Only this job's events.")]


@router.get("", operation_id="events-list", responses=problems(*AUTHED, 400))
async def list_owner_events(
    session: SessionDep,
    principal: PrincipalDep,
    job_id: JobIdQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: Annotated[
        str | None, Query(max_length=200, description="An event id: the page starts after it (`next_cursor`).")
    ] = None,
) -> Page[EventOut]:
    """Your events, **oldest first** (a history to replay); `next_cursor` is the last event id of the page."""
    return await list_events(session, principal.owner_id, job_id=job_id, limit=limit, after=after)


@router.get(
    "/stream",
    operation_id="events-stream",
    response_class=EventSourceResponse,
    responses=SSE_RESPONSES,
)
async def stream_owner_events(
    request: Request,
    principal: StreamPrincipalDep,
    last_event_id: LastEventIdDep = None,
    job_id: JobIdQuery = None,
) -> Response:
    """All of your events as Server-Sent Events, live: from now on, or from after `Last-Event-ID` (header, or
    `?last_event_id=`) with no gap and no duplicate. Authenticate with the API key, or — for the browser's
    `EventSource` — with `?token=` from `POST /v1/stream-tokens` (a job-scoped token streams that job only)."""
    return await owner_event_stream(request, principal.owner_id, job_id=job_id, last_event_id=last_event_id)

"""Events: written in the same transaction as the state change they describe.

Ids come from an identity column, taken under a transaction-scoped advisory lock: two transactions
can never commit events out of id order, so a reader resuming after ``Last-Event-ID`` never skips an
event that committed late (the one tricky race of SSE resumption). ``pg_notify`` in the same
transaction wakes every API process after commit; the webhook outbox rows are written here too
(``shared.webhooks.outbox``, a module below this one).

Reading: every query here returns events oldest first, keyed by id. Any read sees a *prefix* of the
commit order (plus gaps left by rolled-back transactions), which is what makes "everything after id N"
a lossless cursor.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, String, bindparam, column, func, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.errors import BadRequest
from shared.events.schemas import EventOut
from shared.models import Event
from shared.models.base import Timestamp
from shared.pagination import Page, decode_cursor
from shared.webhooks.outbox import write_deliveries

EVENT_LOCK_KEY = 0x466F746F  # "Foto"
NOTIFY_CHANNEL = "fotogen_events"
# Postgres refuses a NOTIFY payload of 8000 bytes or more; an event whose JSON would not fit is notified by id alone.
NOTIFY_PAYLOAD_MAX = 7900


# One statement, one round trip: the advisory lock (a MATERIALIZED CTE the INSERT reads from, so the lock is taken
# before the identity default draws the id), the insert, its NOTIFY (delivered at commit; ``{id}:{owner}:{job}``,
# then ``:{type}:{the event's JSON without its id}`` when that fits, so API processes need not read it back) and the
# owner's webhook endpoints for the outbox.
_WRITE_EVENT = (
    text(
        """
        WITH event_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(:lock_key)),
        new_event AS (
            INSERT INTO events (owner_id, type, job_type, job_id, data, created_at)
            SELECT :owner_id, :type, :job_type, :job_id, :data, :created_at FROM event_lock
            RETURNING id, pg_notify(:channel, id || ':' || owner_id || ':' || job_id || :carried)
        )
        SELECT new_event.id, endpoint.id AS endpoint_id, endpoint.events AS endpoint_events
        FROM new_event LEFT JOIN webhook_endpoints AS endpoint ON endpoint.owner_id = :owner_id
        """
    )
    .bindparams(bindparam("data", type_=JSONB), bindparam("created_at", type_=Timestamp))
    .columns(column("id", BigInteger), column("endpoint_id", String), column("endpoint_events", JSONB))
)


async def write_event(
    session: AsyncSession, *, owner_id: str, type: str, job_type: str, job_id: str, data: dict[str, Any]
) -> Event:
    """Write an event (and its webhook deliveries) in the caller's transaction; returns it (not in the session)."""
    created_at = utcnow()
    rendered = EventOut(id=0, type=type, job_type=job_type, job_id=job_id, created_at=created_at, data=data)
    carried = f":{type}:{rendered.model_dump_json(exclude={'id'})}"
    if len(carried.encode()) + 120 > NOTIFY_PAYLOAD_MAX:  # 120: the id, owner and job ids before it
        carried = ""
    params = {
        "carried": carried,
        "lock_key": EVENT_LOCK_KEY,
        "channel": NOTIFY_CHANNEL,
        "owner_id": owner_id,
        "type": type,
        "job_type": job_type,
        "job_id": job_id,
        "data": data,
        "created_at": created_at,
    }
    rows = (await session.execute(_WRITE_EVENT, params)).all()
    event = Event(
        id=rows[0].id, owner_id=owner_id, type=type, job_type=job_type, job_id=job_id, data=data, created_at=created_at
    )
    endpoints = [(r.endpoint_id, r.endpoint_events) for r in rows if r.endpoint_id is not None]
    await write_deliveries(session, event, endpoints)
    return event


# -- reading -----------------------------------------------------------------------------------------


def event_out(event: Event) -> EventOut:
    return EventOut.model_validate(event)


def parse_event_cursor(after: str | None) -> int:
    """``after`` for event lists: an event id (what ``next_cursor`` and SSE ``id:`` carry). The opaque
    base64 form other lists use is accepted too."""
    if after is None:
        return 0
    raw = after if after.isdigit() else decode_cursor(after)
    if not raw.isdigit() or len(raw) > 19:
        raise BadRequest("The `after` cursor must be an event id.", code="invalid_cursor")
    return int(raw)


async def events_after(
    session: AsyncSession,
    owner_id: str,
    after_id: int,
    *,
    job_id: str | None = None,
    limit: int = 100,
) -> list[Event]:
    """The owner's events with ``id > after_id`` (optionally of one job), oldest first."""
    stmt = select(Event).where(Event.owner_id == owner_id, Event.id > after_id)
    if job_id is not None:
        stmt = stmt.where(Event.job_id == job_id)
    stmt = stmt.order_by(Event.id).limit(limit)
    return list((await session.scalars(stmt)).all())


async def list_events(
    session: AsyncSession, owner_id: str, *, job_id: str | None = None, limit: int, after: str | None
) -> Page[EventOut]:
    """One page of the owner's events (or one job's), oldest first; ``next_cursor`` is the last event id."""
    rows = await events_after(session, owner_id, parse_event_cursor(after), job_id=job_id, limit=limit + 1)
    has_more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        data=[event_out(r) for r in rows],
        has_more=has_more,
        next_cursor=str(rows[-1].id) if has_more and rows else None,
    )


async def list_job_events(
    session: AsyncSession, owner_id: str, job_id: str, *, limit: int, after: str | None
) -> Page[EventOut]:
    """For ``GET /v1/{jobs}/{id}/events``: check the job is the owner's first (404 otherwise)."""
    return await list_events(session, owner_id, job_id=job_id, limit=limit, after=after)


async def latest_event_id(session: AsyncSession) -> int:
    """The newest committed event id (0 when there is none): "from now on" for a live stream."""
    return int(await session.scalar(select(func.coalesce(func.max(Event.id), 0))) or 0)

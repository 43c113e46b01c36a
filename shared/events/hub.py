"""One event listener per API process, fanning new events out to every SSE stream of that process.

How a stream learns about new events:

* ``write_event`` does ``pg_notify('fotogen_events', '{id}:{owner}:{job}')`` in the event's transaction,
  so the notification is delivered when (and only if) it commits.
* Each process holds ONE dedicated asyncpg connection that ``LISTEN``s on that channel (reconnecting
  with backoff when it drops) and marks the hub dirty when a notification concerns an owner that has an
  open stream here.
* One refresher task then reads the new rows of those owners from Postgres by id (``id > cursor``), with a
  short-lived session, renders each event's JSON once, appends it to a per-owner buffer and wakes that
  owner's streams. It also runs every ``recheck_seconds`` without any notification, so a missed NOTIFY
  (listener reconnecting, a notification dropped) only delays an event, it never loses one.
* Most notifications carry their event (``write_event`` adds its type and JSON when they fit the payload). One
  whose id is exactly ``cursor + 1`` is buffered at once, without a read: nothing can be missing before it.
  Any other (an id further on: a notification was missed, the listener reconnected, an id was left by a
  rolled-back write or an event was written without one) makes a read due, which catches up from ``cursor``.
* Streams (:meth:`EventHub.follow`) read from the buffer when it covers their position, and from
  Postgres otherwise (history replay, resume after ``Last-Event-ID``, a stream that fell behind the
  buffer). No stream holds a database session while it waits.

Why reading by id is lossless: event ids are assigned under a transaction-scoped advisory lock
(:mod:`shared.events.service`), so they commit in id order and any snapshot sees a prefix of them. The
hub's ``cursor`` is the newest id it has read up to; every owner buffer holds *all* of that owner's events
in ``(floor, cursor]``. Buffers are short (``buffer_size``, trimmed at twice that): a stream that falls
further behind simply reads Postgres until it has caught up. Events of owners with no open stream in this
process are not read at all.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information
import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.cache import INVALIDATE_CHANNEL, Invalidations
from shared.events.schemas import EventOut, is_terminal
from shared.events.service import NOTIFY_CHANNEL, events_after
from shared.models import Event

log = structlog.get_logger("events.hub")


@dataclass(frozen=True)
class EventRecord:
    """An event ready to send: its JSON (and SSE message) is rendered once per process, whatever the number
    of streams that send it."""

    id: int
    owner_id: str
    job_id: str
    type: str
    json: str

    @property
    def terminal(self) -> bool:
        return is_terminal(self.type)

    @cached_property
    def sse(self) -> bytes:
        """The SSE message: ``id:`` the event id, ``event:`` its type, ``data:`` the event JSON (one line)."""
        return f"id: {self.id}\nevent: {self.type}\ndata: {self.json}\n\n".encode()

    @classmethod
    def from_row(cls, row: Event) -> EventRecord:
        return cls(
            id=row.id,
            owner_id=row.owner_id,
            job_id=row.job_id,
            type=row.type,
            json=EventOut.model_validate(row).model_dump_json(),
        )


class OwnerFeed:
    """The recent events of one owner, shared by all of that owner's streams in this process."""

    def __init__(self, floor: int, max_buffer: int) -> None:
        self.floor = floor  # the buffer holds every event of this owner with floor < id <= hub.cursor
        self.records: list[EventRecord] = []
        self.ids: list[int] = []
        self.refs = 0
        self.max_buffer = max_buffer
        self._changed = asyncio.Event()

    @property
    def changed(self) -> asyncio.Event:
        """Set (once) when new records arrive after this moment; take it *before* reading."""
        return self._changed

    def wake(self) -> None:
        old, self._changed = self._changed, asyncio.Event()
        old.set()

    def extend(self, records: list[EventRecord]) -> None:
        self.records.extend(records)
        self.ids.extend(r.id for r in records)
        if len(self.records) > 2 * self.max_buffer:
            drop = len(self.records) - self.max_buffer
            self.floor = self.ids[drop - 1]
            del self.records[:drop]
            del self.ids[:drop]

    def after(self, position: int) -> list[EventRecord]:
        return self.records[bisect.bisect_right(self.ids, position) :]


def _on_terminated(lost: asyncio.Event) -> Any:
    def callback(_conn: Any) -> None:
        lost.set()

    return callback


class EventHub:
    def __init__(
        self,
        dsn: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        recheck_seconds: float = 5.0,
        batch_size: int = 500,
        buffer_size: int = 200,
        keepalive_seconds: float = 10.0,
        invalidations: Invalidations | None = None,
    ) -> None:
        self._dsn = dsn
        self._sessionmaker = sessionmaker
        self.recheck_seconds = recheck_seconds
        self.batch_size = batch_size
        self.buffer_size = buffer_size
        self.keepalive_seconds = keepalive_seconds
        self.cursor = 0
        self.reads = 0  # refreshes that read Postgres (carried events need none)
        self.listening = asyncio.Event()  # set while the LISTEN connection is up
        self.reconnects = 0
        self._feeds: dict[str, OwnerFeed] = {}
        self._dirty = asyncio.Event()
        self._refreshing = False
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._draining = False  # streams end (drain), the hub goes on until stop()
        # The same LISTEN connection keeps this process's read caches coherent (shared.cache).
        self.invalidations = invalidations

    # -- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        async with self._sessionmaker() as session:
            self.cursor = int(await session.scalar(select(func.coalesce(func.max(Event.id), 0))) or 0)
        self._tasks = [
            asyncio.create_task(self._listen_loop(), name="events-listener"),
            asyncio.create_task(self._refresh_loop(), name="events-refresher"),
        ]
        # Do not serve streams before the listener is up (bounded: Postgres is reachable, we just read it).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.listening.wait(), timeout=5)

    def drain(self) -> None:
        """End every stream following this hub now (the server is shutting down); the hub itself goes on."""
        self._draining = True
        for feed in self._feeds.values():
            feed.wake()

    async def stop(self) -> None:
        self._closing = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        for feed in self._feeds.values():
            feed.wake()

    @property
    def subscribers(self) -> int:
        return sum(f.refs for f in self._feeds.values())

    # -- the listener ----------------------------------------------------------------------------------

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        parts = payload.split(":", 4)
        if len(parts) == 5 and self._take(parts):
            return
        if len(parts) < 3 or parts[1] in self._feeds:
            self._dirty.set()

    def _take(self, parts: list[str]) -> bool:
        """Buffer an event its notification carries when it is the very next one (``cursor + 1``); False when it
        has to be read instead (a read is running, or ids are missing before it: a read catches up)."""
        if self._refreshing or not parts[0].isdigit():
            return False
        event_id = int(parts[0])
        if event_id <= self.cursor:
            return True  # read already
        if event_id != self.cursor + 1:
            self._dirty.set()  # whatever the owner: the cursor must catch up for later events to be taken
            return True
        owner_id, job_id, type_, body = parts[1:]
        self.cursor = event_id
        feed = self._feeds.get(owner_id)
        if feed is not None:
            feed.extend([EventRecord(event_id, owner_id, job_id, type_, f'{{"id":{event_id},{body[1:]}')])
            feed.wake()
        return True

    def _on_invalidate(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        assert self.invalidations is not None
        self.invalidations.notify(payload)

    async def _listen_loop(self) -> None:
        delay = 0.1
        while not self._closing:
            conn: asyncpg.Connection | None = None
            lost = asyncio.Event()
            try:
                conn = await asyncpg.connect(
                    self._dsn, timeout=10, server_settings={"application_name": "fotogen-events"}
                )
                conn.add_termination_listener(_on_terminated(lost))
                await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
                if self.invalidations is not None:
                    await conn.add_listener(INVALIDATE_CHANNEL, self._on_invalidate)
                    self.invalidations.set_listening(True)
                self.listening.set()
                delay = 0.1
                # Whatever committed while we were not listening is read now.
                self._dirty.set()
                while not lost.is_set():
                    try:
                        await asyncio.wait_for(lost.wait(), timeout=self.keepalive_seconds)
                    except TimeoutError:
                        # A half-open TCP connection never reports itself: ask.
                        await conn.fetchval("SELECT 1", timeout=self.keepalive_seconds)
                log.warning("events_listener_lost")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("events_listener_error", error=repr(exc), retry_in=delay)
            finally:
                self.listening.clear()
                if self.invalidations is not None:
                    self.invalidations.set_listening(False)
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.terminate()
            if self._closing:
                return
            self.reconnects += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    # -- reading new events ----------------------------------------------------------------------------

    async def _refresh_loop(self) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._dirty.wait(), timeout=self.recheck_seconds)
            self._dirty.clear()
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("events_refresh_error", error=repr(exc))
                await asyncio.sleep(0.5)
                self._dirty.set()

    async def refresh(self) -> None:
        """Read every new event of the owners with open streams and wake their streams."""
        self._refreshing = True
        self.reads += 1
        try:
            await self._read_new()
        finally:
            self._refreshing = False

    async def _read_new(self) -> None:
        while True:
            feeds = dict(self._feeds)
            async with self._sessionmaker() as session:
                top = int(await session.scalar(select(func.coalesce(func.max(Event.id), 0))) or 0)
                rows: list[Event] = []
                if feeds and top > self.cursor:
                    stmt = (
                        select(Event)
                        .where(Event.id > self.cursor, Event.id <= top, Event.owner_id.in_(list(feeds)))
                        .order_by(Event.id)
                        .limit(self.batch_size)
                    )
                    rows = list((await session.scalars(stmt)).all())
            more = len(rows) == self.batch_size
            if more:
                top = rows[-1].id
            grouped: dict[str, list[EventRecord]] = {}
            for row in rows:
                grouped.setdefault(row.owner_id, []).append(EventRecord.from_row(row))
            # Feeds opened while we were reading were not part of the query: their buffers start at `top`.
            for owner_id, feed in self._feeds.items():
                if feeds.get(owner_id) is not feed:
                    feed.floor = max(feed.floor, top)
            self.cursor = max(self.cursor, top)
            for owner_id, records in grouped.items():
                current = self._feeds.get(owner_id)
                if current is not None and feeds.get(owner_id) is current:
                    current.extend(records)
                    current.wake()
            if not more:
                return

    def _acquire(self, owner_id: str) -> OwnerFeed:
        feed = self._feeds.get(owner_id)
        if feed is None:
            feed = self._feeds[owner_id] = OwnerFeed(self.cursor, self.buffer_size)
        feed.refs += 1
        return feed

    def _release(self, owner_id: str, feed: OwnerFeed) -> None:
        feed.refs -= 1
        if feed.refs <= 0 and self._feeds.get(owner_id) is feed:
            del self._feeds[owner_id]

    async def _fetch(self, owner_id: str, after: int, job_id: str | None) -> list[EventRecord]:
        async with self._sessionmaker() as session:
            rows = await events_after(session, owner_id, after, job_id=job_id, limit=self.batch_size)
            return [EventRecord.from_row(r) for r in rows]

    async def follow(
        self, owner_id: str, after: int, job_id: str | None = None, *, heartbeat: float | None = None
    ) -> AsyncGenerator[EventRecord | None, None]:
        """Every event of ``owner_id`` (of ``job_id`` when given) with ``id > after``, in id order, each
        exactly once, forever: history from Postgres first, then live. Close the iterator to stop.

        With ``heartbeat`` (seconds), ``None`` is yielded whenever that long passed without an event, so an SSE
        stream sends its keep-alive from the same task that sends its events (no extra task per stream)."""
        feed = self._acquire(owner_id)
        position = after  # every matching event with id <= position has been yielded
        try:
            while not (self._closing or self._draining):
                changed = feed.changed
                if position >= feed.floor:
                    top = self.cursor
                    records = feed.after(position)
                    for record in records:
                        if job_id is None or record.job_id == job_id:
                            yield record
                    position = max(position, top, records[-1].id if records else 0)
                    if records:
                        continue
                    if heartbeat:
                        try:
                            async with asyncio.timeout(heartbeat):
                                await changed.wait()
                        except TimeoutError:
                            yield None
                    else:
                        await changed.wait()
                else:
                    top = self.cursor  # every event <= top is committed, so the read below sees it
                    fetched = await self._fetch(owner_id, position, job_id)
                    for record in fetched:
                        yield record
                    if fetched:
                        position = fetched[-1].id
                    if len(fetched) < self.batch_size:
                        position = max(position, top)
        finally:
            self._release(owner_id, feed)

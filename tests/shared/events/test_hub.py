"""The per-process event hub against real Postgres: lossless, ordered, exactly once — including for a
stream that falls behind a (deliberately tiny) buffer and catches up from the database."""

from __future__ import annotations

import asyncio
import json
import random
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from support.live import commit_event

from api.sse import listener_dsn
from shared.config import Settings
from shared.events.hub import EventHub, EventRecord
from shared.events.service import NOTIFY_PAYLOAD_MAX, events_after
from shared.models import Event


async def test_slow_and_fast_followers_see_every_event_once_in_order(app: Any, settings: Settings) -> None:
    hub = EventHub(listener_dsn(settings), app.state.sessionmaker, recheck_seconds=0.5, buffer_size=3, batch_size=4)
    await hub.start()
    owner = f"own_hub{secrets.token_hex(4)}"
    job = "trn_hub"
    try:
        start = await commit_event(app, owner, job, "queued")
        total = 60
        produced = [start]

        async def produce() -> None:
            for i in range(total):
                produced.append(await commit_event(app, owner, job, "progress", message=str(i)))
                if i % 7 == 0:
                    await asyncio.sleep(0.01)

        async def follow(after: int, delay: float) -> list[int]:
            got: list[int] = []
            gen = hub.follow(owner, after)
            try:
                async for record in gen:
                    got.append(record.id)
                    if delay:
                        await asyncio.sleep(random.uniform(0, delay))
                    if len(got) == total + (1 if after < start else 0):
                        return got
            finally:
                await gen.aclose()
            return got

        results = await asyncio.wait_for(
            asyncio.gather(follow(start - 1, 0), follow(start - 1, 0.01), follow(start, 0.002), produce()), 60
        )
        fast, slow, late = results[0], results[1], results[2]
        assert fast == produced and slow == produced
        assert late == produced[1:]
        assert hub.subscribers == 0
    finally:
        await hub.stop()


@pytest.fixture
async def followed(app: Any, settings: Settings) -> AsyncIterator[tuple[EventHub, str, Any]]:
    """A started hub (no timed re-read), a fresh owner and a follower of it from the start; all closed after."""
    hub = EventHub(listener_dsn(settings), app.state.sessionmaker, recheck_seconds=60)
    await hub.start()
    owner = f"own_hub{secrets.token_hex(4)}"
    gen = hub.follow(owner, 0)
    try:
        yield hub, owner, gen
    finally:
        await gen.aclose()
        await hub.stop()


async def _next(gen: Any, timeout: float = 10.0) -> Any:
    return await asyncio.wait_for(gen.__anext__(), timeout)


async def test_an_event_carried_by_its_notification_is_delivered_without_a_read(
    app: Any, followed: tuple[EventHub, str, Any]
) -> None:
    """The next event (``cursor + 1``) comes from its notification: no read, and its JSON is the one a read renders
    (same fields and values). One too big to be carried is read, and the next carried event still comes after it."""
    hub, owner, gen = followed
    pending = asyncio.ensure_future(_next(gen))  # the stream is open (its feed exists) before the writes
    await asyncio.sleep(0.05)
    carried = None
    for attempt in range(5):  # another test's event landing in between would make this one a read: retry
        await hub.refresh()  # the cursor is the newest event: the next one can be carried
        reads = hub.reads
        written = await commit_event(app, owner, "trn_carried", "progress", message=f"small {attempt}")
        record = await pending
        assert record.id == written
        pending = asyncio.ensure_future(_next(gen))
        if hub.reads == reads:
            carried = record
            break
    assert carried is not None, "no event was ever taken from its notification"
    async with app.state.sessionmaker() as session:
        [stored] = await events_after(session, owner, carried.id - 1, limit=1)
    assert json.loads(carried.json) == json.loads(EventRecord.from_row(stored).json)
    assert carried.sse.startswith(f"id: {carried.id}\nevent: training.progress\ndata: ".encode())

    big = await commit_event(app, owner, "trn_carried", "progress", message="x" * NOTIFY_PAYLOAD_MAX)
    after = await commit_event(app, owner, "trn_carried", "progress", message="after")
    got = [await pending, await _next(gen)]
    assert [r.id for r in got] == [big, after]
    assert json.loads(got[0].json)["data"]["message"] == "x" * NOTIFY_PAYLOAD_MAX


async def test_an_event_written_without_a_notification_is_not_skipped(
    app: Any, followed: tuple[EventHub, str, Any]
) -> None:
    """A notification never sent (an event inserted by hand): the next carried event is not ``cursor + 1``, so the
    hub reads instead of taking it, and both arrive, in order."""
    hub, owner, gen = followed
    pending = asyncio.ensure_future(_next(gen))
    await asyncio.sleep(0.05)
    await hub.refresh()
    async with app.state.sessionmaker() as session:
        silent = Event(owner_id=owner, type="training.log", job_type="training", job_id="trn_s", data={"job": {}})
        session.add(silent)
        await session.commit()
    loud = await commit_event(app, owner, "trn_s", "progress", message="notified")
    got = [await pending, await _next(gen)]
    assert [r.id for r in got] == [silent.id, loud]


async def test_after_a_reconnect_nothing_is_taken_from_notifications_before_a_read(
    app: Any, followed: tuple[EventHub, str, Any]
) -> None:
    """Events committed while the listener was away are read, then later ones are carried: all once, in order."""
    hub, owner, gen = followed
    first = asyncio.ensure_future(_next(gen))
    await asyncio.sleep(0.05)
    ids = [await commit_event(app, owner, "trn_rc", "progress", message="0")]
    assert (await first).id == ids[0]
    async with app.state.engine.connect() as conn:  # drop the hub's LISTEN connection
        await conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fotogen-events'")
        )
    ids += [await commit_event(app, owner, "trn_rc", "progress", message=str(i)) for i in (1, 2)]
    got = [await _next(gen, 20), await _next(gen, 20)]
    ids.append(await commit_event(app, owner, "trn_rc", "progress", message="3"))
    got.append(await _next(gen, 20))
    assert [r.id for r in got] == ids[1:] and hub.reconnects >= 1


async def test_drain_ends_every_stream_and_the_hub_goes_on(app: Any, settings: Settings) -> None:
    """At shutdown (``api.sse.drain_streams_on_exit``) every follower ends at once, without a task per stream."""
    hub = EventHub(listener_dsn(settings), app.state.sessionmaker, recheck_seconds=60)
    await hub.start()
    owner = f"own_hub{secrets.token_hex(4)}"
    gens = [hub.follow(owner, 0) for _ in range(3)]
    try:
        waiting = [asyncio.ensure_future(_next(g)) for g in gens]
        await asyncio.sleep(0.05)
        assert hub.subscribers == 3
        hub.drain()
        for task in waiting:
            with pytest.raises(StopAsyncIteration):
                await task
        assert hub.subscribers == 0 and hub.listening.is_set()
    finally:
        for g in gens:
            await g.aclose()
        await hub.stop()

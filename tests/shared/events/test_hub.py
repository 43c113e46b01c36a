"""The per-process event hub against real Postgres: lossless, ordered, exactly once — including for a
stream that falls behind a (deliberately tiny) buffer and catches up from the database."""

from __future__ import annotations

import asyncio
import random
import secrets
from typing import Any

from support.live import commit_event

from api.sse import listener_dsn
from shared.config import Settings
from shared.events.hub import EventHub


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

"""The per-process read caches (API key → owner, GET /v1/trainings/{id}) never serve what a commit replaced:
not in the process that wrote, not in other API processes (trigger + NOTIFY), not while the listener is down."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import text, update
from support.factories import api_client, create_owner
from support.live import api_processes, create_training_row, eventually, set_status
from support.problems import assert_problem

from shared.auth.service import revoke_key
from shared.billing.policy import POLICY_TABLE
from shared.cache import writes
from shared.config import Settings
from shared.models import Owner, Training


async def _raw_update(app: Any, sql: str, **params: Any) -> None:
    """A change made outside every API process's sessions (as the worker, the CLI or psql would)."""
    async with app.state.engine.connect() as conn:
        await conn.execute(text(sql), params)
        await conn.commit()


async def test_training_get_is_served_from_the_cache_and_refreshed_by_any_commit(app: Any) -> None:
    owner_id, key = await create_owner(app)
    job = await create_training_row(app, owner_id, status="training")
    cache = app.state.training_cache
    async with api_client(app, key) as client:
        first = (await client.get(f"/v1/trainings/{job}")).json()
        assert first["status"] == "training" and first["progress"] == 0.0
        assert cache.get(job) is not None  # the next GET is answered from memory

        # Written by another connection: the trigger's notification drops the entry.
        await _raw_update(app, "UPDATE trainings SET progress = 0.5, stage = 'step 5/10' WHERE id = :id", id=job)

        async def refreshed() -> bool:
            body = (await client.get(f"/v1/trainings/{job}")).json()
            return bool(body["progress"] == 0.5 and body["stage"] == "step 5/10")

        await eventually(refreshed, timeout=5)

        # Written through this process's own sessions: cleared at commit, so the very next GET sees it.
        await set_status(app, job, "saving")
        assert (await client.get(f"/v1/trainings/{job}")).json()["status"] == "saving"


async def test_a_cached_training_is_still_404_for_another_owner(app: Any) -> None:
    owner_id, key = await create_owner(app)
    _, other_key = await create_owner(app)
    job = await create_training_row(app, owner_id)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        ok = await client.get(f"/v1/trainings/{job}", headers={"Authorization": f"Bearer {key}"})
        assert ok.status_code == 200
        assert app.state.training_cache.get(job) is not None
        denied = await client.get(f"/v1/trainings/{job}", headers={"Authorization": f"Bearer {other_key}"})
        assert_problem(denied, 404, "training_not_found")
        assert job in denied.json()["detail"]


async def test_cache_is_off_while_the_listener_is_down(app: Any) -> None:
    owner_id, key = await create_owner(app)
    job = await create_training_row(app, owner_id, status="training")
    hub = app.state.event_hub
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get(f"/v1/trainings/{job}", headers=headers)).status_code == 200
        await _raw_update(
            app,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'fotogen-events' AND datname = current_database()",
        )
        await eventually(lambda: not hub.listening.is_set(), timeout=5, interval=0.001)
        # Down: nothing is cached and nothing is served from the cache.
        assert not app.state.training_cache.enabled and len(app.state.training_cache) == 0
        await _raw_update(app, "UPDATE trainings SET progress = 0.25 WHERE id = :id", id=job)
        assert (await client.get(f"/v1/trainings/{job}", headers=headers)).json()["progress"] == 0.25
        # Back: caching resumes.
        await eventually(lambda: hub.listening.is_set(), timeout=10)
        assert (await client.get(f"/v1/trainings/{job}", headers=headers)).json()["progress"] == 0.25
        assert app.state.training_cache.get(job) is not None


@pytest.mark.slow
async def test_other_api_processes_see_revocations_and_training_changes_at_once(app: Any, settings: Settings) -> None:
    owner_id, key = await create_owner(app)
    job = await create_training_row(app, owner_id, status="training")
    headers = {"Authorization": f"Bearer {key}"}
    with api_processes(settings, 2) as urls:
        clients = [httpx.AsyncClient(base_url=url, headers=headers) for url in urls]
        try:
            for client in clients:  # warm both processes' caches
                for _ in range(3):
                    assert (await client.get(f"/v1/trainings/{job}")).json()["progress"] == 0.0

            await _raw_update(app, "UPDATE trainings SET progress = 0.75 WHERE id = :id", id=job)
            started = time.monotonic()
            for client in clients:

                async def updated(c: httpx.AsyncClient = client) -> bool:
                    return bool((await c.get(f"/v1/trainings/{job}")).json()["progress"] == 0.75)

                await eventually(updated, timeout=5, interval=0.005)
            assert time.monotonic() - started < 1.0

            async with app.state.sessionmaker() as session:
                assert await revoke_key(session, key[:10])
                await session.commit()
            for client in clients:

                async def refused(c: httpx.AsyncClient = client) -> bool:
                    return (await c.get(f"/v1/trainings/{job}")).status_code == 401

                await eventually(refused, timeout=5, interval=0.005)
            assert time.monotonic() - started < 2.0
            for client in clients:
                assert_problem(await client.get("/v1/models"), 401, "invalid_api_key")
        finally:
            await asyncio.gather(*(c.aclose() for c in clients))


async def test_a_commit_through_this_process_clears_the_caches_of_what_it_wrote_at_once(app: Any) -> None:
    """Read-your-writes on the replica that took the write, without waiting for any notification: a commit empties
    this process's caches of the tables it wrote (an ORM write names its table, textual SQL names them with
    ``writes()`` or counts as having written every table); other caches stay warm."""
    owner_id, key = await create_owner(app)
    job = await create_training_row(app, owner_id)
    cache = app.state.training_cache

    async def warm() -> None:
        async with api_client(app, key) as client:
            assert (await client.get(f"/v1/trainings/{job}")).status_code == 200
        assert cache.get(job) is not None

    await warm()
    async with app.state.sessionmaker() as session:  # another table, through the ORM: the training stays cached
        await session.execute(update(Owner).where(Owner.id == owner_id).values(name=Owner.name))
        await session.commit()
    assert cache.get(job) is not None
    async with app.state.sessionmaker() as session:  # textual SQL that says what it writes
        await session.execute(
            text("UPDATE owners SET name = name WHERE id = :id").execution_options(**writes("owners")), {"id": owner_id}
        )
        await session.commit()
    assert cache.get(job) is not None
    async with app.state.sessionmaker() as session:  # textual SQL that does not: every cache goes
        await session.execute(text("UPDATE owners SET name = name WHERE id = :id"), {"id": owner_id})
        await session.commit()
    assert cache.get(job) is None
    await warm()
    async with app.state.sessionmaker() as session:  # the training itself, through the ORM
        await session.execute(update(Training).where(Training.id == job).values(stage=Training.stage))
        await session.commit()
    assert cache.get(job) is None


async def test_the_policy_is_cached_per_process_and_dropped_by_any_commit(app: Any) -> None:
    """``load_policy`` answers from the process's cache, "no policy" included; a policy written by another
    connection (INSERT, then UPDATE: the statement trigger of migration 0010) is seen within a notification."""
    owner_id, key = await create_owner(app)
    cache = app.state.invalidations.cache(POLICY_TABLE)
    async with api_client(app, key) as client:
        assert (await client.get("/v1/policy")).json()["credits_required"] is False
        assert cache.get(owner_id) is not None  # the defaults, remembered

        document = '{"credits_required": true}'
        await _raw_update(
            app,
            "INSERT INTO billing_policies (owner_id, document, updated_at) VALUES (:o, CAST(:d AS jsonb), now())",
            o=owner_id,
            d=document,
        )

        async def required(value: bool) -> bool:
            return bool((await client.get("/v1/policy")).json()["credits_required"] is value)

        await eventually(lambda: required(True), timeout=5, interval=0.005)
        await _raw_update(app, "UPDATE billing_policies SET document = '{}'::jsonb WHERE owner_id = :o", o=owner_id)
        await eventually(lambda: required(False), timeout=5, interval=0.005)
        # written through this process (PUT): the very next read sees it
        put = await client.put("/v1/policy", json={"credits_required": True})
        assert put.status_code == 200, put.text
        assert (await client.get("/v1/policy")).json()["credits_required"] is True

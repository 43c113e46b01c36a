"""``GET /v1/events``: the owner's history, oldest first, paginated by event id; written with the change."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.factories import owner_of
from support.live import commit_event, create_training_row
from support.problems import assert_problem

from shared.events.service import write_event
from shared.models import Event


@pytest.fixture
async def owner_id(app: Any, api_key: str) -> str:
    return await owner_of(app, api_key)


async def test_lists_events_oldest_first_with_cursor_pagination(
    app: Any, authed: httpx.AsyncClient, owner_id: str
) -> None:
    job = await create_training_row(app, owner_id)
    ids = [await commit_event(app, owner_id, job, w) for w in ("queued", "started", "progress", "succeeded")]
    assert ids == sorted(ids)

    r = await authed.get("/v1/events", params={"limit": 3})
    assert r.status_code == 200, r.text
    page = r.json()
    assert [e["id"] for e in page["data"]] == ids[:3]
    assert page["has_more"] is True and page["next_cursor"] == str(ids[2])
    first = page["data"][0]
    assert first["type"] == "training.queued" and first["job_type"] == "training" and first["job_id"] == job
    assert first["data"]["job"]["id"] == job and first["created_at"].endswith("Z")

    rest = (await authed.get("/v1/events", params={"limit": 3, "after": page["next_cursor"]})).json()
    assert [e["id"] for e in rest["data"]] == ids[3:] and rest["has_more"] is False and rest["next_cursor"] is None
    # any event id works as a cursor (e.g. the last SSE `id:` seen)
    after_first = (await authed.get("/v1/events", params={"after": ids[0]})).json()
    assert [e["id"] for e in after_first["data"]] == ids[1:]


async def test_filters_by_job_and_is_owner_scoped(
    app: Any, authed: httpx.AsyncClient, other: httpx.AsyncClient, owner_id: str
) -> None:
    job_a, job_b = await create_training_row(app, owner_id), await create_training_row(app, owner_id)
    a = await commit_event(app, owner_id, job_a, "queued")
    b = await commit_event(app, owner_id, job_b, "queued")
    only_a = (await authed.get("/v1/events", params={"job_id": job_a})).json()["data"]
    assert [e["id"] for e in only_a] == [a]
    assert {e["id"] for e in (await authed.get("/v1/events")).json()["data"]} >= {a, b}
    # another owner sees none of it, even asking for the job by id
    assert (await other.get("/v1/events")).json()["data"] == []
    assert (await other.get("/v1/events", params={"job_id": job_a})).json()["data"] == []


async def test_event_rolls_back_with_its_transaction(app: Any, authed: httpx.AsyncClient, owner_id: str) -> None:
    job = await create_training_row(app, owner_id)
    async with app.state.sessionmaker() as session:
        await write_event(
            session, owner_id=owner_id, type="training.started", job_type="training", job_id=job, data={"job": {}}
        )
        await session.rollback()
    committed = await commit_event(app, owner_id, job, "started")
    data = (await authed.get("/v1/events", params={"job_id": job})).json()["data"]
    assert [e["id"] for e in data] == [committed]


async def test_ids_follow_commit_order_under_concurrency(app: Any, owner_id: str) -> None:
    """Many writers at once: ids must increase in commit order (the advisory lock), so a reader that saw
    id N can never later find a committed id below N."""
    import asyncio

    job = await create_training_row(app, owner_id)
    seen_max = 0
    violations: list[tuple[int, int]] = []

    async def writer() -> None:
        for _ in range(10):
            await commit_event(app, owner_id, job, "progress")

    async def reader() -> None:
        nonlocal seen_max
        from sqlalchemy import select

        for _ in range(60):
            async with app.state.sessionmaker() as session:
                ids = list(
                    (await session.scalars(select(Event.id).where(Event.job_id == job).order_by(Event.id))).all()
                )
            late = [i for i in ids if i <= seen_max and i not in known]
            violations.extend((i, seen_max) for i in late)
            known.update(ids)
            seen_max = max([seen_max, *ids])
            await asyncio.sleep(0.002)

    known: set[int] = set()
    await asyncio.gather(*(writer() for _ in range(5)), reader())
    assert violations == []


async def test_bad_cursor_and_auth(client: httpx.AsyncClient, authed: httpx.AsyncClient) -> None:
    assert_problem(await authed.get("/v1/events", params={"after": "not a cursor!"}), 400, "invalid_cursor")
    assert_problem(await authed.get("/v1/events", params={"limit": 0}), 422, "validation_error")
    assert_problem(await client.get("/v1/events"), 401, "missing_api_key")


async def test_stream_token_is_refused_on_the_json_list(app: Any, authed: httpx.AsyncClient) -> None:
    token = (await authed.post("/v1/stream-tokens", json={})).json()["token"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as anonymous:
        assert_problem(await anonymous.get("/v1/events", params={"token": token}), 401, "missing_api_key")
        r = await anonymous.get("/v1/events", headers={"Authorization": f"Bearer {token}"})
        assert_problem(r, 401, "invalid_api_key")

"""Cancel of a job nobody works on yet (no worker runs in tests/api): the API ends it at once through the
one job machine, with the kind's ``on_cancel`` values, as the worker's cancel would."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from support import hostile

from shared.models import Event


async def test_a_queued_mesh_is_canceled_at_once_with_its_items(app: Any, authed: httpx.AsyncClient) -> None:
    files = [("files", (p.name, p.read_bytes(), "image/jpeg")) for p in (hostile.ROCKET,)]
    files += [("files", (hostile.COFFEE.name, hostile.COFFEE.read_bytes(), "image/png"))]
    r = await authed.post("/v1/meshes", files=files)
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] == "queued" and {i["status"] for i in job["items"]} == {"queued"}
    canceled = await authed.post(f"/v1/meshes/{job['id']}/cancel")
    assert canceled.status_code == 202, canceled.text
    body = canceled.json()
    assert body["status"] == "canceled" and {i["status"] for i in body["items"]} == {"canceled"}, body
    again = (await authed.get(f"/v1/meshes/{job['id']}")).json()
    assert again["status"] == "canceled" and {i["status"] for i in again["items"]} == {"canceled"}
    async with app.state.sessionmaker() as session:
        events = (await session.scalars(select(Event).where(Event.job_id == job["id"]).order_by(Event.id))).all()
    assert [e.type for e in events] == ["mesh.queued", "mesh.canceled"]
    # the event shows the items canceled too (on_cancel ran before the job's move and its event)
    assert {i["status"] for i in events[-1].data["job"]["items"]} == {"canceled"}

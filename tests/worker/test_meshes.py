"""Image to 3D end to end: multipart upload → API → arq worker → Fal sandbox (Tripo) → storage → .glb."""

from __future__ import annotations

import asyncio
import json
import secrets
import struct
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from support import hostile
from support.factories import api_client, create_owner, wait_for
from support.multipart import CONTENT_TYPE, encode, field_part
from support.problems import assert_problem

pytestmark = pytest.mark.usefixtures("worker")

TRIPO = "tripo3d/tripo/v2.5/image-to-3d"
PHOTOS = [hostile.ASTRONAUT, hostile.CHELSEA, hostile.COFFEE, hostile.ROCKET, hostile.CAMERA]
ENDED = {"succeeded", "failed", "canceled"}


def photo_parts(paths: list[Path]) -> list[tuple[str, tuple[str, bytes, str]]]:
    types = {".png": "image/png", ".jpg": "image/jpeg"}
    return [("files", (p.name, p.read_bytes(), types[p.suffix])) for p in paths]


@pytest.fixture
async def api(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    _, key = await create_owner(app)
    async with api_client(app, key) as c:
        yield c


def parse_glb(data: bytes) -> tuple[dict[str, Any], int]:
    """Check a binary glTF 2.0 file by hand (header, JSON chunk, BIN chunk); return (document, triangles)."""
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    assert magic == b"glTF" and version == 2 and length == len(data)
    json_len, json_type = struct.unpack_from("<I4s", data, 12)
    assert json_type == b"JSON" and json_len % 4 == 0
    doc: dict[str, Any] = json.loads(data[20 : 20 + json_len])
    assert doc["asset"]["version"] == "2.0"
    bin_len, bin_type = struct.unpack_from("<I4s", data, 20 + json_len)
    assert bin_type == b"BIN\x00" and 28 + json_len + bin_len == len(data)
    assert doc["buffers"][0]["byteLength"] <= bin_len
    triangles = 0
    for mesh in doc["meshes"]:
        for prim in mesh["primitives"]:
            assert prim.get("mode", 4) == 4  # triangle list
            positions = doc["accessors"][prim["attributes"]["POSITION"]]
            assert positions["type"] == "VEC3" and positions["count"] > 0
            indices = doc["accessors"][prim["indices"]]
            assert indices["type"] == "SCALAR" and indices["count"] % 3 == 0
            view = doc["bufferViews"][indices["bufferView"]]
            assert view["byteOffset"] + view["byteLength"] <= bin_len
            triangles += indices["count"] // 3
    return doc, triangles


async def download(app: Any, api: httpx.AsyncClient, path: str) -> httpx.Response:
    """Follow the API's 302 to the signed URL (served by the same app: local storage)."""
    r = await api.get(path)
    assert r.status_code == 302, r.text
    location = r.headers["location"]
    assert location.startswith(app.state.settings.public_url + "/v1/files/")
    got = await api.get(location.removeprefix(app.state.settings.public_url), headers={"Authorization": ""})
    assert got.status_code == 200, got.text
    return got


async def test_batch_of_five_photos_makes_five_glb_meshes(app: Any, api: httpx.AsyncClient, sandbox: Any) -> None:
    sandbox.reset(mesh_seconds=0.2)
    face_limit = 2000
    r = await api.post(
        "/v1/meshes",
        files=photo_parts(PHOTOS),
        data={"face_limit": str(face_limit), "texture": "HD", "pbr": "true", "seed": "7"},
    )
    assert r.status_code == 202, r.text
    created = r.json()
    assert created["status"] == "queued" and created["rejected"] == [] and created["item_count"] == 5
    assert created["options"] == {"face_limit": face_limit, "texture": "HD", "pbr": True, "seed": 7}
    assert [i["filename"] for i in created["items"]] == [p.name for p in PHOTOS]
    assert {i["status"] for i in created["items"]} == {"queued"}

    done = await wait_for(api, f"/v1/meshes/{created['id']}", ENDED, timeout=60)
    assert done["status"] == "succeeded", done
    assert done["progress"] == 1.0 and done["error"] is None and done["finished_at"]
    assert len(done["items"]) == 5
    for item in done["items"]:
        assert item["status"] == "succeeded" and item["error"] is None, item
        kinds = {f["kind"]: f for f in item["files"]}
        assert set(kinds) == {"model_mesh", "base_model", "pbr_model", "rendered_image"}
        for kind in ("model_mesh", "pbr_model"):
            assert kinds[kind]["content_type"] == "model/gltf-binary"
            glb = (await download(app, api, f"/v1/meshes/{done['id']}/items/{item['id']}/files/{kind}")).content
            assert len(glb) == kinds[kind]["size_bytes"]
            doc, triangles = parse_glb(glb)
            assert 0 < triangles <= face_limit
            if kind == "model_mesh":
                assert "COLOR_0" in doc["meshes"][0]["primitives"][0]["attributes"]  # textured
        preview = await download(app, api, f"/v1/meshes/{done['id']}/items/{item['id']}/files/rendered_image")
        assert preview.content[:8] == b"\x89PNG\r\n\x1a\n"

    # one provider request per photo, each given its own stored input by signed URL, within the concurrency
    requests = sandbox.requests(TRIPO)["requests"]
    assert len(requests) == 5
    urls = sorted(req["input"]["image_url"] for req in requests)
    owner_prefix = f"/meshes/{done['id']}/inputs/"
    assert all(owner_prefix in u and "sig=" in u for u in urls)
    assert {req["input"]["face_limit"] for req in requests} == {face_limit}
    assert {req["input"]["seed"] for req in requests} == {7}
    spans = [(req["submitted_at"], req["completed_at"]) for req in requests]
    overlap = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)
    assert overlap <= app.state.settings.mesh_concurrency

    page = (await api.get(f"/v1/meshes/{done['id']}/events", params={"limit": 100})).json()
    events = page["data"]
    types = [e["type"] for e in events]
    assert types[0] == "mesh.queued" and types[1] == "mesh.started" and types[-1] == "mesh.succeeded"
    finished = [e["data"]["item"] for e in events if e["type"] == "mesh.progress"]
    assert sorted(i["index"] for i in finished if i["status"] == "succeeded") == [0, 1, 2, 3, 4]
    assert events[-1]["data"]["job"]["status"] == "succeeded"
    progress = [e["data"]["job"]["progress"] for e in events]
    assert progress == sorted(progress)
    # the stream of an ended job replays its history and closes after the terminal event
    stream = await api.get(f"/v1/meshes/{done['id']}/stream", headers={"Last-Event-ID": str(events[-3]["id"])})
    assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
    assert [line[4:] for line in stream.text.splitlines() if line.startswith("id: ")] == [
        str(e["id"]) for e in events[-2:]
    ]

    listed = (await api.get("/v1/meshes", params={"limit": 1})).json()
    assert listed["data"][0]["id"] == done["id"]


async def test_mixed_valid_and_hostile_files(app: Any, api: httpx.AsyncClient, tmp_path: Path, sandbox: Any) -> None:
    sandbox.reset(stuck=True)
    cases = [
        hostile.build_case(cid, tmp_path)
        for cid in ("truncated_jpeg", "text_as_jpg", "png_zip_polyglot", "png_bomb_header", "too_small", "gif")
    ]
    files = photo_parts([hostile.ROCKET, hostile.COFFEE])
    files += [("files", (c.filename, c.path.read_bytes(), c.content_type)) for c in cases]
    files += [("files", ("again.jpg", hostile.ROCKET.read_bytes(), "image/jpeg"))]
    files += [("files", ("rocket.txt", b"a caption", "text/plain"))]
    r = await api.post("/v1/meshes", files=files, data={"face_limit": "1000", "texture": "no"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert [i["filename"] for i in job["items"]] == ["rocket.jpg", "coffee.png"]
    rejected = {x["filename"]: x["code"] for x in job["rejected"]}
    expected = {c.filename: c.code for c in cases} | {
        "again.jpg": "duplicate_image",
        "rocket.txt": "unsupported_format",
    }
    assert rejected == expected
    assert all(x["detail"] for x in job["rejected"])
    canceled = await api.post(f"/v1/meshes/{job['id']}/cancel")
    assert canceled.status_code == 202, canceled.text
    done = await wait_for(api, f"/v1/meshes/{job['id']}", ENDED)
    assert done["status"] == "canceled" and {i["status"] for i in done["items"]} == {"canceled"}

    # nothing acceptable: 422 listing every file, nothing stored
    only_bad = [("files", (c.filename, c.path.read_bytes(), c.content_type)) for c in cases[:3]]
    body = assert_problem(await api.post("/v1/meshes", files=only_bad), 422, "no_images_accepted")
    assert [e["code"] for e in body["errors"]] == [c.code for c in cases[:3]]
    no_files = encode([field_part("face_limit", "5000")])
    r = await api.post("/v1/meshes", content=no_files, headers={"Content-Type": CONTENT_TYPE})
    assert_problem(r, 422, "no_files")
    bad = await api.post("/v1/meshes", files=photo_parts([hostile.ROCKET]), data={"face_limit": "10"})
    assert assert_problem(bad, 422, "validation_error")["errors"][0]["loc"] == ["body", "face_limit"]
    bad = await api.post("/v1/meshes", files=photo_parts([hostile.ROCKET]), data={"texture": "ultra"})
    assert assert_problem(bad, 422, "validation_error")["errors"][0]["loc"] == ["body", "texture"]
    assert_problem(await api.post("/v1/meshes", json={"files": []}), 415)
    sandbox.reset()


async def test_one_item_failing_leaves_the_others_succeeded(
    app: Any, api: httpx.AsyncClient, sandbox: Any, other: httpx.AsyncClient
) -> None:
    sandbox.reset(mesh_fail_url_contains="/inputs/1.")
    r = await api.post("/v1/meshes", files=photo_parts(PHOTOS[:3]), data={"face_limit": "1000"})
    assert r.status_code == 202, r.text
    done = await wait_for(api, f"/v1/meshes/{r.json()['id']}", ENDED, timeout=60)
    assert done["status"] == "succeeded", done
    statuses = [i["status"] for i in done["items"]]
    assert statuses == ["succeeded", "failed", "succeeded"], done["items"]
    failed = done["items"][1]
    assert failed["error"]["code"] == "provider_failed" and failed["error"]["message"] and failed["files"] == []
    assert_problem(
        await api.get(f"/v1/meshes/{done['id']}/items/{failed['id']}/files/model_mesh"), 404, "mesh_file_not_found"
    )
    assert_problem(await other.get(f"/v1/meshes/{done['id']}"), 404, "mesh_not_found")
    assert_problem(
        await other.get(f"/v1/meshes/{done['id']}/items/{done['items'][0]['id']}/files/model_mesh"),
        404,
        "mesh_not_found",
    )

    # every item failing fails the job, with the items' common error code
    sandbox.reset(mesh_fail_url_contains="/inputs/")
    r = await api.post("/v1/meshes", files=photo_parts(PHOTOS[3:4]), data={"face_limit": "1000"})
    done = await wait_for(api, f"/v1/meshes/{r.json()['id']}", ENDED, timeout=60)
    assert done["status"] == "failed" and done["error"]["code"] == "provider_failed", done
    assert_problem(await api.post(f"/v1/meshes/{done['id']}/cancel"), 409, "job_already_terminal")
    sandbox.reset()


async def test_cancel_stops_the_remaining_items(app: Any, api: httpx.AsyncClient, sandbox: Any) -> None:
    sandbox.reset(mesh_seconds=30)
    concurrency = app.state.settings.mesh_concurrency
    r = await api.post("/v1/meshes", files=photo_parts(PHOTOS), data={"face_limit": "1000"})
    job_id = r.json()["id"]
    deadline = time.monotonic() + 30
    while True:
        job = (await api.get(f"/v1/meshes/{job_id}")).json()
        if sum(i["status"] == "running" for i in job["items"]) == concurrency:
            break
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.05)
    assert [i["status"] for i in job["items"]].count("queued") == 5 - concurrency
    r = await api.post(f"/v1/meshes/{job_id}/cancel")
    assert r.status_code == 202, r.text
    done = await wait_for(api, f"/v1/meshes/{job_id}", ENDED)
    assert done["status"] == "canceled", done
    assert {i["status"] for i in done["items"]} == {"canceled"}
    requests = sandbox.requests(TRIPO)["requests"]
    assert len(requests) == concurrency  # nothing submitted after the cancel
    assert all(req["cancel_calls"] for req in requests)
    await asyncio.sleep(0.3)
    assert len(sandbox.requests(TRIPO)["requests"]) == concurrency
    events = (await api.get(f"/v1/meshes/{job_id}/events", params={"limit": 100})).json()["data"]
    assert events[-1]["type"] == "mesh.canceled"
    sandbox.reset()


@pytest.mark.slow
async def test_worker_killed_mid_batch_completes_after_restart(
    database_url: str, redis_url: str, data_dir: Path, run_id: str, sandbox: Any, live_api: str
) -> None:
    """SIGKILL the worker while four requests are in flight (their ids saved) and one item waits; after a
    restart the batch completes with exactly one provider request per item.

    Note: the session's in-process worker shares the database, so its reconciler may also take the orphaned
    job once the lease expires; both run the same code with the same concurrency, and either way no item
    may be submitted twice."""
    from support.env import make_settings
    from support.worker_process import WorkerProcess, worker_env

    from api.app import create_app
    from shared.models import MeshItem

    queue = f"fotogen:test:{run_id}:meshes-crash-{secrets.token_hex(3)}"
    settings = make_settings(
        database_url,
        redis_url,
        data_dir,
        run_id,
        queue_name=queue,
        public_url=live_api,
        fal_queue_url=sandbox.base_url,
        fal_ca_file=sandbox.ca_file,
    )
    application = create_app(settings)
    sandbox.reset(mesh_seconds=1.5)
    in_flight = settings.mesh_concurrency
    assert in_flight < len(PHOTOS)
    with WorkerProcess(worker_env(settings, queue_name=queue, public_url=live_api)) as proc:
        async with application.router.lifespan_context(application):
            _, key = await create_owner(application)
            async with api_client(application, key) as api:
                proc.start()
                proc.wait_alive(0.5)
                r = await api.post("/v1/meshes", files=photo_parts(PHOTOS), data={"face_limit": "1000"})
                assert r.status_code == 202, r.text
                job_id = r.json()["id"]

                async def running() -> list[MeshItem]:
                    async with application.state.sessionmaker() as session:
                        rows = await session.scalars(
                            select(MeshItem).where(MeshItem.mesh_job_id == job_id, MeshItem.status == "running")
                        )
                        return list(rows.all())

                deadline = time.monotonic() + 30
                while len(await running()) < in_flight or len(sandbox.requests(TRIPO)["requests"]) < in_flight:
                    assert time.monotonic() < deadline, proc.output()
                    await asyncio.sleep(0.02)
                proc.kill9()  # requests in flight with their ids saved, one item not yet submitted
                assert len(sandbox.requests(TRIPO)["requests"]) == in_flight
                proc.start()
                done = await wait_for(api, f"/v1/meshes/{job_id}", ENDED, timeout=60)
                assert done["status"] == "succeeded", (done, proc.output())
                assert [i["status"] for i in done["items"]] == ["succeeded"] * 5

    requests = sandbox.requests(TRIPO)["requests"]
    inputs = sorted(req["input"]["image_url"].split("/inputs/", 1)[1].split(".", 1)[0] for req in requests)
    assert inputs == ["0", "1", "2", "3", "4"], "exactly one provider request per item"
    sandbox.reset()

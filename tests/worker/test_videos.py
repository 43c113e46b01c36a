"""Videos through the real worker and sandbox (a real MP4 decoded with PyAV), and single uploads' expiry."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from PIL import Image as PILImage
from sqlalchemy import update
from support.factories import wait_for
from support.media import fetch, gradient, png, upload
from support.problems import assert_problem

from shared.db import utcnow
from shared.models import Upload
from shared.uploads.single import sweep_expired_uploads

pytestmark = pytest.mark.usefixtures("worker")
TERMINAL = {"succeeded", "failed", "canceled"}


async def test_video_from_a_generation_image_is_a_decodable_mp4_with_a_poster(
    api: httpx.AsyncClient, other: httpx.AsyncClient, sandbox: Any, tmp_path: Path, live_api: str
) -> None:
    sandbox.reset(generation_seconds=0.05, video_seconds=0.1)
    r = await api.post("/v1/generations", json={"model_id": "mdl_flux_1_dev", "prompt": "a harbour", "seed": 2})
    gen = await wait_for(api, f"/v1/generations/{r.json()['id']}", TERMINAL)
    assert gen["status"] == "succeeded", gen
    image_ref = {"generation_image_id": gen["images"][0]["id"]}
    body = {"image": image_ref, "fps": 12, "motion_bucket_id": 60, "seed": 9, "metadata": {"post_id": "p1"}}
    r = await api.post("/v1/videos", json=body)
    assert r.status_code == 202, r.text
    queued = r.json()
    assert queued["model_id"] == "mdl_stable_video_diffusion" and queued["video"] is None
    assert queued["params"] == {"motion_bucket_id": 60, "cond_aug": 0.02, "fps": 12, "seed": 9}
    done = await wait_for(api, f"/v1/videos/{queued['id']}", TERMINAL, timeout=60)
    assert done["status"] == "succeeded", done
    video = done["video"]
    assert video["content_type"] == "video/mp4" and (video["width"], video["height"]) == (1024, 576)

    path = tmp_path / "v.mp4"
    path.write_bytes(await fetch(video["url"]))
    assert path.stat().st_size == video["size_bytes"]
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert float(stream.average_rate) == 12
        frames = sum(1 for _ in container.decode(stream))
    assert frames == video["frames"] == 25 and video["duration_s"] == pytest.approx(25 / 12, abs=1e-3)
    poster = PILImage.open(io.BytesIO(await fetch(video["poster_url"])))
    assert poster.format == "WEBP" and poster.size == (1024, 576)

    events = (await api.get(f"/v1/videos/{done['id']}/events")).json()["data"]
    assert [e["type"] for e in events] == ["video.queued", "video.started", "video.succeeded"]
    assert events[-1]["data"]["job"]["video"]["frames"] == 25
    listed = (await api.get("/v1/videos", params={"metadata[post_id]": "p1"})).json()["data"]
    assert [v["id"] for v in listed] == [done["id"]]
    assert_problem(await api.post(f"/v1/videos/{done['id']}/cancel"), 409, "job_already_terminal")

    assert_problem(await other.get(f"/v1/videos/{done['id']}"), 404, "video_not_found")
    assert_problem(await other.post("/v1/videos", json={"image": image_ref}), 404, "generation_image_not_found")
    r = await api.post("/v1/videos", json={"image": image_ref, "model_id": "mdl_flux_1_dev"})
    assert_problem(r, 422, "model_not_video")
    assert_problem(await api.post("/v1/videos", json={"image": image_ref, "fps": 5}), 422, "validation_error")


async def test_cancel_a_queued_video(api: httpx.AsyncClient, sandbox: Any) -> None:
    sandbox.reset(stuck=True)
    try:
        up = await upload(api, png(gradient(320, 320)))
        r = await api.post("/v1/videos", json={"image": {"upload_id": up["id"]}})
        assert r.status_code == 202, r.text
        await api.post(f"/v1/videos/{r.json()['id']}/cancel")
        done = await wait_for(api, f"/v1/videos/{r.json()['id']}", TERMINAL)
        assert done["status"] == "canceled"
    finally:
        sandbox.reset()


async def test_single_upload_is_validated_and_expires_unless_used(app: Any, api: httpx.AsyncClient) -> None:
    up = await upload(api, png(gradient(400, 300)))
    assert up["id"].startswith("upl_") and (up["width"], up["height"]) == (400, 300)
    assert up["content_type"] == "image/png" and len(up["sha256"]) == 64 and up["expires_at"]

    r = await api.post("/v1/uploads", files={"file": ("x.png", b"not an image", "image/png")})
    problem = assert_problem(r, 422, "no_images_accepted")
    assert problem["errors"][0]["code"] == "unsupported_format"
    r = await api.post("/v1/uploads", files={"file": ("tiny.png", png(PILImage.new("RGB", (32, 32))), "image/png")})
    assert_problem(r, 422, "no_images_accepted")
    two = [("file", ("a.png", png(gradient(300, 300)), "image/png"))] * 2
    assert_problem(await api.post("/v1/uploads", files=two), 422, "one_file_expected")

    async with app.state.sessionmaker() as session:
        await session.execute(
            update(Upload).where(Upload.id == up["id"]).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    async with app.state.sessionmaker() as session:
        key = (await session.get(Upload, up["id"])).storage_key  # type: ignore[union-attr]
    assert await sweep_expired_uploads(app.state.sessionmaker, app.state.storage) >= 1
    assert_problem(await api.get(f"/v1/uploads/{up['id']}"), 404, "upload_not_found")
    assert await app.state.storage.stat(key) is None
    # an upload a job used no longer expires: the sweep keeps it
    kept = await upload(api, png(gradient(264, 264)))
    video = (await api.post("/v1/videos", json={"image": {"upload_id": kept["id"]}})).json()
    await sweep_expired_uploads(app.state.sessionmaker, app.state.storage)
    assert (await api.get(f"/v1/uploads/{kept['id']}")).json()["expires_at"] is None
    await api.post(f"/v1/videos/{video['id']}/cancel")  # leave no job running behind the test
    await wait_for(api, f"/v1/videos/{video['id']}", TERMINAL)

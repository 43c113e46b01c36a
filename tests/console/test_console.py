"""The console in headless Chromium against the live stack: what a person does, click by click.

Every wait is on DOM state (Playwright's auto-waiting locators), never a fixed sleep. Screenshots of every
page land in ``.data/test-artifacts/console/``; any browser console error fails the test (fixture).
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image as PILImage
from playwright.async_api import expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from support.factories import photo_jpeg
from support.live import serve

pytestmark = pytest.mark.usefixtures("worker")


async def test_photos_to_trained_model_to_generated_images(
    console: Any, console_key: str, sandbox: Any, live_api: str
) -> None:
    sandbox.reset(queue_delay=0.05, training_seconds=1.0, generation_seconds=0.1)
    page = console.page
    await console.sign_in(console_key)

    # -- a dataset, 6 photos (one a copy of another) and one file that is no image ---------------------
    await console.go("datasets")
    await page.get_by_label("Name", exact=True).fill("Zoe")
    await page.get_by_label("Trigger word").fill("ZOE")
    await page.get_by_role("button", name="Create dataset").click()
    await expect(page.get_by_role("heading", level=1, name="Zoe")).to_be_visible()
    dataset_id = page.url.rsplit("/", 1)[-1]
    assert dataset_id.startswith("ds_")

    photos = [(f"zoe{i}.jpg", "image/jpeg", photo_jpeg(i, side=384)) for i in range(5)]
    photos.append(("zoe-again.jpg", "image/jpeg", photos[0][2]))  # same bytes: refused as a duplicate
    bad = ("notes.jpg", "image/jpeg", b"these are my notes, not a photo\n" * 20)
    # Each refused file is its own request answered 422, which Chromium reports on the console: expected twice.
    console.expected += [r"status of 422 .*/images\)"] * 2
    await drop_files(page, '[data-role="dropzone"]', [*photos, bad])

    uploads = page.locator(".uploads li")
    await expect(uploads).to_have_count(7)
    await expect(page.locator('.uploads li[data-outcome="pending"]')).to_have_count(0)
    await expect(page.locator('.uploads li[data-outcome="accepted"]')).to_have_count(5)
    bad_row = page.locator('.uploads li[data-filename="notes.jpg"]')
    await expect(bad_row).to_have_attribute("data-outcome", "rejected")
    bad_reason = (await bad_row.locator(".outcome").inner_text()).removeprefix("rejected: ")
    assert len(bad_reason) > 10, bad_reason
    duplicate = page.locator('.uploads li[data-outcome="rejected"]').filter(has_text="zoe")
    await expect(duplicate).to_have_count(1)
    await expect(duplicate.locator(".outcome")).to_contain_text("already")
    thumbs = page.locator(".thumbs li img")
    await expect(thumbs).to_have_count(5)
    await _expect_images_loaded(page, ".thumbs li img")

    caption = page.get_by_label("Caption for zoe1.jpg")
    await caption.fill("a photo of ZOE in a garden")
    await caption.press("Tab")
    await expect(page.locator("#announcer")).to_have_text("Caption of zoe1.jpg saved.")
    await console.shot("datasets")

    async with httpx.AsyncClient(base_url=live_api, headers={"Authorization": f"Bearer {console_key}"}) as api:
        images = (await api.get(f"/v1/datasets/{dataset_id}/images")).json()["data"]
    assert {i["filename"]: i["caption"] for i in images}["zoe1.jpg"] == "a photo of ZOE in a garden"

    # -- train from the dropdowns, watch the bar reach 100 % over SSE -----------------------------------
    await console.go("train")
    await page.get_by_label("Dataset").select_option(dataset_id)
    await expect(page.get_by_label("Base model").locator("option")).not_to_have_count(0)
    await expect(page.get_by_label("Trainer").locator("option[value=fast]")).to_have_count(1)
    await page.get_by_label("Trainer").select_option("fast")
    await page.get_by_label("Steps").fill("200")
    await page.get_by_role("button", name="Start training").click()

    panel = page.locator("section[data-training-id]")
    await expect(panel).to_have_attribute("data-status", "succeeded", timeout=45_000)
    await expect(panel.locator('[data-role="percent"]')).to_have_text("100 %")
    assert await panel.locator("progress").evaluate("p => p.value") == 1
    assert int(await panel.get_attribute("data-last-event-id") or 0) > 0  # the bar moved on streamed events
    await expect(panel.locator("ol.log li").first).to_be_visible()
    await console.shot("train")

    # -- the new model is in the generate dropdown; 2 images; thumbnails; full-size download ---------
    await panel.get_by_role("link", name="generate with it").click()
    await page.locator('section.page[data-page="generate"][data-ready="true"]').wait_for()
    model_select = page.get_by_label("Model")
    model_id = await model_select.input_value()
    assert model_id.startswith("mdl_") and model_id != "mdl_flux_1_dev"
    assert await model_select.locator("optgroup[label='Your models'] option").count() == 1
    await page.get_by_label("Prompt").fill("in a garden")
    await page.get_by_label("Size", exact=True).select_option("square")
    await page.get_by_label("Number of images").fill("2")
    await page.get_by_label("Seed").fill("42")
    await page.get_by_role("button", name="Generate", exact=True).click()
    await expect(page.locator('[data-role="generation-status"]')).to_have_attribute("data-status", "succeeded")
    await expect(page.locator(".gallery li")).to_have_count(2)
    await _expect_images_loaded(page, ".gallery li img")

    await page.locator(".gallery li button.thumb").first.click()
    viewer = page.locator("dialog.viewer")
    await expect(viewer).to_be_visible()
    await _expect_images_loaded(page, "dialog.viewer img")
    await console.shot("generate")
    async with page.expect_download() as download_info:
        await viewer.get_by_role("link", name="Download").click()
    download = await download_info.value
    saved = Path(await download.path())
    with PILImage.open(io.BytesIO(saved.read_bytes())) as full:
        assert full.size == (512, 512) and full.format == "JPEG"
    assert download.suggested_filename.endswith(".jpg")
    await viewer.get_by_role("button", name="Close").click()

    # -- the other pages render (every page at phone width: test_console_phone.py) --------------------
    await console.go("models")
    await expect(page.locator(f'tr[data-model-id="{model_id}"]')).to_be_visible()
    await expect(page.locator(f'tr[data-model-id="{model_id}"] a', has_text="Download")).to_be_visible()
    await page.get_by_label("Name of Zoe LoRA").fill("Zoe, garden edition")
    await page.get_by_role("button", name="Rename").click()
    await expect(page.locator("#announcer")).to_have_text("Model renamed to Zoe, garden edition.")
    await page.get_by_label("Category").select_option("3d")
    await expect(page.locator(f'tr[data-model-id="{model_id}"]')).to_have_count(0)
    await console.shot("models")
    await console.go("events")
    await expect(page.locator("tbody tr[data-event-id]").first).to_be_visible()
    await console.shot("events")
    await console.go("webhooks")
    await page.get_by_label("URL").fill("http://127.0.0.1:9/hooks")
    await page.get_by_role("button", name="Add endpoint").click()
    await expect(page.locator('[data-role="secret"]')).to_contain_text("whsec_")
    await page.get_by_role("link", name="Deliveries").first.click()
    await expect(page.get_by_role("heading", name="Deliveries")).to_be_visible()
    await console.shot("webhooks")


async def test_3d_batch_to_glb_download(console: Any, console_key: str, sandbox: Any) -> None:
    sandbox.reset(queue_delay=0.05, mesh_seconds=0.2)
    page = console.page
    await console.sign_in(console_key)
    await console.go("meshes")
    photos = [(f"statue{i}.jpg", "image/jpeg", photo_jpeg(i, side=320)) for i in range(3)]
    await drop_files(page, '[data-role="dropzone"]', photos)
    await expect(page.locator('[data-role="picked"]')).to_contain_text("3 photo(s) chosen")
    await page.get_by_label("Face limit").fill("20000")
    await page.get_by_role("button", name="Make meshes").click()

    job = page.locator("section[data-mesh-id]")
    await expect(job).to_have_attribute("data-status", "succeeded", timeout=30_000)
    await expect(job.locator('tr[data-status="succeeded"]')).to_have_count(3)
    link = job.locator('tr:has-text("statue1.jpg") a[data-kind="model_mesh"]')
    await expect(link).to_contain_text("statue1.glb")
    await console.shot("meshes")
    async with page.expect_download() as download_info:
        await link.click()
    download = await download_info.value
    assert download.suggested_filename == "statue1.glb"
    data = Path(await download.path()).read_bytes()
    assert data[:4] == b"glTF"  # a binary glTF container


async def test_errors_show_the_problem_detail_and_a_bad_key_is_refused(console: Any, console_key: str) -> None:
    page = console.page
    console.expected += [r"status of 401", r"status of 422"]
    await console.open()
    await page.get_by_label("API key").fill("fg_not_a_real_key")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    assert await page.evaluate("sessionStorage.length") == 0

    await console.sign_in(console_key)
    await console.go("webhooks")
    await page.get_by_label("URL").fill("ftp://example.com/hook")
    await page.get_by_role("button", name="Add endpoint").click()
    alert = page.get_by_role("alert")
    await expect(alert).to_be_visible()
    assert (await alert.inner_text()).strip() != ""
    await console.shot("error")


async def test_stream_resumes_after_a_drop_and_renews_an_expired_token(console: Any, console_key: str) -> None:
    """The Events page's EventSource: a dropped stream reconnects by itself with ``Last-Event-ID``; when the
    server refuses that reconnect (its stream token expired: 401), the page mints a new token and resumes
    with ``?last_event_id=``."""
    page = console.page
    console.expected += [r"status of 401"]
    event = {
        "id": 987654,
        "type": "training.log",
        "job_id": "trn_fake",
        "job_type": "training",
        "created_at": "2026-01-01T00:00:00Z",
        "data": {"message": "before the drop"},
    }
    requests: list[Any] = []
    refused: list[Request] = []

    async def expired(request: Request) -> Response:  # the API's answer to a token past its time, recorded
        refused.append(request)
        problem = {"status": 401, "code": "invalid_stream_token", "detail": "The stream token expired."}
        return JSONResponse(problem, status_code=401, media_type="application/problem+json")

    async def stream(route: Any) -> None:
        requests.append(route.request)
        if len(requests) == 1:  # one event, then the connection ends
            body = f"retry: 50\nid: {event['id']}\nevent: {event['type']}\ndata: {json.dumps(event)}\n\n"
            await route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=body)
        elif len(requests) == 2:  # the browser's own retry (Playwright does not show its Last-Event-ID header)
            await route.continue_(url=f"{recorder}/v1/events/stream")
        else:
            await route.continue_()

    with serve(Starlette(routes=[Route("/v1/events/stream", expired)])) as recorder:
        await page.route("**/v1/events/stream?*", stream)
        await console.sign_in(console_key)
        await console.go("events")
        await expect(page.get_by_text("Connected.")).to_be_visible()
    await expect(page.locator('tr[data-event-id="987654"]')).to_have_count(1)  # once: nothing replayed twice
    assert len(requests) == 3, [r.url for r in requests]
    assert [r.headers.get("last-event-id") for r in refused] == ["987654"]  # the browser's retry, as sent
    first, renewed = (parse_qs(urlsplit(r.url).query) for r in (requests[0], requests[2]))
    assert renewed["last_event_id"] == ["987654"] and renewed["token"] != first["token"]  # ours: a new token
    assert all(console_key not in r.url for r in requests)


async def drop_files(page: Any, target: str, files: list[tuple[str, str, bytes]]) -> None:
    """Drop files on an element the way a drag from the desktop does (a DataTransfer with File objects)."""
    transfer = await page.evaluate_handle(
        """(files) => {
            const dt = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
                dt.items.add(new File([bytes], f.name, { type: f.type }));
            }
            return dt;
        }""",
        [{"name": n, "type": t, "b64": base64.b64encode(d).decode()} for n, t, d in files],
    )
    await page.locator(target).dispatch_event("drop", {"dataTransfer": transfer})


async def _expect_images_loaded(page: Any, selector: str) -> None:
    await page.wait_for_function(
        "(sel) => { const imgs = [...document.querySelectorAll(sel)];"
        " return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0); }",
        arg=selector,
    )

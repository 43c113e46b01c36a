"""Seed 001 in the browser: a character from its profile to a scene, and a video from a generated image.

Against the live stack (uvicorn, the session's worker, the sandbox); every wait is on DOM state.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import expect
from support.factories import photo_jpeg, wait_for

pytestmark = pytest.mark.usefixtures("worker")


async def test_character_from_profile_to_a_scene(console: Any, console_key: str, sandbox: Any) -> None:
    sandbox.reset(queue_delay=0.05, training_seconds=0.3, generation_seconds=0.05, video_seconds=0.1)
    page = console.page
    scopes: list[Any] = []  # the stream tokens the page asks for
    page.on(
        "request",
        lambda r: (
            scopes.append(r.post_data_json) if r.method == "POST" and r.url.endswith("/v1/stream-tokens") else None
        ),
    )
    await console.sign_in(console_key)
    await console.go("characters")
    await page.get_by_label("Name", exact=True).fill("Mira")
    await page.get_by_label("Description").fill("a young elf mage with silver hair and green eyes")
    await page.get_by_label("Art style").fill("digital painting")
    await page.get_by_label("Style modifiers").fill("dramatic lighting, soft focus")
    await page.get_by_role("button", name="Create character").click()
    await expect(page.get_by_role("heading", level=1, name="Mira")).to_be_visible()
    status = page.locator('[data-role="character-status"]')
    await expect(status).to_have_attribute("data-status", "draft")

    # -- candidates, then "try again": a second batch joins the first -----------------------------------
    candidates = page.get_by_role("list", name="Reference candidates").locator("li")
    await page.get_by_label("Candidates per batch").fill("2")
    await page.get_by_role("button", name="Generate references").click()
    await expect(candidates).to_have_count(2)
    await page.get_by_role("button", name="Try again").click()
    await expect(candidates).to_have_count(4)
    await console.images_loaded('[aria-label="Reference candidates"] img')
    first_batch = await candidates.nth(3).get_attribute("data-generation-id")
    second_batch = await candidates.nth(0).get_attribute("data-generation-id")
    assert first_batch != second_batch  # the newest batch is shown first

    await candidates.nth(1).get_by_role("button").click()
    await expect(status).to_have_attribute("data-status", "referenced")
    # the character's stream, on a token scoped to the character, carried the pick (before any training)
    await expect(page.locator('ol.log li[data-event="character.referenced"]')).to_have_count(1)
    character_id = page.url.rsplit("/", 1)[-1]
    assert {"character_id": character_id, "ttl_seconds": 300} in scopes, scopes
    await expect(page.locator("figure.reference img")).to_be_visible()
    await console.images_loaded("figure.reference img")
    await console.shot("characters")

    # -- train: variations, then a LoRA; the status arrives over the character's stream --------------
    await page.get_by_role("button", name="Train").click()
    await expect(status).to_have_attribute("data-status", "trained", timeout=45_000)
    await expect(page.locator('ol.log li[data-event="character.trained"]')).to_have_count(1)
    assert await page.get_by_label("Training progress").evaluate("p => p.value") == 1

    # -- a scene with the trained LoRA ------------------------------------------------------------------
    await page.get_by_label("Scene", exact=True).fill("casting a fire spell in a dark dungeon")
    await page.get_by_role("button", name="Make scene").click()
    scenes = page.get_by_role("list", name="Scenes").locator("li")
    await expect(scenes).to_have_count(1)
    await console.images_loaded('[aria-label="Scenes"] img')
    await console.shot("character-trained")

    # a reload shows the same scene (from the API, not page state), and the list shows the character trained
    await page.reload()
    await page.locator('section.page[data-page="characters"][data-ready="true"]').wait_for()
    await expect(scenes).to_have_count(1)
    await console.go("characters")
    await expect(page.locator('li[data-status="trained"]', has_text="Mira")).to_have_count(1)
    await page.set_viewport_size({"width": 390, "height": 844})
    await console.no_sideways_scroll("characters")
    await console.shot("characters-phone")


async def test_video_from_a_generated_image(console: Any, console_key: str, sandbox: Any, live_api: str) -> None:
    sandbox.reset(queue_delay=0.05, generation_seconds=0.05, video_seconds=0.1)
    async with httpx.AsyncClient(base_url=live_api, headers={"Authorization": f"Bearer {console_key}"}) as api:
        r = await api.post("/v1/generations", json={"model_id": "mdl_flux_1_dev", "prompt": "a lighthouse at dusk"})
        assert r.status_code == 202, r.text
        generation = await wait_for(api, f"/v1/generations/{r.json()['id']}", {"succeeded", "failed"})
    assert generation["status"] == "succeeded", generation
    image_id = generation["images"][0]["id"]

    page = console.page
    await console.sign_in(console_key)
    await console.go("videos")
    picker = page.locator('fieldset[data-picker="video-image"]')
    await picker.locator(".picker-choices label").first.click()  # the thumbnail is the radio's label
    await expect(picker).to_have_attribute("data-ref", image_id)
    await page.get_by_label("Motion").fill("90")
    await page.get_by_role("button", name="Create video").click()
    card = page.locator("article[data-video-id]").first
    await expect(card).to_have_attribute("data-status", "succeeded", timeout=30_000)
    video = card.locator("video")
    assert (await video.get_attribute("src") or "").startswith("http")
    poster = await video.get_attribute("poster")
    assert poster
    loaded = await page.evaluate(
        "(src) => new Promise((ok) => { const i = new Image(); i.onload = () => ok(i.naturalWidth);"
        " i.onerror = () => ok(0); i.src = src; })",
        poster,
    )
    assert loaded > 0, "the poster does not load"
    await expect(card.locator('a[data-role="download"]')).to_have_attribute("download", re.compile(r"\.mp4$"))
    await console.shot("videos")
    await page.set_viewport_size({"width": 390, "height": 844})
    await console.no_sideways_scroll("videos")
    await console.shot("videos-phone")


async def test_image_to_image_from_an_upload_then_add_to_a_dataset(
    console: Any, console_key: str, sandbox: Any, live_api: str
) -> None:
    sandbox.reset(queue_delay=0.05, generation_seconds=0.05)
    async with httpx.AsyncClient(base_url=live_api, headers={"Authorization": f"Bearer {console_key}"}) as api:
        r = await api.post("/v1/datasets", json={"name": "Keepers"})
        assert r.status_code == 201, r.text
        dataset_id = r.json()["id"]
    page = console.page
    await console.sign_in(console_key)
    await console.go("generate")
    await page.get_by_label("Model").select_option("mdl_flux_1_dev")
    await page.get_by_label("Mode", exact=True).select_option("image_to_image")
    init = page.locator('fieldset[data-picker="gen-image"]')
    await expect(page.locator('fieldset[data-picker="gen-mask"]')).to_be_hidden()
    await init.get_by_label("Source").select_option("upload")
    await init.get_by_label("Init image: file").set_input_files(
        {"name": "sketch.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg(7, side=512)}
    )
    await expect(init).to_have_attribute("data-ref", re.compile(r"^upl_"))
    await console.images_loaded('fieldset[data-picker="gen-image"] img.preview')
    await page.get_by_label("Prompt").fill("the same scene as a watercolour")
    await page.get_by_role("button", name="Generate", exact=True).click()
    await expect(page.locator('[data-role="generation-status"]')).to_have_attribute(
        "data-status", "succeeded", timeout=30_000
    )
    item = page.locator(".gallery li").first
    await console.images_loaded(".gallery li img")
    generation_id = await item.get_attribute("data-generation-id")
    await console.shot("generate-image-to-image")

    # add it to a dataset, then again: the second is refused as a duplicate and the reason is shown
    console.expected += [r"status of 422 .*from-generation"]
    await item.get_by_role("button", name="Add to dataset").click()
    outcome = item.locator('[data-role="add-outcome"]')
    await expect(outcome).to_have_text("Added to Keepers.")
    await item.get_by_role("button", name="Add to dataset").click()
    await expect(outcome).to_have_attribute("data-outcome", "rejected")
    await expect(outcome).to_contain_text("Not added")
    async with httpx.AsyncClient(base_url=live_api, headers={"Authorization": f"Bearer {console_key}"}) as api:
        images = (await api.get(f"/v1/datasets/{dataset_id}/images")).json()["data"]
        generation = (await api.get(f"/v1/generations/{generation_id}")).json()
    assert len(images) == 1
    assert generation["params"]["mode"] == "image_to_image" and generation["params"]["image"]["upload_id"]

    await page.get_by_label("Mode", exact=True).select_option("inpainting")
    await expect(page.locator('fieldset[data-picker="gen-mask"]')).to_be_visible()
    await page.set_viewport_size({"width": 390, "height": 844})
    await console.no_sideways_scroll("generate")
    await console.shot("generate-inpainting-phone")

"""Seed 001 in the browser: a character from its profile to a scene, and a video from a generated image.

Against the live stack (uvicorn, the session's worker, the sandbox); every wait is on DOM state.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

pytestmark = pytest.mark.usefixtures("worker")


async def test_character_from_profile_to_a_scene(console: Any, console_key: str, sandbox: Any) -> None:
    sandbox.reset(training_seconds=0.3, generation_seconds=0.05)
    page = console.page
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
    await page.get_by_role("button", name="Generate references").click()
    await expect(candidates).to_have_count(4)
    await page.get_by_role("button", name="Try again").click()
    await expect(candidates).to_have_count(8)
    await console.images_loaded('[aria-label="Reference candidates"] img')
    first_batch = await candidates.nth(7).get_attribute("data-generation-id")
    second_batch = await candidates.nth(0).get_attribute("data-generation-id")
    assert first_batch != second_batch  # the newest batch is shown first

    await candidates.nth(1).get_by_role("button").click()
    await expect(status).to_have_attribute("data-status", "referenced")
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

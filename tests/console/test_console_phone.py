"""Every console page at phone width (390 px), with content in it: no sideways scrolling, and every form
control, button and link has an accessible name (Chromium's own accessibility tree, read through
Playwright's ARIA snapshot: an unnamed control shows as a bare role). One full-page screenshot per view.

The content is made through the public API first (a dataset with photos, a training, a generation charged
to an end user, a mesh batch, a character, a webhook endpoint), so tables, galleries and long ids are on
the pages when they are measured.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect
from support.factories import photo_jpeg, wait_for

pytestmark = pytest.mark.usefixtures("worker")

PHONE = {"width": 390, "height": 844}
#: every page of the navigation (handbook section 12, plus Events), in the navigation's order
PAGES = ["datasets", "train", "models", "generate", "characters", "videos", "meshes", "usage", "webhooks", "events"]
#: roles that must carry a name: what a screen reader announces when focus lands on the element
NAMED_ROLES = "button|checkbox|combobox|link|listbox|radio|searchbox|slider|spinbutton|switch|textbox|progressbar|img"
UNNAMED = re.compile(rf"^\s*- (?:{NAMED_ROLES})(?:\s*\[[^\]]*\])*\s*(?::.*)?$")
END_USER = "eu_phone-user-with-a-rather-long-identifier-0123456789"


async def unnamed_controls(page: Page) -> list[str]:
    """The lines of the page's ARIA snapshot that are a control (or image) with no accessible name."""
    snapshot = await page.locator("body").aria_snapshot()
    return [line.strip() for line in snapshot.splitlines() if UNNAMED.match(line)]


async def sideways_overflow(page: Page) -> int:
    width: int = await page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    return width


async def test_every_page_fits_a_phone_and_names_every_control(
    console: Any, console_key: str, sandbox: Any, live_api: str
) -> None:
    sandbox.reset(queue_delay=0.05, training_seconds=0.3, generation_seconds=0.05, mesh_seconds=0.1)
    headers = {"Authorization": f"Bearer {console_key}"}
    async with httpx.AsyncClient(base_url=live_api, headers=headers, timeout=30) as api:
        r = await api.post(
            "/v1/datasets", json={"name": "Holiday portraits of the whole family, summer", "trigger_word": "FAM"}
        )
        assert r.status_code == 201, r.text
        dataset_id = r.json()["id"]
        photos = [("files", (f"portrait-number-{i}-long-file-name.jpg", photo_jpeg(i), "image/jpeg")) for i in range(4)]
        r = await api.post(f"/v1/datasets/{dataset_id}/images", files=photos)
        assert r.status_code in (200, 201), r.text
        r = await api.post("/v1/trainings", json={"dataset_id": dataset_id, "trainer": "fast"})
        assert r.status_code == 202, r.text
        training_id = r.json()["id"]
        r = await api.post(
            f"/v1/end-users/{END_USER}/credits", json={"amount": 40}, headers={"Idempotency-Key": "phone-grant"}
        )
        assert r.status_code == 201, r.text
        r = await api.post(
            "/v1/generations",
            json={
                "model_id": "mdl_flux_1_dev",
                "prompt": "a lighthouse at dusk",
                "num_images": 2,
                "end_user": END_USER,
            },
        )
        assert r.status_code == 202, r.text
        generation_id = r.json()["id"]
        r = await api.post("/v1/meshes", files=photos[:2], data={"face_limit": "2000"})
        assert r.status_code == 202, r.text
        mesh_id = r.json()["id"]
        r = await api.post(
            "/v1/characters", json={"name": "Mira", "description": "a young elf mage with silver hair and green eyes"}
        )
        assert r.status_code == 201, r.text
        character_id = r.json()["id"]
        r = await api.post("/v1/webhook-endpoints", json={"url": "https://example.com/hooks/fotogen", "events": ["*"]})
        assert r.status_code == 201, r.text
        endpoint_id = r.json()["id"]
        for path in (f"/v1/trainings/{training_id}", f"/v1/generations/{generation_id}", f"/v1/meshes/{mesh_id}"):
            done = await wait_for(api, path, {"succeeded", "failed", "canceled"}, timeout=60)
            assert done["status"] == "succeeded", done

    page = console.page
    await page.set_viewport_size(PHONE)
    await console.open()
    await expect(page.get_by_label("API key")).to_be_visible()
    views: list[tuple[str, str]] = [("sign-in", "")]
    findings = {"sign-in": (await sideways_overflow(page), await unnamed_controls(page))}
    await console.shot("sign-in-phone")
    await console.sign_in(console_key)
    nav = [await a.get_attribute("data-page") for a in await page.locator("#nav-list a").all()]
    assert nav == PAGES

    views += [(name, name) for name in PAGES] + [
        ("dataset", f"datasets/{dataset_id}"),
        ("training", f"train/{training_id}"),
        ("mesh", f"meshes/{mesh_id}"),
        ("character", f"characters/{character_id}"),
        ("end-user", f"usage/{END_USER}"),
        ("deliveries", f"webhooks/{endpoint_id}"),
    ]
    # what each view shows once its content is in (the measure is taken on a page that has it)
    content = {
        "datasets": f'a[href="#/datasets/{dataset_id}"]',
        "dataset": ".thumbs li img",
        "train": f'a[href="#/train/{training_id}"]',
        "training": 'section[data-training-id][data-status="succeeded"]',
        "models": "tbody tr[data-model-id]",
        "generate": ".gallery li img",
        "characters": f'li[data-character-id="{character_id}"]',
        "character": '[data-role="character-status"][data-status="draft"]',
        "videos": 'fieldset[data-picker="video-image"] img',
        "meshes": f'a[href="#/meshes/{mesh_id}"]',
        "mesh": 'section[data-mesh-id][data-status="succeeded"]',
        "usage": f'tr[data-end-user="{END_USER}"]',
        "end-user": "tr[data-ledger-id]",
        "webhooks": f'tr[data-endpoint-id="{endpoint_id}"]',
        "events": "tbody tr[data-event-id]",
    }
    for name, path in views[1:]:
        await console.go(path)
        if name in content:
            await expect(page.locator(content[name]).first).to_be_visible()
        findings[name] = (await sideways_overflow(page), await unnamed_controls(page))
        await console.shot(f"{name}-phone")

    assert {name: found for name, found in findings.items() if found[0] > 0 or found[1]} == {}, (
        "views that scroll sideways (px) or have controls without an accessible name"
    )

    # the check itself: an unlabelled field and a too-wide block are found
    await page.evaluate(
        "() => { const m = document.querySelector('main');"
        " m.append(Object.assign(document.createElement('input'), {id: 'probe'}));"
        " m.append(Object.assign(document.createElement('div'), {id: 'wide', style: 'width: 600px; height: 1px'})); }"
    )
    assert await unnamed_controls(page) == ["- textbox"]
    assert await sideways_overflow(page) > 0

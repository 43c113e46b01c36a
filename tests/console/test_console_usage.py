"""The Usage page in headless Chromium: the policy, the end users with their balance, usage and limits, one
end user's ledger, and a grant made from the page. The state is made through the public API first (a policy,
a grant, a generation charged to the end user), so the page is checked against what the API knows.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import expect
from support.factories import wait_for

pytestmark = pytest.mark.usefixtures("worker")

POLICY = {
    "prices": {"generation_image": 3, "training": 25, "mesh_item": 4, "video": 12},
    "credits_required": True,
    "limits": {
        "generation_images_per_day": 5,
        "trainings_per_month": None,
        "videos_per_day": 2,
        "mesh_items_per_day": None,
        "concurrent_jobs": None,
    },
    "moderation": {"blocked_terms": ["gore"], "force_safety_checker": False, "withhold_nsfw_images": False},
}


async def test_usage_shows_the_policy_balances_usage_and_limits(
    console: Any, console_key: str, sandbox: Any, live_api: str
) -> None:
    sandbox.reset(queue_delay=0.05, generation_seconds=0.05)
    headers = {"Authorization": f"Bearer {console_key}"}
    async with httpx.AsyncClient(base_url=live_api, headers=headers, timeout=20) as api:
        r = await api.put("/v1/policy", json=POLICY)
        assert r.status_code == 200, r.text
        r = await api.post(
            "/v1/end-users/eu_alice/credits",
            json={"amount": 50, "description": "welcome"},
            headers={"Idempotency-Key": "welcome-alice"},
        )
        assert r.status_code == 201, r.text
        # without an end user a chargeable job is refused (credits_required): the policy is in force
        r = await api.post("/v1/generations", json={"model_id": "mdl_flux_1_dev", "prompt": "a red bicycle"})
        assert r.status_code == 422 and r.json()["code"] == "end_user_required", r.text
        r = await api.post(
            "/v1/generations",
            json={"model_id": "mdl_flux_1_dev", "prompt": "a red bicycle", "num_images": 2, "end_user": "eu_alice"},
        )
        assert r.status_code == 202, r.text
        generation = await wait_for(api, f"/v1/generations/{r.json()['id']}", {"succeeded", "failed"})
        assert generation["status"] == "succeeded", generation
        alice = (await api.get("/v1/end-users/eu_alice")).json()
    # what the page must show: 50 granted, 2 images at 3 credits captured
    assert alice["credits"] == {"balance": 44, "reserved": 0}, alice
    assert alice["usage"]["generation_images_per_day"] == 2, alice

    page = console.page
    await console.sign_in(console_key)
    await console.go("usage")

    # -- the policy as the API has it -------------------------------------------------------------------
    await expect(page.get_by_label("Generation image", exact=True)).to_have_value("3")
    await expect(page.get_by_label("Training", exact=True)).to_have_value("25")
    await expect(page.get_by_label("Video", exact=True)).to_have_value("12")
    await expect(page.get_by_role("checkbox", name=re.compile(r"^Credits required"))).to_be_checked()
    await expect(page.get_by_label("Generation images per day")).to_have_value("5")
    await expect(page.get_by_label("Videos per day")).to_have_value("2")
    await expect(page.get_by_label("Trainings per month")).to_have_value("")  # unlimited
    await expect(page.get_by_label("Blocked terms")).to_have_value("gore")

    # -- the end users' table ---------------------------------------------------------------------------
    row = page.locator('tr[data-end-user="eu_alice"]')
    await expect(row.locator("td")).to_have_text(["eu_alice", "44", "0", "2", "0"])
    await console.shot("usage")

    # -- the policy saved from the page is what the API then answers ---------------------------------------
    await page.get_by_label("Trainings per month").fill("3")
    await page.get_by_label("Generation images per day").fill("8")
    await page.get_by_role("button", name="Save policy").click()
    await expect(page.locator("#announcer")).to_have_text("Policy saved.")
    async with httpx.AsyncClient(base_url=live_api, headers=headers) as api:
        saved = (await api.get("/v1/policy")).json()
    assert saved["limits"]["trainings_per_month"] == 3 and saved["limits"]["generation_images_per_day"] == 8
    assert saved["prices"] == POLICY["prices"] and saved["credits_required"] is True
    assert saved["moderation"]["blocked_terms"] == ["gore"]

    # -- one end user: balance, usage against the effective limits, the ledger ----------------------------
    await row.get_by_role("link", name="eu_alice").click()
    await expect(page.get_by_role("heading", level=1, name="End user eu_alice")).to_be_visible()
    await expect(page.locator('[data-role="balance"]')).to_have_text("Balance 44 · reserved 0")
    usage = page.locator("dl.usage")
    await expect(usage.locator("dt")).to_have_text(
        ["Generation images per day", "Trainings per month", "Videos per day", "Mesh items per day", "Concurrent jobs"]
    )
    await expect(usage.locator("dd")).to_have_text(["2 of 8", "0 of 3", "0 of 2", "0 of unlimited", "0 of unlimited"])
    ledger = page.locator("tr[data-ledger-id]")
    await expect(ledger).to_have_count(3)
    kinds = [await r.get_attribute("data-kind") for r in await ledger.all()]
    assert sorted(kinds) == ["capture", "grant", "reserve"], kinds
    await expect(page.locator('tr[data-kind="grant"] td').nth(2)).to_have_text("+50")
    await expect(page.locator('tr[data-kind="reserve"] td').nth(2)).to_have_text("-6")
    await expect(page.locator('tr[data-kind="capture"] td').nth(4)).to_contain_text(f"{generation['id']} \u00d72")
    await console.shot("usage-end-user")

    # -- a grant from the page: balance and ledger follow, and the API agrees ---------------------------
    await page.get_by_label("Amount").fill("10")
    await page.get_by_label("Description").fill("support gesture")
    await page.get_by_role("button", name="Record").click()
    await expect(page.locator('[data-role="balance"]')).to_have_text("Balance 54 · reserved 0")
    await expect(ledger).to_have_count(4)
    await expect(page.locator("tr[data-ledger-id]", has_text="support gesture").locator("td").nth(2)).to_have_text(
        "+10"
    )
    async with httpx.AsyncClient(base_url=live_api, headers=headers) as api:
        assert (await api.get("/v1/end-users/eu_alice")).json()["credits"]["balance"] == 54

    # -- a debit past the balance: the problem's detail is shown, nothing changes ------------------------
    console.expected += [r"status of 409 .*/credits\)"]
    await page.get_by_label("Amount").fill("-1000")
    await page.get_by_label("Description").fill("")
    await page.get_by_role("button", name="Record").click()
    await expect(page.get_by_role("alert")).to_contain_text(re.compile(r"\S"))
    await expect(page.locator('[data-role="balance"]')).to_have_text("Balance 54 · reserved 0")
    await expect(ledger).to_have_count(4)

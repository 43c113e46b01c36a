"""End users, limits, credits and moderation through the real API, the arq worker and the Fal sandbox.

In tests/worker: the session worker it starts would otherwise run during tests/api, which assume none runs.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support.factories import api_client, create_dataset, wait_for
from support.problems import assert_problem

pytestmark = pytest.mark.usefixtures("worker")
ENDED = {"succeeded", "failed", "canceled"}
BASE = "mdl_flux_1_dev"


@pytest.fixture
async def api(app: Any, owner: tuple[str, str], sandbox: Any) -> AsyncIterator[httpx.AsyncClient]:
    sandbox.reset(generation_seconds=0.05, training_seconds=0.2)
    async with api_client(app, owner[1]) as c:
        yield c


async def _ledger(api: httpx.AsyncClient, end_user: str) -> list[dict[str, Any]]:
    r = await api.get(f"/v1/end-users/{end_user}/ledger", params={"limit": 100})
    assert r.status_code == 200, r.text
    return list(r.json()["data"])


async def _credits(api: httpx.AsyncClient, end_user: str) -> dict[str, int]:
    return dict((await api.get(f"/v1/end-users/{end_user}")).json()["credits"])


async def test_daily_image_limit_is_429_with_the_utc_midnight(api: httpx.AsyncClient) -> None:
    assert (await api.put("/v1/policy", json={"limits": {"generation_images_per_day": 3}})).status_code == 200
    body = {"model_id": BASE, "prompt": "a lighthouse", "num_images": 2, "end_user": "ann"}
    first = await api.post("/v1/generations", json=body)
    assert first.status_code == 202, first.text
    assert first.json()["end_user"] == "ann"
    refused = await api.post("/v1/generations", json=body)
    now = datetime.now(UTC)
    problem = assert_problem(refused, 429, "quota_exceeded")
    midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    assert problem["quota"] == "generation_images_per_day"
    assert (problem["limit"], problem["used"], problem["requested"]) == (3, 2, 2)
    assert datetime.fromisoformat(problem["resets_at"]) == midnight
    assert abs(int(refused.headers["retry-after"]) - math.ceil((midnight - now).total_seconds())) <= 2
    # One more image still fits; nothing else is created by the refusal.
    ok = await api.post("/v1/generations", json={**body, "num_images": 1})
    assert ok.status_code == 202, ok.text
    listed = (await api.get("/v1/generations", params={"end_user": "ann"})).json()["data"]
    assert len(listed) == 2
    await wait_for(api, f"/v1/generations/{first.json()['id']}", ENDED)
    user = (await api.get("/v1/end-users/ann")).json()
    assert user["usage"]["generation_images_per_day"] == 3 and user["limits"]["generation_images_per_day"] == 3
    # A request without an end user is not counted.
    assert (await api.post("/v1/generations", json={**body, "end_user": None})).status_code == 202
    metrics = (await api.get("/metrics")).text
    assert 'fotogen_quota_refusals_total{quota="generation_images_per_day"}' in metrics


async def test_failed_training_refunds_its_reservation(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    await api.put("/v1/policy", json={"credits_required": True, "prices": {"training": 15}})
    await api.post("/v1/end-users/ben/credits", json={"amount": 20})
    ds = await create_dataset(app, owner[0], images=4)
    body = {"dataset_id": ds.id, "trigger_word": "ZOE sandbox:fail=request_timeout", "end_user": "ben"}
    r = await api.post("/v1/trainings", json=body)
    assert r.status_code == 202, r.text
    assert await _credits(api, "ben") == {"balance": 5, "reserved": 15}
    # Another training does not fit in what is left.
    problem = assert_problem(await api.post("/v1/trainings", json=body), 402, "insufficient_credits")
    assert (problem["balance"], problem["required"]) == (5, 15)

    done = await wait_for(api, f"/v1/trainings/{r.json()['id']}", ENDED, timeout=60)
    assert done["status"] == "failed", done
    assert await _credits(api, "ben") == {"balance": 20, "reserved": 0}
    entries = await _ledger(api, "ben")
    assert sorted((e["kind"], e["amount"]) for e in entries) == [("grant", 20), ("refund", 15), ("reserve", -15)]
    assert sum(e["amount"] for e in entries) == 20
    assert (await api.get("/v1/end-users/ben")).json()["usage"]["trainings_per_month"] == 0


async def test_canceled_generation_refunds(api: httpx.AsyncClient) -> None:
    await api.put("/v1/policy", json={"credits_required": True, "prices": {"generation_image": 2}})
    await api.post("/v1/end-users/cat/credits", json={"amount": 10})
    body = {"model_id": BASE, "prompt": "a fox sandbox:stuck", "num_images": 3, "end_user": "cat"}
    gen = (await api.post("/v1/generations", json=body)).json()
    assert await _credits(api, "cat") == {"balance": 4, "reserved": 6}
    await wait_for(api, f"/v1/generations/{gen['id']}", {"running"})
    assert (await api.post(f"/v1/generations/{gen['id']}/cancel")).status_code == 202
    done = await wait_for(api, f"/v1/generations/{gen['id']}", ENDED)
    assert done["status"] == "canceled"
    assert await _credits(api, "cat") == {"balance": 10, "reserved": 0}
    [refund] = [e for e in await _ledger(api, "cat") if e["kind"] == "refund"]
    assert (refund["amount"], refund["quantity"], refund["job_id"]) == (6, 3, gen["id"])


async def test_one_withheld_nsfw_image_of_four_captures_three(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], live_api: str
) -> None:
    policy = {"credits_required": True, "moderation": {"withhold_nsfw_images": True}}
    assert (await api.put("/v1/policy", json=policy)).status_code == 200
    await api.post("/v1/end-users/dan/credits", json={"amount": 5})
    body = {"model_id": BASE, "prompt": "a beach sandbox:nsfw=1", "num_images": 4, "end_user": "dan"}
    gen = (await api.post("/v1/generations", json=body)).json()
    done = await wait_for(api, f"/v1/generations/{gen['id']}", ENDED)
    assert done["status"] == "succeeded", done
    images = done["images"]
    assert [(i["nsfw"], i["withheld"]) for i in images] == [
        (True, True),
        (False, False),
        (False, False),
        (False, False),
    ]
    withheld = images[0]
    assert withheld["url"] is None and withheld["thumbnail_url"] is None and withheld["sha256"] is None
    async with httpx.AsyncClient(timeout=30) as c:
        assert [(await c.get(i["url"])).status_code for i in images[1:]] == [200, 200, 200]
    prefix = f"owners/{owner[0]}/generations/{gen['id']}/"
    storage = app.state.storage
    assert await storage.stat(prefix + "0.jpg") is None and await storage.stat(prefix + "0.thumb.webp") is None
    assert all([await storage.stat(f"{prefix}{n}.jpg") for n in (1, 2, 3)])
    assert await _credits(api, "dan") == {"balance": 2, "reserved": 0}
    entries = {e["kind"]: e for e in await _ledger(api, "dan") if e["job_id"] == gen["id"]}
    assert (entries["reserve"]["amount"], entries["capture"]["quantity"], entries["refund"]["amount"]) == (-4, 3, 1)
    assert entries["capture"]["amount"] == 0
    # A withheld image cannot be referenced: it is stored nowhere.
    ref = {
        "model_id": BASE,
        "prompt": "again",
        "mode": "image_to_image",
        "image": {"generation_image_id": withheld["id"]},
    }
    assert_problem(await api.post("/v1/generations", json=ref), 404, "generation_image_not_found")


async def test_blocked_prompt_creates_and_charges_nothing(api: httpx.AsyncClient) -> None:
    policy = {"credits_required": True, "moderation": {"blocked_terms": ["spell", "dark magic"]}}
    await api.put("/v1/policy", json=policy)
    await api.post("/v1/end-users/eve/credits", json={"amount": 10})
    for prompt, term in [
        ("cast a S.p-e-l-l", "spell"),
        ("\uff33\uff30\uff25\uff2c\uff2c book", "spell"),  # full-width
        ("DÂRK-MAGIC rune", "dark magic"),
    ]:
        body = {"model_id": BASE, "prompt": prompt, "end_user": "eve"}
        problem = assert_problem(await api.post("/v1/generations", json=body), 422, "prompt_blocked")
        assert [(e["field"], e["term"]) for e in problem["errors"]] == [("prompt", term)]
    ok = await api.post("/v1/generations", json={"model_id": BASE, "prompt": "a spelling bee", "end_user": "eve"})
    assert ok.status_code == 202, ok.text
    assert len((await api.get("/v1/generations")).json()["data"]) == 1
    assert await _credits(api, "eve") == {"balance": 9, "reserved": 1}
    built_in = await api.post("/v1/generations", json={"model_id": BASE, "prompt": "lolicon art", "end_user": "eve"})
    assert assert_problem(built_in, 422, "prompt_blocked")["errors"][0]["term"] == "lolicon"
    assert 'fotogen_blocked_prompts_total{field="prompt"}' in (await api.get("/metrics")).text


async def test_blocked_trigger_word_refuses_the_training(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    await api.put("/v1/policy", json={"moderation": {"blocked_terms": ["zoe"]}})
    ds = await create_dataset(app, owner[0], images=4)
    problem = assert_problem(await api.post("/v1/trainings", json={"dataset_id": ds.id}), 422, "prompt_blocked")
    assert problem["errors"][0]["field"] == "trigger_word"
    assert (await api.get("/v1/trainings")).json()["data"] == []


async def test_credits_required_needs_an_end_user(api: httpx.AsyncClient) -> None:
    await api.put("/v1/policy", json={"credits_required": True})
    r = await api.post("/v1/generations", json={"model_id": BASE, "prompt": "a cat"})
    assert_problem(r, 422, "end_user_required")
    assert (await api.get("/v1/generations")).json()["data"] == []


async def test_force_safety_checker_overrides_the_client(api: httpx.AsyncClient, sandbox: Any) -> None:
    await api.put("/v1/policy", json={"moderation": {"force_safety_checker": True}})
    body = {"model_id": BASE, "prompt": "a quiet harbour", "enable_safety_checker": False}
    gen = (await api.post("/v1/generations", json=body)).json()
    assert gen["params"]["enable_safety_checker"] is True
    await wait_for(api, f"/v1/generations/{gen['id']}", ENDED)
    [req] = [r for r in sandbox.requests("fal-ai/flux-lora")["requests"] if r["input"]["prompt"] == "a quiet harbour"]
    assert req["input"]["enable_safety_checker"] is True

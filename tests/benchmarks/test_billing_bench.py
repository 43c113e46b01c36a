"""Create-generation throughput with end-user limits and credits on vs off, same run: on >= 0.8 x off.

"Off": creates name no end user and the owner's policy sets no limits and requires no credits. "On": the
policy requires credits and sets every limit, and every create names an end user, one of eight (as many as
creates run at once). Reported beside it, not gated: every create naming the same end user, the worst case,
where creates queue one behind the other on that end user's row lock until they commit. Both owners block
the same 200 terms: moderation runs on every create either way. Each create is a real `POST /v1/generations`
(in-process ASGI): auth, validation, moderate, admit, insert the job and its event, commit, enqueue. Rounds
alternate the modes so they see the same machine; the figure is the ratio of the median rounds.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from typing import Any

import httpx
from support.factories import create_owner

CREATES = 150
CONCURRENCY = 8
ROUNDS = 5
MIN_RATIO = 0.8


async def _round(api: httpx.AsyncClient, auth: str, end_users: list[str | None]) -> float:
    sem = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> None:
        body = {"model_id": "mdl_flux_1_dev", "prompt": f"a lighthouse at dusk {secrets.token_hex(2)}"}
        if end_users[i % len(end_users)] is not None:
            body["end_user"] = str(end_users[i % len(end_users)])
        async with sem:
            r = await api.post("/v1/generations", json=body, headers={"Authorization": f"Bearer {auth}"})
        assert r.status_code == 202, r.text

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(CREATES)))
    return CREATES / (time.perf_counter() - start)


async def test_billing_costs_at_most_a_fifth_of_create_throughput(app: Any) -> None:
    _, off_key = await create_owner(app)
    _, on_key = await create_owner(app)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", headers={"Authorization": f"Bearer {on_key}"}
    ) as api:  # in-process ASGI: the app's own work, no socket in between
        moderation = {"blocked_terms": [f"banned{i}" for i in range(200)]}
        policy = {
            "credits_required": True,
            "limits": {
                "generation_images_per_day": 1_000_000,
                "trainings_per_month": 1000,
                "videos_per_day": 1000,
                "mesh_items_per_day": 1000,
                "concurrent_jobs": 1_000_000,
            },
            "moderation": moderation,
        }
        assert (await api.put("/v1/policy", json=policy)).status_code == 200
        off_policy = {"moderation": moderation}
        off_auth = {"Authorization": f"Bearer {off_key}"}
        assert (await api.put("/v1/policy", json=off_policy, headers=off_auth)).status_code == 200
        assert (await api.post("/v1/end-users/bench-user/credits", json={"amount": 1_000_000})).status_code == 201

        many: list[str | None] = [f"bench-user-{i}" for i in range(CONCURRENCY)]
        for name in many:
            await api.post(f"/v1/end-users/{name}/credits", json={"amount": 1_000_000})
        await _round(api, off_key, [None])  # warm-up: pools, caches, plans
        await _round(api, on_key, ["bench-user"])
        off, on, one = [], [], []
        for _ in range(ROUNDS):
            off.append(await _round(api, off_key, [None]))
            on.append(await _round(api, on_key, many))
            one.append(await _round(api, on_key, ["bench-user"]))

        user = (await api.get("/v1/end-users/bench-user")).json()
    ratio = statistics.median(on) / statistics.median(off)
    worst = statistics.median(one) / statistics.median(off)
    print(
        f"\ncreate-generation throughput (creates/s, {CREATES} per round, concurrency {CONCURRENCY}): "
        f"off {[round(x) for x in off]}, on ({CONCURRENCY} end users) {[round(x) for x in on]}, ratio of medians "
        f"{ratio:.2f}; on (one end user) {[round(x) for x in one]}, ratio {worst:.2f}"
    )
    assert user["credits"]["reserved"] == (ROUNDS + 1) * CREATES  # every create was charged
    assert ratio >= MIN_RATIO

"""Per-key request rate limits, shared by every API replica through Redis (the ``limits`` library)."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import httpx
import pytest
from support.env import new_api_key
from support.live import api_processes

from shared.config import Settings


async def test_the_limit_holds_across_two_api_processes(app: Any, settings: Settings) -> None:
    key = await new_api_key(app)
    # A run-unique limit spec is not needed: counters are per key, and the key is new.
    with api_processes(settings, 2, FOTOGEN_RATE_LIMIT="6/minute") as urls:
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=20) as c:
            responses = await asyncio.gather(*(c.get(f"{urls[i % 2]}/v1/datasets") for i in range(14)))
            other = await new_api_key(app)
            fresh = await c.get(f"{urls[1]}/v1/datasets", headers={"Authorization": f"Bearer {other}"})
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 6 + [429] * 8
    refused = next(r for r in responses if r.status_code == 429)
    problem = refused.json()
    assert problem["code"] == "rate_limited" and refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-limit"] == "6" and refused.headers["ratelimit-remaining"] == "0"
    ok = next(r for r in responses if r.status_code == 200)
    assert ok.headers["ratelimit-limit"] == "6" and int(ok.headers["ratelimit-remaining"]) < 6
    assert fresh.status_code == 200  # another key has its own budget


async def test_off_when_unset_and_no_headers(authed: httpx.AsyncClient) -> None:
    r = await authed.get("/v1/datasets")
    assert r.status_code == 200 and "ratelimit-limit" not in r.headers


def test_a_malformed_limit_is_refused_at_start_up(settings: Settings) -> None:
    with pytest.raises(ValueError, match="FOTOGEN_RATE_LIMIT"):
        Settings(**{**settings.model_dump(include={"environment"}), "rate_limit": f"lots/{secrets.token_hex(2)}"})

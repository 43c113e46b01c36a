"""Seed 001's "banned words": a blocked term in a character's text or a scene stops it before any job."""

from __future__ import annotations

import httpx
from support.problems import assert_problem


async def test_a_blocked_term_in_a_scene_or_profile_creates_nothing(authed: httpx.AsyncClient) -> None:
    r = await authed.put("/v1/policy", json={"moderation": {"blocked_terms": ["spell"]}})
    assert r.status_code == 200, r.text
    character = await authed.post(
        "/v1/characters", json={"name": "Mira", "description": "a young mage with silver hair"}
    )
    assert character.status_code == 201, character.text
    cid = character.json()["id"]

    refused = assert_problem(
        await authed.post(f"/v1/characters/{cid}/scenes", json={"scene": "casting a S.p-e-l-l in a dungeon"}),
        422,
        "prompt_blocked",
    )
    assert refused["errors"][0]["field"] == "scene" and refused["errors"][0]["term"] == "spell"
    assert (await authed.get("/v1/generations", params={"character_id": cid})).json()["data"] == []

    assert_problem(
        await authed.post("/v1/characters", json={"name": "\uff33\uff50\uff45\uff4c\uff4c", "description": "x"}),
        422,
        "prompt_blocked",
    )
    assert_problem(await authed.patch(f"/v1/characters/{cid}", json={"description": "a spéll caster"}), 422)
    # a longer word that contains the term is not the term
    ok = await authed.patch(f"/v1/characters/{cid}", json={"description": "a spelling bee champion"})
    assert ok.status_code == 200, ok.text

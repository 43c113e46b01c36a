"""Stream tokens: what the browser's EventSource (no headers) uses; useless anywhere but a stream."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from httpx_sse import aconnect_sse
from support.env import new_api_key
from support.factories import owner_of
from support.live import commit_event, create_training_row, serve
from support.problems import assert_problem

from shared.auth.stream_tokens import issue_stream_token, verify_stream_token
from shared.config import Settings

ALLOWED = "https://app.example"


@pytest.fixture(scope="module")
def live(settings: Settings) -> Iterator[str]:
    from api.app import create_app

    application = create_app(settings.model_copy(update={"cors_origins": [ALLOWED], "sse_ping_seconds": 0.5}))
    with serve(application) as url:
        yield url


@pytest.fixture
async def keyed(live: str, owner: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live, headers={"Authorization": f"Bearer {owner[1]}"}) as c:
        yield c


@pytest.fixture
async def anonymous(live: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live, timeout=10) as c:
        yield c


async def first_event(client: httpx.AsyncClient, url: str, produce: Any, **kwargs: Any) -> Any:
    async def run() -> Any:
        async with aconnect_sse(client, "GET", url, **kwargs) as source:
            assert source.response.status_code == 200, await source.response.aread()
            await produce()
            async for sse in source.aiter_sse():
                if sse.data:
                    return sse
        return None

    return await asyncio.wait_for(run(), 10)


async def test_owner_token_opens_the_stream_without_any_header(
    app: Any, keyed: httpx.AsyncClient, anonymous: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    r = await keyed.post("/v1/stream-tokens", json={})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["scope"] == "owner" and body["job_id"] is None and body["token"].startswith("fgst_")
    ttl = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00")).timestamp() - time.time()
    assert 290 < ttl <= 300
    job = await create_training_row(app, owner[0])
    ids: list[int] = []

    async def produce() -> None:
        ids.append(await commit_event(app, owner[0], job, "started"))

    sse = await first_event(anonymous, f"/v1/events/stream?token={body['token']}", produce)
    assert int(sse.id) == ids[0] and sse.event == "training.started"


async def test_token_is_refused_on_every_other_route(keyed: httpx.AsyncClient, anonymous: httpx.AsyncClient) -> None:
    token = (await keyed.post("/v1/stream-tokens", json={})).json()["token"]
    assert_problem(await anonymous.get("/v1/models", params={"token": token}), 401, "missing_api_key")
    r = await anonymous.get("/v1/models", headers={"Authorization": f"Bearer {token}"})
    assert_problem(r, 401, "invalid_api_key")
    r = await anonymous.post("/v1/stream-tokens", json={}, headers={"Authorization": f"Bearer {token}"})
    assert_problem(r, 401, "invalid_api_key")
    assert_problem(await anonymous.get("/v1/webhook-endpoints", params={"token": token}), 401, "missing_api_key")


async def test_expired_and_forged_tokens_are_refused(
    settings: Settings, anonymous: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    short, _ = issue_stream_token(settings.secret_key, owner[0], ttl_seconds=1)
    assert verify_stream_token(settings.secret_key, short).owner_id == owner[0]
    await asyncio.sleep(1.2)
    r = await anonymous.get("/v1/events/stream", params={"token": short})
    assert_problem(r, 401, "stream_token_expired")

    good, _ = issue_stream_token(settings.secret_key, owner[0])
    body, mac = good.split(".")
    for forged in (
        body + "." + mac[:-2] + ("AA" if mac[-2:] != "AA" else "BB"),  # signature altered
        issue_stream_token("another-secret-" + "y" * 32, owner[0])[0],  # signed with another key
        "fgst_garbage",
        "fg_" + good,
    ):
        assert_problem(await anonymous.get("/v1/events/stream", params={"token": forged}), 401)


async def test_job_scoped_token_streams_that_job_only(
    app: Any, keyed: httpx.AsyncClient, anonymous: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    job, other_job = await create_training_row(app, owner[0]), await create_training_row(app, owner[0])
    r = await keyed.post("/v1/stream-tokens", json={"job_id": job, "ttl_seconds": 60})
    assert r.status_code == 201, r.text
    assert r.json()["scope"] == "job" and r.json()["job_id"] == job
    token = r.json()["token"]
    ids: list[int] = []

    async def produce() -> None:
        await commit_event(app, owner[0], other_job, "started")
        ids.append(await commit_event(app, owner[0], job, "started"))

    # the owner stream, forced to the token's job
    sse = await first_event(anonymous, f"/v1/events/stream?token={token}", produce)
    assert int(sse.id) == ids[0]
    r = await anonymous.get("/v1/events/stream", params={"token": token, "job_id": other_job})
    assert_problem(r, 403, "stream_token_out_of_scope")


async def test_token_for_a_job_that_is_not_yours_is_404(
    app: Any, keyed: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    stranger = await owner_of(app, await new_api_key(app))
    theirs = await create_training_row(app, stranger)
    assert_problem(await keyed.post("/v1/stream-tokens", json={"job_id": theirs}), 404, "job_not_found")
    assert_problem(await keyed.post("/v1/stream-tokens", json={"ttl_seconds": 3601}), 422, "validation_error")
    assert (await keyed.post("/v1/stream-tokens", json={"ttl_seconds": 3600})).status_code == 201


async def test_cors_follows_the_allowed_origins(keyed: httpx.AsyncClient) -> None:
    token = (await keyed.post("/v1/stream-tokens", json={})).json()["token"]
    async with httpx.AsyncClient(base_url=str(keyed.base_url), timeout=10) as browser:
        for origin, allowed in ((ALLOWED, True), ("https://evil.example", False)):
            async with browser.stream(
                "GET", "/v1/events/stream", params={"token": token}, headers={"Origin": origin}
            ) as response:
                assert response.status_code == 200
                assert response.headers["content-type"].startswith("text/event-stream")
                if allowed:
                    assert response.headers["access-control-allow-origin"] == ALLOWED
                else:
                    assert "access-control-allow-origin" not in response.headers
        # the preflight a browser sends before `fetch` with Last-Event-ID
        preflight = await browser.options(
            "/v1/events/stream",
            headers={
                "Origin": ALLOWED,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "last-event-id",
            },
        )
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == ALLOWED
        refused = await browser.options(
            "/v1/events/stream",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert "access-control-allow-origin" not in refused.headers


async def test_character_scoped_token_follows_a_character_from_its_profile_on(
    app: Any, keyed: httpx.AsyncClient, anonymous: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    """A character's job row appears with its first training; its token is minted from the character itself,
    so a frontend follows the whole flow (``character.referenced`` comes before any training)."""
    made = [
        await keyed.post("/v1/characters", json={"name": name, "description": "a knight in silver armour"})
        for name in ("Ada", "Bo")
    ]
    assert all(r.status_code == 201 for r in made), [r.text for r in made]
    character, other = (r.json()["id"] for r in made)
    r = await keyed.post("/v1/stream-tokens", json={"character_id": character, "ttl_seconds": 60})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["scope"] == "character" and body["character_id"] == character and body["job_id"] is None
    token = body["token"]
    ids: list[int] = []

    async def produce() -> None:
        await commit_event(app, owner[0], other, "referenced", job_type="character")
        ids.append(await commit_event(app, owner[0], character, "referenced", job_type="character"))

    sse = await first_event(anonymous, f"/v1/characters/{character}/stream?token={token}", produce)
    assert int(sse.id) == ids[0] and sse.event == "character.referenced"
    # the owner stream, forced to the character
    ids.clear()
    sse = await first_event(anonymous, f"/v1/events/stream?token={token}", produce)
    assert int(sse.id) == ids[0] and sse.event == "character.referenced"

    # another character's stream, or a job's, is out of its scope
    r = await anonymous.get(f"/v1/characters/{other}/stream", params={"token": token})
    assert_problem(r, 403, "stream_token_out_of_scope")
    job = await create_training_row(app, owner[0])
    assert_problem(await anonymous.get(f"/v1/trainings/{job}/stream", params={"token": token}), 403)


async def test_character_scope_names_one_character_of_yours(
    app: Any, keyed: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    stranger_key = await new_api_key(app)
    async with httpx.AsyncClient(
        base_url=str(keyed.base_url), headers={"Authorization": f"Bearer {stranger_key}"}
    ) as c:
        r = await c.post("/v1/characters", json={"name": "Cy", "description": "a sailor with a red scarf"})
        assert r.status_code == 201, r.text
        theirs = r.json()["id"]
    assert_problem(await keyed.post("/v1/stream-tokens", json={"character_id": theirs}), 404, "character_not_found")
    assert_problem(await keyed.post("/v1/stream-tokens", json={"character_id": "chr_nope"}), 404, "character_not_found")
    r = await keyed.post("/v1/characters", json={"name": "Di", "description": "a baker with flour on her hands"})
    mine = r.json()["id"]
    job = await create_training_row(app, owner[0])
    both = await keyed.post("/v1/stream-tokens", json={"character_id": mine, "job_id": job})
    assert_problem(both, 422, "validation_error")
    assert_problem(await keyed.post("/v1/stream-tokens", json={"character_id": "x" * 41}), 422, "validation_error")

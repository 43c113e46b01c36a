"""The sandbox's magic words (README, "Testing your integration") give their outcome through the whole stack:
API → worker → fal-client → sandbox → back to the job an integrator polls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from support.factories import api_client, create_dataset, wait_for

pytestmark = pytest.mark.usefixtures("worker")
ENDED = {"succeeded", "failed", "canceled"}


@pytest.fixture
async def api(app: Any, owner: tuple[str, str], sandbox: Any) -> AsyncIterator[httpx.AsyncClient]:
    sandbox.reset()
    async with api_client(app, owner[1]) as c:
        yield c


async def generate(api: httpx.AsyncClient, prompt: str) -> dict[str, Any]:
    r = await api.post("/v1/generations", json={"model_id": "mdl_flux_1_dev", "prompt": prompt})
    assert r.status_code == 202, r.text
    return dict(r.json())


@pytest.mark.parametrize(
    ("error_type", "code"),
    [
        ("request_timeout", "provider_timeout"),
        ("startup_timeout", "provider_timeout"),
        ("runner_scheduling_failure", "provider_capacity"),
        ("runner_disconnected", "provider_failed"),
        ("internal_error", "provider_failed"),
        ("client_cancelled", "provider_canceled"),
        ("bad_request", "provider_rejected_input"),
        ("content_policy_violation", "content_policy_violation"),
        ("file_download_error", "provider_download_failed"),
        ("image_too_large", "provider_rejected_input"),
    ],
)
async def test_fail_word_in_a_prompt_fails_the_generation_with_the_mapped_code(
    api: httpx.AsyncClient, error_type: str, code: str
) -> None:
    gen = await generate(api, f"a red fox sandbox:fail={error_type}")
    done = await wait_for(api, f"/v1/generations/{gen['id']}", ENDED)
    assert done["status"] == "failed", done
    assert done["error"]["code"] == code and done["error"]["message"], done


async def test_fail_word_in_a_trigger_word_fails_the_training(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    ds = await create_dataset(app, owner[0], images=4)
    body = {"dataset_id": ds.id, "trigger_word": "ZOE sandbox:fail=runner_scheduling_failure"}
    trn = (await api.post("/v1/trainings", json=body)).json()
    done = await wait_for(api, f"/v1/trainings/{trn['id']}", ENDED)
    assert done["status"] == "failed" and done["error"]["code"] == "provider_capacity", done


async def test_nsfw_word_flags_the_image(api: httpx.AsyncClient) -> None:
    gen = await generate(api, "a portrait sandbox:nsfw")
    done = await wait_for(api, f"/v1/generations/{gen['id']}", ENDED)
    assert done["status"] == "succeeded", done
    assert done["images"] and all(image["nsfw"] for image in done["images"])
    clean = await wait_for(api, f"/v1/generations/{(await generate(api, 'a portrait'))['id']}", ENDED)
    assert not any(image["nsfw"] for image in clean["images"])


async def test_slow_word_delays_the_outcome(api: httpx.AsyncClient) -> None:
    started = time.monotonic()
    gen = await generate(api, "a lighthouse sandbox:slow=1.5")
    running = await wait_for(api, f"/v1/generations/{gen['id']}", {"running", *ENDED})
    assert running["status"] == "running"
    done = await wait_for(api, f"/v1/generations/{gen['id']}", ENDED)
    assert done["status"] == "succeeded" and time.monotonic() - started >= 1.5


async def test_stuck_word_keeps_the_job_running_until_canceled(api: httpx.AsyncClient, sandbox: Any) -> None:
    gen = await generate(api, "a clock sandbox:stuck")
    await wait_for(api, f"/v1/generations/{gen['id']}", {"running", *ENDED})
    await asyncio.sleep(1.0)
    assert (await api.get(f"/v1/generations/{gen['id']}")).json()["status"] == "running"
    assert (await api.post(f"/v1/generations/{gen['id']}/cancel")).status_code == 202
    done = await wait_for(api, f"/v1/generations/{gen['id']}", ENDED)
    assert done["status"] == "canceled"

"""Magic words in any string input produce their outcome (sandbox.magic)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from sandbox.magic import read_magic_words
from sandbox.testing import LocalHTTPServer, RunningSandbox, sample_dataset_zip

FLUX = "fal-ai/flux-lora"
PORTRAIT = "fal-ai/flux-lora-portrait-trainer"


def test_reading_magic_words() -> None:
    words = read_magic_words({"a": ["x sandbox:slow=2.5 y", {"b": "sandbox:fail=request_timeout"}], "c": 3})
    assert (words.slow, words.fail, words.nsfw, words.stuck) == (2.5, "request_timeout", False, False)
    assert read_magic_words({"p": "sandbox:nsfw and sandbox:stuck"}).nsfw is True
    assert read_magic_words({"p": "sandbox:slow=x sandbox:nsfwish"}).any is False


@pytest.mark.parametrize(
    ("error_type", "code"),
    [("request_timeout", 504), ("runner_scheduling_failure", 503), ("content_policy_violation", 422)],
)
async def test_fail_word_in_prompt(fal: Any, sandbox: RunningSandbox, error_type: str, code: int) -> None:
    import fal_client

    handle = await fal.submit(FLUX, {"prompt": f"a cat sandbox:fail={error_type}"})
    final = [s async for s in handle.iter_events(interval=0.01)][-1]
    assert final.error_type == error_type
    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await handle.get()
    assert exc.value.status_code == code
    assert exc.value.response.json()["error_type"] == error_type
    assert exc.value.response.headers["x-fal-request-id"] == handle.request_id


async def test_fail_word_in_trigger_phrase(fal: Any, web: LocalHTTPServer) -> None:
    import fal_client

    url = web.add_file("/d.zip", sample_dataset_zip())
    args = {"images_data_url": url, "trigger_phrase": "TOK sandbox:fail=runner_disconnected", "steps": 10}
    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await fal.subscribe(PORTRAIT, args, interval=0.01)
    assert exc.value.status_code == 503
    assert exc.value.response.json()["error_type"] == "runner_disconnected"


async def test_nsfw_word(fal: Any) -> None:
    result = await fal.subscribe(FLUX, {"prompt": "beach sandbox:nsfw", "num_images": 2}, interval=0.01)
    assert result["has_nsfw_concepts"] == [True, True]
    clean = await fal.subscribe(FLUX, {"prompt": "beach", "num_images": 2}, interval=0.01)
    assert clean["has_nsfw_concepts"] == [False, False]


async def test_slow_word(fal: Any, sandbox: RunningSandbox) -> None:
    started = time.monotonic()
    await fal.subscribe(FLUX, {"prompt": "sandbox:slow=0.6"}, interval=0.01)
    assert time.monotonic() - started >= 0.6
    record = sandbox.requests()["requests"][0]
    assert record["completed_at"] - record["started_at"] >= 0.6
    assert record["magic_words"]["slow"] == 0.6


async def test_stuck_word_stays_in_progress_until_canceled(fal: Any, sandbox: RunningSandbox) -> None:
    import fal_client

    handle = await fal.submit(FLUX, {"prompt": "forever sandbox:stuck"})
    await asyncio.sleep(0.5)
    assert isinstance(await handle.status(), fal_client.InProgress)
    await handle.cancel()
    final = [s async for s in handle.iter_events(interval=0.01)][-1]
    assert final.error_type == "client_cancelled"

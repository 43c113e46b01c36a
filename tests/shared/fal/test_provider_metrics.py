"""Provider latency reaches the worker's metrics (``shared.metrics``): each call observed with its outcome."""

from __future__ import annotations

import pytest

from shared.fal import FalProvider, ProviderError
from shared.metrics import METRICS

FLUX = "fal-ai/flux-lora"


def _count(operation: str, outcome: str) -> float:
    value = METRICS.registry.get_sample_value(
        "fotogen_provider_request_duration_seconds_count",
        {"provider": "fal", "operation": operation, "outcome": outcome},
    )
    return value or 0.0


async def test_each_provider_call_is_timed_with_its_outcome(provider: FalProvider) -> None:
    before = (_count("submit", "ok"), _count("status", "ok"))
    request_id = await provider.submit(FLUX, {"prompt": "x"})
    await provider.status(FLUX, request_id)
    assert (_count("submit", "ok"), _count("status", "ok")) == (before[0] + 1, before[1] + 1)
    failed_before = _count("status", "provider_request_not_found")
    with pytest.raises(ProviderError) as caught:
        await provider.status(FLUX, "no-such-request")
    assert caught.value.code == "provider_request_not_found"
    assert _count("status", "provider_request_not_found") == failed_before + 1

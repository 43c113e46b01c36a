from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from sandbox.testing import LocalHTTPServer, RunningSandbox, shared_sandbox, stop_shared_sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    yield shared_sandbox()
    stop_shared_sandbox()


#: the sandbox's own tests run it as faithful as it gets (the shared fixture relaxes these for product code)
FAITHFUL = {"strict_inputs": True, "legacy_cancel_error": False}


@pytest.fixture(autouse=True)
def _fresh_sandbox(sandbox: RunningSandbox) -> None:
    sandbox.reset(**FAITHFUL)


@pytest.fixture(scope="session")
async def fal(sandbox: RunningSandbox) -> AsyncIterator[Any]:
    import fal_client  # after shared_sandbox() exported FAL_QUEUE_RUN_HOST

    client = fal_client.AsyncClient(key="test-key")
    yield client
    handle = await client.get_handle("fal-ai/flux-lora", "x")
    await handle.client.aclose()


@pytest.fixture
async def control(sandbox: RunningSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with sandbox.async_client() as client:
        yield client


@pytest.fixture
def web() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as server:
        yield server

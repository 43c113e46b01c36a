from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from sandbox.testing import LocalHTTPServer, RunningSandbox, shared_sandbox, stop_shared_sandbox
from shared.fal import FalProvider


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    yield shared_sandbox()
    stop_shared_sandbox()


@pytest.fixture(autouse=True)
def _fresh_sandbox(sandbox: RunningSandbox) -> None:
    sandbox.reset()


@pytest.fixture
async def provider(sandbox: RunningSandbox) -> AsyncIterator[FalProvider]:
    p = FalProvider(
        key="test-key",
        queue_url=sandbox.base_url,
        ca_file=sandbox.ca_file,
        webhook_base_url="http://127.0.0.1:1/unused",
    )
    yield p
    await p.aclose()


@pytest.fixture
def web() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as server:
        yield server

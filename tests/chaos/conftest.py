"""The fault suite's deployment: own Redis and Postgres (restartable), 2 ``fotogen api`` and 3
``fotogen worker`` processes, the Fal sandbox through the real fal-client.

``CHAOS_PROFILE=ci`` (what CI runs) keeps counts and the soak short; ``full`` (``make chaos``) runs more.
A check that finds a product bug not fixed yet is marked ``product_bug``: ``make chaos`` runs it as a strict
xfail (the suite goes red the moment it passes, and the marker comes off), the CI profile leaves it out.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.cluster import (
    Cluster,
    create_roles,
    postgres_server,
    private_dir,
    redis_server,
    start_apis,
    start_workers,
)
from support.env import create_database, make_settings, migrate
from support.factories import create_owner
from support.scoreboard import PROFILE, Scoreboard

from fotogen.ports import free_port

REPORT = Path(__file__).resolve().parents[2] / ".data" / "test-artifacts" / "chaos-report.txt"

BOARD = Scoreboard()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PROFILE == "ci":
        # CI's time budget: checks that are known to fail (and mostly wait out their timeouts) stay in
        # `make chaos` until the bug is fixed.
        known = [i for i in items if i.get_closest_marker("product_bug")]
        if known:
            config.hook.pytest_deselected(items=known)
            items[:] = [i for i in items if i not in known]
    for item in items:
        bug = item.get_closest_marker("product_bug")
        if bug is not None:
            reason = f"product bug: {bug.kwargs.get('reason', '')}"
            item.add_marker(pytest.mark.xfail(reason=reason, strict=bug.kwargs.get("strict", True)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not BOARD.rows:
        return
    table = BOARD.render()
    terminalreporter.section(f"fault suite ({PROFILE} profile)")
    terminalreporter.write_line(table)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(table + "\n")


@pytest.fixture(scope="session")
def board() -> Scoreboard:
    return BOARD


@pytest.fixture(scope="session")
async def cluster(sandbox: Any) -> AsyncIterator[Cluster]:
    from api.app import create_app

    base = private_dir("fotogen-chaos-")
    redis = redis_server(base)
    postgres, admin_url = postgres_server(base)
    name = f"fotogen_chaos_{secrets.token_hex(3)}"
    database_url = await create_database(admin_url, name)
    await asyncio.to_thread(migrate, database_url, "upgrade", "head")
    await create_roles(admin_url, 3)
    ports = [free_port(), free_port()]
    data_dir = base / "data"
    data_dir.mkdir()
    settings = make_settings(
        database_url,
        f"redis://127.0.0.1:{redis.port}/0",
        data_dir,
        secrets.token_hex(4),
        public_url=f"http://127.0.0.1:{ports[0]}",
        fal_queue_url=sandbox.base_url,
        fal_ca_file=sandbox.ca_file,
        fal_webhooks_enabled=True,
    )
    # Provider callbacks verified against the sandbox's keys (the default JWKS URL is Fal's: unreachable here,
    # so every callback was answered 503 and no orphan's callback was ever seen).
    apis = start_apis(
        settings, ports, FOTOGEN_FAL_WEBHOOK_JWKS_URL=sandbox.jwks_url, SSL_CERT_FILE=str(sandbox.ca_bundle)
    )
    workers = start_workers(settings, f"http://127.0.0.1:{ports[0]}", 3)
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            cluster = Cluster(settings, app, redis, postgres, apis, workers)
            await _warm_up(cluster)
            yield cluster
    finally:
        for w in workers:
            w.stop()
        for api in apis:
            api.proc.terminate()
        for api in apis:
            with contextlib.suppress(Exception):
                api.proc.wait(timeout=10)
        redis.stop()
        postgres.stop()


async def _warm_up(cluster: Cluster) -> None:
    """Workers import for seconds on a busy box: the first scenario must not time their start-up. One job per
    worker, then wait until every worker's role has connected to Postgres."""
    from sqlalchemy import text
    from support.scoreboard import create_generation, settle

    _, key = await create_owner(cluster.app)
    async with httpx.AsyncClient(base_url=cluster.api_urls[0], headers={"Authorization": f"Bearer {key}"}) as api:
        jobs = [await create_generation(api) for _ in cluster.workers]
    await settle(cluster.app, jobs, timeout=120)
    for _ in range(600):
        async with cluster.app.state.engine.connect() as conn:
            roles = await conn.scalar(
                text("SELECT count(DISTINCT usename) FROM pg_stat_activity WHERE usename LIKE 'chaos_w%'")
            )
        if roles == len(cluster.workers):
            return
        await asyncio.sleep(0.1)


@pytest.fixture(autouse=True)
def _healthy_cluster(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every scenario starts on a whole deployment: servers up, dead workers brought back (as a process
    manager would), a clean sandbox."""
    if "cluster" not in request.fixturenames:
        yield
        return
    c: Cluster = request.getfixturevalue("cluster")
    c.supervise()
    for w in c.workers:
        w.wait_alive(0.3)
    request.getfixturevalue("sandbox").reset()
    yield


@pytest.fixture
async def owner(cluster: Cluster) -> tuple[str, str]:
    return await create_owner(cluster.app)


@pytest.fixture
async def apis(cluster: Cluster, owner: tuple[str, str]) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One authenticated client per API replica."""
    headers = {"Authorization": f"Bearer {owner[1]}"}
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=url, headers=headers, timeout=30))
            for url in cluster.api_urls
        ]
        yield clients

"""``fotogen`` command line: api, worker, dev, sandbox, migrate, seed, keys."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from shared.config import Settings

app = typer.Typer(help="FotoGen: personalised image generation backend.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

ROOT = Path(__file__).resolve().parent.parent


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's ValidationError: print it plainly, not as a traceback
        typer.echo(f"configuration error: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def api(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Run the HTTP API (uvicorn)."""
    import uvicorn

    settings = _settings()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=5,
    )


@app.command()
def worker(
    burst: Annotated[bool, typer.Option(help="Exit when the queue is empty")] = False,
    check: Annotated[
        bool, typer.Option(help="Exit 0 if a worker on this host is alive (its liveness key is fresh), else 1")
    ] = False,
) -> None:
    """Run the arq worker (it rides out Redis and Postgres outages; a crash exits non-zero)."""
    settings = _settings()
    if check:
        raise typer.Exit(asyncio.run(_check_worker(settings)))
    from worker.settings import build_worker

    asyncio.set_event_loop(asyncio.new_event_loop())
    build_worker(settings, burst=burst).run()


async def _check_worker(settings: Settings) -> int:
    """Liveness for a process manager: a worker of this host refreshed its key within the liveness period."""
    import socket

    from redis.asyncio import Redis

    from shared.jobs.liveness import alive_on_host

    if not settings.redis_url:
        typer.echo("REDIS_URL is not set", err=True)
        return 2
    redis = Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)
    try:
        workers = await alive_on_host(redis, socket.gethostname())
    except Exception as exc:
        typer.echo(f"cannot reach Redis: {exc!r}", err=True)
        return 1
    finally:
        await redis.aclose()
    for worker_id in workers:
        typer.echo(worker_id)
    return 0 if workers else 1


@app.command()
def sandbox(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Run the local Fal sandbox (https://127.0.0.1:8010 by default; knobs: FAL_SANDBOX_* variables)."""
    from sandbox.server import serve

    settings = _settings()
    serve(host or settings.sandbox_host, port or settings.sandbox_port, settings.data_dir / "sandbox")


def _alembic(*args: str, url: str | None = None) -> None:
    env = {**os.environ}
    if url:
        env["DATABASE_URL"] = url
    subprocess.run([sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini"), *args], check=True, env=env)


@app.command()
def migrate(revision: str = "head") -> None:
    """Apply migrations (alembic upgrade)."""
    _settings()
    _alembic("upgrade", revision)


async def _seed(settings: Settings) -> int:
    from shared.catalog.service import seed_catalog
    from shared.db import create_engine, create_sessionmaker, session_scope

    engine = create_engine(settings.async_database_url, pool_size=1)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            return await seed_catalog(session)
    finally:
        await engine.dispose()


@app.command()
def seed() -> None:
    """Upsert the base-model catalogue."""
    n = asyncio.run(_seed(_settings()))
    typer.echo(f"seeded {n} base models", err=True)


async def _create_key(settings: Settings, owner: str, name: str | None) -> str:
    from shared.auth.service import create_key
    from shared.db import create_engine, create_sessionmaker, session_scope

    engine = create_engine(settings.async_database_url, pool_size=1)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            _, raw = await create_key(session, owner, name)
            return raw
    finally:
        await engine.dispose()


@keys_app.command("create")
def keys_create(
    owner: Annotated[str, typer.Option(help="Owner name (created if new)")],
    name: Annotated[str | None, typer.Option(help="A label for the key")] = None,
) -> None:
    """Create an API key; prints the key alone on stdout (it is not shown again)."""
    typer.echo(asyncio.run(_create_key(_settings(), owner, name)))


@keys_app.command("list")
def keys_list(owner: Annotated[str | None, typer.Option(help="Only this owner's keys")] = None) -> None:
    """List keys (prefix, owner, status) — never the keys themselves."""
    from shared.auth.service import list_keys
    from shared.db import create_engine, create_sessionmaker, session_scope

    async def run() -> None:
        engine = create_engine(_settings().async_database_url, pool_size=1)
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                for key, own in await list_keys(session, owner):
                    status = "revoked" if key.revoked_at else "active"
                    typer.echo(f"{key.id}\t{key.prefix}…\t{own.name}\t{status}\t{key.created_at.isoformat()}")
        finally:
            await engine.dispose()

    asyncio.run(run())


@keys_app.command("revoke")
def keys_revoke(key: Annotated[str, typer.Argument(help="Key id (key_…) or its prefix")]) -> None:
    """Revoke a key: requests with it get 401 from now on."""
    from shared.auth.service import revoke_key
    from shared.db import create_engine, create_sessionmaker, session_scope

    async def run() -> bool:
        engine = create_engine(_settings().async_database_url, pool_size=1)
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                return await revoke_key(session, key)
        finally:
            await engine.dispose()

    if not asyncio.run(run()):
        typer.echo(f"no active key {key!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key}", err=True)


@app.command()
def dev() -> None:
    """Run everything locally: embedded Postgres + Redis (unless DATABASE_URL/REDIS_URL are set),
    migrations, seed, the Fal sandbox (unless FAL_KEY is set), the API and the worker."""
    from fotogen.dev import run_dev

    raise typer.Exit(run_dev())

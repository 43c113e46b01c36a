"""``fotogen`` command line: api, worker, dev, sandbox, migrate, seed, keys.

With ``DATABASE_URL`` / ``REDIS_URL`` unset, commands use the servers of a ``fotogen dev`` running on the same
data dir (``fotogen.state``). Every failure ends in one line on stderr and a non-zero exit, never a traceback
(``FOTOGEN_DEBUG=1`` shows it).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from fotogen.state import read_state
from shared.config import Settings

app = typer.Typer(
    help="FotoGen: personalised image generation backend.", no_args_is_help=True, pretty_exceptions_enable=False
)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(keys_app, name="keys")

ROOT = Path(__file__).resolve().parent.parent


class CLIError(Exception):
    """A failure the CLI reports as one line (``main`` prints it)."""


def _settings() -> Settings:
    """Settings from the environment; unset ``DATABASE_URL`` / ``REDIS_URL`` come from a running ``fotogen dev``
    on the same data dir. They are exported too, so what this command starts (uvicorn's app factory) sees them."""
    try:
        settings = Settings()
    except ValidationError as exc:
        messages = (
            ".".join(str(p) for p in e["loc"]) + ": " * bool(e["loc"]) + str(e["msg"]).removeprefix("Value error, ")
            for e in exc.errors()
        )
        raise CLIError("configuration error: " + "; ".join(messages)) from None
    if settings.database_url and settings.redis_url:
        return settings
    state = read_state(settings.data_dir)
    if state is None:
        return settings
    updates = {}
    if not settings.database_url:
        updates["database_url"] = os.environ["DATABASE_URL"] = state.database_url
    if not settings.redis_url:
        updates["redis_url"] = os.environ["REDIS_URL"] = state.redis_url
    return settings.model_copy(update=updates)


def _database_url(settings: Settings) -> str:
    if not settings.database_url:
        raise CLIError(
            f"no database: set DATABASE_URL, or start `fotogen dev` (data dir {settings.data_dir.resolve()}) first"
        )
    return settings.async_database_url


def _describe(exc: BaseException) -> str:
    """One line for an error: the driver's own message for database errors, the first line otherwise."""
    from sqlalchemy.exc import DBAPIError

    database = isinstance(exc, DBAPIError) and exc.orig is not None
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    text = str(exc).strip().splitlines()
    message = text[0] if text else type(exc).__name__
    if database:
        return f"database error: {message}"
    if isinstance(exc, (CLIError, RuntimeError)):
        return message
    if isinstance(exc, (OSError, TimeoutError)) or type(exc).__module__.startswith(("asyncpg", "redis")):
        return f"cannot reach a server: {message} (is `fotogen dev` running, or DATABASE_URL/REDIS_URL right?)"
    return f"{type(exc).__name__}: {message}"


def main() -> None:
    """The ``fotogen`` script: typer's app, with any failure printed as one line."""
    try:
        app(prog_name="fotogen")
    except (KeyboardInterrupt, asyncio.CancelledError):
        # Ctrl-C (or SIGINT from a supervisor) while a command was starting up: stopping is not an error.
        raise SystemExit(130) from None
    except Exception as exc:
        if os.environ.get("FOTOGEN_DEBUG"):
            raise
        _report(_describe(exc))
        raise SystemExit(1) from None


def _report(message: str) -> None:
    """The error line: through the log stream when a serving command set it up (JSON stays JSON), else plain."""
    import logging

    import structlog

    if any(isinstance(h.formatter, structlog.stdlib.ProcessorFormatter) for h in logging.getLogger().handlers):
        logging.getLogger("fotogen").error("fotogen: error: %s", message)
    else:
        typer.echo(f"fotogen: error: {message}", err=True)


@app.command()
def api(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Run the HTTP API (uvicorn)."""
    import uvicorn

    from shared.logging import configure_logging, logging_config

    settings = _settings()
    configure_logging(settings.log_level, settings.log_json)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        # One log stream: uvicorn's loggers go through our formatter in every worker process (shared.logging);
        # its own access log is off, ``api.middleware`` writes one with the request id and latency.
        log_config=logging_config(settings.log_level, settings.log_json),
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
    from shared.logging import configure_logging
    from worker.settings import build_worker

    configure_logging(settings.log_level, settings.log_json)
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


@app.command()
def migrate(revision: str = "head") -> None:
    """Apply migrations (alembic upgrade)."""
    from alembic import command
    from alembic.config import Config

    settings = _settings()
    _database_url(settings)
    # In-process, so a failure reaches ``main`` as an exception and prints as one line.
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", (settings.database_url or "").replace("%", "%%"))
    command.upgrade(config, revision)


async def _seed(settings: Settings) -> int:
    from shared.catalog.service import seed_catalog
    from shared.db import create_engine, create_sessionmaker, session_scope

    engine = create_engine(_database_url(settings), pool_size=1)
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

    engine = create_engine(_database_url(settings), pool_size=1)
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
        engine = create_engine(_database_url(_settings()), pool_size=1)
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
        engine = create_engine(_database_url(_settings()), pool_size=1)
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                return await revoke_key(session, key)
        finally:
            await engine.dispose()

    if not asyncio.run(run()):
        raise CLIError(f"no active key {key!r}")
    typer.echo(f"revoked {key}", err=True)


@app.command()
def dev() -> None:
    """Run everything locally: embedded Postgres + Redis (unless DATABASE_URL/REDIS_URL are set),
    migrations, seed, the Fal sandbox (unless FAL_KEY is set), the API and the worker."""
    from fotogen.dev import run_dev

    raise typer.Exit(run_dev())

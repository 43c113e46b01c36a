"""Helpers the fixtures and the tests share: databases, settings, API keys.

They live here, not in ``conftest.py``: several test folders have a ``conftest.py`` of their own, and
``from conftest import ...`` resolves to whichever one was imported last.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from shared.config import Settings, to_asyncpg_url

ROOT = Path(__file__).resolve().parent.parent.parent


def _asyncpg_dsn(url: str) -> str:
    return make_url(to_asyncpg_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def _with_db(url: str, name: str) -> str:
    return make_url(to_asyncpg_url(url)).set(database=name).render_as_string(hide_password=False)


def migrate(url: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini"), *args],
        check=True,
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
    )


async def _admin(admin_url: str, sql: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def create_database(admin_url: str, name: str) -> str:
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    return _with_db(admin_url, name)


async def drop_database(admin_url: str, name: str) -> None:
    await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(database_url: str, redis_url: str, data_dir: Path, run_id: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "redis_url": redis_url,
        "data_dir": data_dir,
        "queue_name": f"fotogen:test:{run_id}",
        "public_url": "http://127.0.0.1:1",
        "secret_key": "test-secret-key-" + "x" * 32,
        "log_json": False,
        "log_level": "WARNING",
        "allow_private_webhook_urls": True,
        "worker_poll_delay": 0.01,
        "provider_poll_interval": 0.05,
        "job_lease_seconds": 6.0,
        "reconcile_grace_seconds": 1.0,
        "reconcile_interval_seconds": 1,
        "fal_webhooks_enabled": False,
    }
    values.update(overrides)
    return Settings(**values)


async def new_api_key(app: Any, owner: str | None = None) -> str:
    from shared.auth.service import create_key

    async with app.state.sessionmaker() as session:
        _, raw = await create_key(session, owner or f"owner-{secrets.token_hex(6)}")
        await session.commit()
    return raw

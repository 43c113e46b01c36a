from __future__ import annotations

import asyncio
import secrets

from support.env import create_database, drop_database, migrate


async def test_upgrade_downgrade_round_trip_and_check(admin_url: str) -> None:
    """head → base → head on an empty database, then `alembic check` finds no drift from the models."""
    name = f"fotogen_mig_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    try:
        await asyncio.to_thread(migrate, url, "upgrade", "head")
        await asyncio.to_thread(migrate, url, "downgrade", "base")
        await asyncio.to_thread(migrate, url, "upgrade", "head")
        await asyncio.to_thread(migrate, url, "check")
    finally:
        await drop_database(admin_url, name)

"""A service of its own for tests whose outcome depends on *which worker settings* run a job (deadlines, the
crash window of a submit): a fresh migrated and seeded database, a queue of its own, and the API app on them.

The session's database is shared by every test, and every worker's reconciler takes over any due step whose
lease is free or whose worker died, whatever queue it came from; on the shared database the session's
in-process worker (default deadlines, no callbacks) could take over such a test's job.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from support.env import create_database, drop_database, make_settings, migrate

from shared.catalog.service import seed_catalog
from shared.config import Settings


@asynccontextmanager
async def isolated_service(admin_url: str, settings: Settings, live_api: str) -> AsyncIterator[tuple[Any, Settings]]:
    """(the API app, its settings): the session's Redis, storage and sandbox, everything else its own."""
    from api.app import create_app

    name = f"fotogen_test_iso_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    try:
        await asyncio.to_thread(migrate, url, "upgrade", "head")
        own = make_settings(
            url,
            settings.redis_url or "",
            settings.data_dir,
            "unused",
            queue_name=f"{settings.queue_name}:iso:{secrets.token_hex(3)}",
            public_url=live_api,
            fal_queue_url=settings.fal_queue_url,
            fal_ca_file=settings.fal_ca_file,
        )
        application = create_app(own)
        async with application.router.lifespan_context(application):
            async with application.state.sessionmaker() as session:
                await seed_catalog(session)
                await session.commit()
            yield application, own
    finally:
        await drop_database(admin_url, name)

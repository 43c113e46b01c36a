"""Cron: delete single uploads that expired unused (``shared.uploads.single``)."""

from __future__ import annotations

from typing import Any

from shared.uploads.single import sweep_expired_uploads


async def sweep_uploads(ctx: dict[str, Any]) -> int:
    return await sweep_expired_uploads(ctx["sessionmaker"], ctx["storage"])

"""Webhook tasks: one delivery attempt per arq job, and the outbox reconciler (cron)."""

from __future__ import annotations

from typing import Any

from shared.queue import commit
from shared.webhooks.delivery import deliver
from shared.webhooks.outbox import reconcile_deliveries
from shared.webhooks.service import prune_provider_receipts

RECEIPT_RETENTION_SECONDS = 3600.0


async def deliver_webhook(ctx: dict[str, Any], delivery_id: str, attempt: int = 1) -> str:
    """Attempt ``attempt`` of delivery ``delivery_id`` (arq id ``webhook:{delivery_id}:{attempt}``)."""
    return await deliver(
        settings=ctx["settings"],
        sessionmaker=ctx["sessionmaker"],
        redis=ctx["redis"],
        http=ctx["http"],
        delivery_id=delivery_id,
        attempt=attempt,
    )


async def reconcile_webhooks(ctx: dict[str, Any]) -> int:
    """Cron: re-enqueue pending deliveries whose enqueue was lost; forget old provider-webhook receipts."""
    settings = ctx["settings"]
    async with ctx["sessionmaker"]() as session:
        count = await reconcile_deliveries(
            session,
            grace_seconds=settings.webhook_reconcile_grace_seconds,
            lease_seconds=settings.webhook_timeout_seconds + 30,
        )
        await prune_provider_receipts(
            session, older_than_seconds=max(RECEIPT_RETENTION_SECONDS, 2 * settings.fal_webhook_tolerance_seconds)
        )
        await commit(session, ctx["redis"])
    return count

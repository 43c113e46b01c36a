"""The webhook outbox: a delivery row per matching endpoint, written in the transaction of its event.

``shared.events.service.write_event`` calls :func:`write_deliveries`, so a delivery exists if and only if
its event committed. The arq task ``deliver_webhook`` is enqueued *after* that commit
(``enqueue_after_commit``) with the deterministic id ``webhook:{delivery_id}:{attempt}``; should the
enqueue be lost, :func:`reconcile_deliveries` (a worker cron) finds the pending row whose
``next_attempt_at`` passed long ago and enqueues it again.

This module sits below ``shared.events`` (it imports nothing of it): events write the outbox, the
outbox knows nothing of how events are written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.ids import new_id
from shared.jobs import lease
from shared.models import Event, WebhookDelivery
from shared.queue import enqueue_after_commit

DELIVER_TASK = "deliver_webhook"


def delivery_job_id(delivery_id: str, attempt: int) -> str:
    return f"webhook:{delivery_id}:{attempt}"


def enqueue_attempt(session: AsyncSession, delivery_id: str, attempt: int, defer_by: float = 0.0) -> None:
    """Send attempt ``attempt`` of the delivery to the queue once the caller commits."""
    enqueue_after_commit(
        session,
        DELIVER_TASK,
        delivery_id,
        attempt,
        job_id=delivery_job_id(delivery_id, attempt),
        defer_by=timedelta(seconds=defer_by) if defer_by > 0 else None,
    )


async def write_deliveries(session: AsyncSession, event: Event, endpoints: Iterable[tuple[str, list[str]]]) -> None:
    """One pending delivery per endpoint (``(id, event filter)`` of the owner's endpoints, read in the event's
    own statement) whose filter matches the event."""
    now = utcnow()
    added = False
    for endpoint_id, wanted in endpoints:
        if "*" not in wanted and event.type not in wanted:
            continue
        delivery = WebhookDelivery(
            id=new_id("webhook_delivery"),
            endpoint_id=endpoint_id,
            event_id=event.id,
            owner_id=event.owner_id,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            attempt_log=[],
        )
        session.add(delivery)
        enqueue_attempt(session, delivery.id, 1)
        added = True
    if added:
        await session.flush()


async def reconcile_deliveries(session: AsyncSession, *, grace_seconds: float, lease_seconds: float) -> int:
    """Re-enqueue pending deliveries whose attempt was due more than ``grace_seconds`` ago (the enqueue was
    lost, or the worker died mid-attempt). ``next_attempt_at`` moves ``lease_seconds`` ahead so the next
    cron tick does not enqueue them again while they run. The caller commits (``shared.queue.commit``)."""
    rows = await lease.claim_due(
        session,
        WebhookDelivery,
        [WebhookDelivery.status == "pending", lease.is_overdue(WebhookDelivery.next_attempt_at, grace_seconds)],
        values={"next_attempt_at": lease.expires(lease_seconds)},
        returning=[WebhookDelivery.id, WebhookDelivery.attempts],
    )
    for delivery_id, attempts in rows:
        enqueue_attempt(session, delivery_id, attempts + 1)
    return len(rows)

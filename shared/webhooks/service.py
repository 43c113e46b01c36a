"""Webhook endpoints (CRUD), the deliveries log, and pruning of provider-callback receipts.

The outbox (a delivery row per matching endpoint, written with each event) is ``shared.webhooks.outbox``.
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import ValidationFailed
from shared.events.schemas import EVENT_TYPES
from shared.ids import new_id
from shared.models import Event, ProviderWebhookReceipt, WebhookDelivery, WebhookEndpoint
from shared.pagination import Page, paginate
from shared.scope import OwnerScope
from shared.webhooks.schemas import (
    WebhookDeliveryOut,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointOut,
)
from shared.webhooks.urls import check_webhook_url

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


def new_secret() -> str:
    """``whsec_`` + base64 of 32 random bytes (Standard Webhooks: 24 to 64 bytes)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def normalize_event_filter(events: list[str]) -> list[str]:
    if "*" in events:
        return ["*"]
    unknown = [(i, value) for i, value in enumerate(events) if value not in EVENT_TYPES]
    if unknown:
        errors: list[dict[str, Any]] = [
            {"loc": ["body", "events", i], "code": "unknown_event_type", "detail": f"Unknown event type {value!r}."}
            for i, value in unknown
        ]
        raise ValidationFailed(
            f'events: unknown event type {unknown[0][1]!r}. Use known event types or ["*"].',
            code="invalid_event_filter",
            errors=errors,
        )
    return sorted(set(events), key=EVENT_TYPES.index)


# -- endpoints -------------------------------------------------------------------------------------------


async def create_endpoint(
    scope: OwnerScope, body: WebhookEndpointCreate, *, allow_private: bool
) -> WebhookEndpointCreated:
    events = normalize_event_filter(body.events)
    url = body.url.strip()
    await check_webhook_url(url, allow_private=allow_private)
    endpoint = WebhookEndpoint(
        id=new_id("webhook_endpoint"),
        owner_id=scope.owner_id,
        url=url,
        events=events,
        description=body.description,
        secret=new_secret(),
    )
    scope.session.add(endpoint)
    await scope.session.flush()
    return WebhookEndpointCreated(
        id=endpoint.id,
        url=endpoint.url,
        events=endpoint.events,
        description=endpoint.description,
        created_at=endpoint.created_at,
        secret=endpoint.secret,
    )


async def list_endpoints(scope: OwnerScope, *, limit: int, after: str | None) -> Page[WebhookEndpointOut]:
    rows = await paginate(scope.session, scope.select(WebhookEndpoint), WebhookEndpoint.id, limit=limit, after=after)
    return Page(
        data=[WebhookEndpointOut.model_validate(r) for r in rows.items],
        has_more=rows.has_more,
        next_cursor=rows.next_cursor,
    )


async def get_endpoint(scope: OwnerScope, endpoint_id: str) -> WebhookEndpoint:
    return await scope.get(WebhookEndpoint, endpoint_id, "webhook_endpoint")


async def delete_endpoint(scope: OwnerScope, endpoint_id: str) -> None:
    """Deletes the endpoint and its delivery log; pending deliveries are simply never sent."""
    endpoint = await get_endpoint(scope, endpoint_id)
    await scope.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    await scope.session.delete(endpoint)
    await scope.session.flush()


async def list_deliveries(
    scope: OwnerScope, endpoint_id: str, *, limit: int, after: str | None
) -> Page[WebhookDeliveryOut]:
    endpoint = await get_endpoint(scope, endpoint_id)
    stmt = select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.owner_id == scope.owner_id
    )
    rows = await paginate(scope.session, stmt, WebhookDelivery.id, limit=limit, after=after)
    event_ids = {d.event_id for d in rows.items}
    types: dict[int, str] = {}
    if event_ids:
        types = dict((await scope.session.execute(select(Event.id, Event.type).where(Event.id.in_(event_ids)))).all())
    return Page(
        data=[delivery_out(d, types.get(d.event_id, "")) for d in rows.items],
        has_more=rows.has_more,
        next_cursor=rows.next_cursor,
    )


def delivery_out(d: WebhookDelivery, event_type: str) -> WebhookDeliveryOut:
    return WebhookDeliveryOut(
        id=d.id,
        endpoint_id=d.endpoint_id,
        event_id=d.event_id,
        event_type=event_type,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
        last_status_code=d.last_status_code,
        last_latency_ms=d.last_latency_ms,
        last_error=d.last_error,
        created_at=d.created_at,
        delivered_at=d.delivered_at,
    )


async def prune_provider_receipts(session: AsyncSession, *, older_than_seconds: float) -> int:
    """Receipts only need to outlive the timestamp tolerance: an older callback is refused as stale anyway."""
    result = await session.execute(
        delete(ProviderWebhookReceipt).where(
            ProviderWebhookReceipt.received_at < func.now() - timedelta(seconds=older_than_seconds)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)

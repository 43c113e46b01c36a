"""Sending one delivery attempt, Standard Webhooks style (https://www.standardwebhooks.com).

Request: ``POST <url>`` with body ``{"type", "timestamp", "data"}`` (``data`` is the event exactly as the
events API shows it: ``{id, type, job_type, job_id, created_at, data: {job, ...}}``) and headers
``webhook-id`` (the delivery id: the same on every retry, receivers dedupe on it), ``webhook-timestamp``
(unix seconds of this attempt) and ``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``
keyed by the base64-decoded part of the endpoint's ``whsec_`` secret.

Attempt ``n`` is the arq job ``webhook:{delivery_id}:{n}``. It first *claims* the attempt with a conditional
``UPDATE … WHERE attempts = n - 1`` — a duplicate or stale job finds nothing to claim and does nothing —
then sends, then records status code, latency and error. A 2xx answer delivers; anything else schedules
attempt ``n + 1`` after an exponential backoff with jitter, until ``webhook_max_attempts`` have failed
(``failed``). Redirects are not followed (a redirect is an answer, and a way around the address check).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import httpx
import structlog
from arq.connections import ArqRedis
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.config import Settings
from shared.db import utcnow
from shared.events.schemas import EventOut
from shared.jobs import lease
from shared.models import Event, WebhookDelivery, WebhookEndpoint
from shared.queue import commit
from shared.webhooks.outbox import enqueue_attempt
from shared.webhooks.service import SECRET_PREFIX
from shared.webhooks.urls import WebhookUrlError, check_webhook_url, parse_webhook_url

log = structlog.get_logger("webhooks")

USER_AGENT = "FotoGen-Webhooks/1"
MAX_ERROR_LENGTH = 500


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256>`` of ``{msg_id}.{timestamp}.{body}``."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def payload(event: Event) -> bytes:
    out = EventOut.model_validate(event).model_dump(mode="json")
    return json.dumps({"type": event.type, "timestamp": out["created_at"], "data": out}, separators=(",", ":")).encode()


def backoff_seconds(settings: Settings, attempt: int) -> float:
    """Before attempt ``attempt + 1``: ``base * 2**(attempt-1)`` capped, "equal jitter" (half fixed, half random)."""
    base, cap = settings.webhook_backoff_base_seconds, settings.webhook_backoff_max_seconds
    return lease.backoff(attempt, base, cap, jitter="equal")


async def _claim(
    sessionmaker: async_sessionmaker[AsyncSession], delivery_id: str, attempt: int, seconds: float
) -> bool:
    """Attempt ``attempt`` is ours if the delivery is still pending after ``attempt - 1`` attempts; its
    ``next_attempt_at`` becomes the lease (the reconciler leaves it alone until then)."""
    where = [
        WebhookDelivery.id == delivery_id,
        WebhookDelivery.status == "pending",
        WebhookDelivery.attempts == attempt - 1,
    ]
    async with sessionmaker() as session:
        claimed = await lease.claim(
            session,
            WebhookDelivery,
            WebhookDelivery.next_attempt_at,
            seconds,
            where,
            values={"attempts": attempt},
            returning=[WebhookDelivery.id],
        )
        await session.commit()
    return claimed is not None


def _pinned(url: str, addresses: list[Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """Connect to the address that passed the check (not whatever DNS says a moment later): the URL gets
    the IP, ``Host`` and TLS SNI/verification keep the original name."""
    if not addresses:
        return url, {}, {}
    parts = parse_webhook_url(url)
    host = parts.hostname or ""
    address = addresses[0]
    ip = f"[{address}]" if address.version == 6 else str(address)
    netloc = ip if parts.port is None else f"{ip}:{parts.port}"
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    pinned = parts._replace(netloc=netloc).geturl()
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return pinned, {"Host": host_header}, extensions


async def _send(
    http: httpx.AsyncClient, settings: Settings, endpoint: WebhookEndpoint, delivery_id: str, body: bytes
) -> tuple[int | None, int, str | None]:
    """(status code or None, latency ms, error or None) of one HTTP attempt."""
    try:
        addresses = await check_webhook_url(endpoint.url, allow_private=settings.allow_private_webhook_urls)
    except WebhookUrlError as exc:
        return None, 0, f"{exc.code}: {exc.detail}"
    url, extra_headers, extensions = _pinned(endpoint.url, addresses)
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(endpoint.secret, delivery_id, timestamp, body),
        **extra_headers,
    }
    started = time.perf_counter()
    try:
        response = await http.post(
            url,
            content=body,
            headers=headers,
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,
            extensions=extensions,
        )
    except httpx.HTTPError as exc:
        latency = round((time.perf_counter() - started) * 1000)
        return None, latency, f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH] or type(exc).__name__
    latency = round((time.perf_counter() - started) * 1000)
    if response.is_success:
        return response.status_code, latency, None
    return response.status_code, latency, f"HTTP {response.status_code}"


async def deliver(
    *,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    redis: ArqRedis,
    http: httpx.AsyncClient,
    delivery_id: str,
    attempt: int,
) -> str:
    """Run attempt ``attempt`` of a delivery; returns what happened (``skipped``, ``succeeded``, ``retry``,
    ``failed``)."""
    lease = settings.webhook_timeout_seconds + 30
    if not await _claim(sessionmaker, delivery_id, attempt, lease):
        return "skipped"
    async with sessionmaker() as session:
        row = (
            await session.execute(
                select(WebhookDelivery, WebhookEndpoint, Event)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .join(Event, Event.id == WebhookDelivery.event_id)
                .where(WebhookDelivery.id == delivery_id)
            )
        ).one_or_none()
    if row is None:  # the endpoint was deleted meanwhile
        return "skipped"
    delivery, endpoint, event = row
    status_code, latency, error = await _send(http, settings, endpoint, delivery_id, payload(event))

    now = utcnow()
    entry = {"attempt": attempt, "at": now.isoformat(), "status_code": status_code, "latency_ms": latency}
    if error:
        entry["error"] = error
    values: dict[str, Any] = {
        "last_status_code": status_code,
        "last_latency_ms": latency,
        "last_error": error,
        "attempt_log": [*delivery.attempt_log, entry][-50:],
    }
    if error is None:
        outcome = "succeeded"
        values.update(status="succeeded", delivered_at=now, next_attempt_at=None)
    elif attempt >= settings.webhook_max_attempts:
        outcome = "failed"
        values.update(status="failed", next_attempt_at=None)
    else:
        outcome = "retry"
        delay = backoff_seconds(settings, attempt)
        values.update(next_attempt_at=now + timedelta(seconds=delay))
    async with sessionmaker() as session:
        updated = (
            await session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.attempts == attempt,
                )
                .values(**values)
                .returning(WebhookDelivery.id)
            )
        ).scalar_one_or_none()
        if updated is not None and outcome == "retry":
            enqueue_attempt(session, delivery_id, attempt + 1, delay)
        await commit(session, redis)
    log.info(
        "webhook_attempt",
        delivery_id=delivery_id,
        attempt=attempt,
        outcome=outcome,
        status_code=status_code,
        latency_ms=latency,
        error=error,
    )
    return outcome

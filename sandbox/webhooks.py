"""Webhook delivery in Fal's shape, with the sandbox's realism: repeats and delays.

Fal retries a webhook its receiver did not acknowledge (several times, over hours), so a receiver sees the
same signed body more than once, and not necessarily in completion order. The ``webhook_repeats``,
``webhook_delay`` and ``webhook_repeat_delay`` knobs reproduce that: every repeat carries byte-identical
body and signature headers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable

import httpx

from sandbox.apps.common import JSON
from sandbox.config import SandboxConfig
from sandbox.records import RequestRecord, wall_clock
from sandbox.signing import WebhookSigner


def webhook_body(rec: RequestRecord) -> JSON:
    if rec.error is None:
        return {
            "request_id": rec.request_id,
            "gateway_request_id": rec.request_id,
            "status": "OK",
            "payload": rec.result,
            "error": None,
        }
    return {
        "request_id": rec.request_id,
        "gateway_request_id": rec.request_id,
        "status": "ERROR",
        "payload": rec.error.body(),
        "error": f"Invalid status code: {rec.error.status_code}",
    }


class WebhookDispatcher:
    def __init__(
        self, signer: WebhookSigner, config: Callable[[], SandboxConfig], http: Callable[[], httpx.AsyncClient]
    ) -> None:
        self.signer = signer
        self._config = config
        self._http = http
        self._tasks: set[asyncio.Task[None]] = set()

    def schedule(self, rec: RequestRecord) -> None:
        if rec.webhook_url is None:
            return
        cfg = self._config()
        if cfg.drop_webhooks:
            rec.webhook = {"url": rec.webhook_url, "dropped": True, "delivered": False}
            return
        # the knobs in force at completion decide this request's deliveries
        task = asyncio.create_task(self._deliver(rec, cfg.webhook_repeats, cfg.webhook_delay, cfg.webhook_repeat_delay))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, rec: RequestRecord, repeats: int, delay: float, repeat_delay: float) -> None:
        assert rec.webhook_url is not None
        body = json.dumps(webhook_body(rec)).encode()
        headers = {
            "Content-Type": "application/json",
            **self.signer.headers(rec.request_id, self._config().webhook_user_id, body),
        }
        for attempt in range(repeats):
            await asyncio.sleep(delay if attempt == 0 else repeat_delay)
            info: JSON = {"url": rec.webhook_url, "dropped": False, "delivered": False, "at": wall_clock()}
            rec.webhook = info
            rec.webhook_deliveries.append(info)
            try:
                resp = await self._http().post(
                    rec.webhook_url, content=body, headers=headers, timeout=self._config().webhook_timeout
                )
                info["status_code"] = resp.status_code
                info["delivered"] = resp.is_success
            except httpx.HTTPError as exc:
                info["error"] = repr(exc)

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(BaseException):
                await t

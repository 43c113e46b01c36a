"""What the sandbox remembers about one queue request (and shows at ``GET /_sandbox/requests``)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.apps.common import JSON, AppError
from sandbox.magic import MagicWords

IN_QUEUE, IN_PROGRESS, COMPLETED = "IN_QUEUE", "IN_PROGRESS", "COMPLETED"

# Wall-clock readings derived from the monotonic clock: the inspection endpoint shows Unix times, and the
# intervals between them equal the sleeps that made them even while NTP slews ``time.time()``.
_WALL_ANCHOR = time.time() - time.monotonic()


def wall_clock() -> float:
    return _WALL_ANCHOR + time.monotonic()


@dataclass
class RequestRecord:
    request_id: str
    endpoint: str
    app_id: str
    input: JSON
    webhook_url: str | None
    base_url: str
    magic: MagicWords = field(default_factory=MagicWords)
    submitted_at: float = field(default_factory=wall_clock)
    status: str = IN_QUEUE
    started_at: float | None = None
    completed_at: float | None = None
    outcome: str | None = None  # ok | error | cancelled
    result: JSON | None = None
    error: AppError | None = None
    logs: list[JSON] = field(default_factory=list)
    status_calls: int = 0
    stream_calls: int = 0
    result_calls: int = 0
    cancel_calls: list[JSON] = field(default_factory=list)
    cancel_ignored: bool = False  # a cancel arrived and the runner finished anyway
    dropped_fields: list[str] = field(default_factory=list)  # unknown inputs ignored (strict_inputs off)
    webhook: JSON | None = None  # the last delivery (or the drop)
    webhook_deliveries: list[JSON] = field(default_factory=list)
    cancel_requested: bool = False
    task: asyncio.Task[None] | None = None
    # Set (and replaced) on every change a status stream shows: the status, a new log line.
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def touch(self) -> None:
        """Wake the status streams of this request (something they show changed)."""
        changed, self.changed = self.changed, asyncio.Event()
        changed.set()

    def urls(self) -> JSON:
        base = f"{self.base_url.rstrip('/')}/{self.app_id}/requests/{self.request_id}"
        return {"response_url": base, "status_url": f"{base}/status", "cancel_url": f"{base}/cancel"}

    def public(self) -> JSON:
        return {
            "request_id": self.request_id,
            "endpoint": self.endpoint,
            "app_id": self.app_id,
            "input": self.input,
            "webhook_url": self.webhook_url,
            "status": self.status,
            "outcome": self.outcome,
            "error": self.error.body() if self.error else None,
            "submitted_at": self.submitted_at,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "status_calls": self.status_calls,
            "stream_calls": self.stream_calls,
            "result_calls": self.result_calls,
            "cancel_calls": self.cancel_calls,
            "cancel_ignored": self.cancel_ignored,
            "dropped_fields": self.dropped_fields,
            "magic_words": _magic_public(self.magic),
            "webhook": self.webhook,
            "webhook_deliveries": self.webhook_deliveries,
            "logs": [entry["message"] for entry in self.logs],
        }


def _magic_public(magic: MagicWords) -> JSON | None:
    if not magic.any:
        return None
    out: dict[str, Any] = {"fail": magic.fail, "nsfw": magic.nsfw, "slow": magic.slow, "stuck": magic.stuck}
    return out

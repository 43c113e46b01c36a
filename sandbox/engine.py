"""The sandbox's state and request processing: queueing, running apps, faults, cancel.

How a request ends, as on Fal, is always ``COMPLETED``: with a result, or with an error whose HTTP
status the result GET answers (``{detail, error_type}``, ``X-Fal-Error-Type`` and ``x-fal-request-id``).

Cancel (``PUT …/cancel``), as Fal documents it: a queued request is removed (202
``CANCELLATION_REQUESTED``; it then shows ``COMPLETED`` with ``error_type`` ``client_cancelled`` and its
result GET answers 499, the status Fal's request-error table gives that type); an ``IN_PROGRESS`` request's
runner is only signalled: by default the sandbox's runner stops the same way, with ``cancel_ignored`` it
finishes and the request completes normally (and would be billed); a completed one answers 400
``ALREADY_COMPLETED``. Fal has no ``request_cancelled`` error type; ``legacy_cancel_error`` brings back the
sandbox's old one (HTTP 400) for product code that still expects it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from sandbox.apps import APPS, AppError, AppSpec, JobContext
from sandbox.apps.common import JSON, FileStore
from sandbox.config import SandboxConfig
from sandbox.magic import error_detail, error_status, read_magic_words
from sandbox.records import COMPLETED, IN_PROGRESS, IN_QUEUE, RequestRecord, wall_clock
from sandbox.schemas import fal_errors, parse_input
from sandbox.signing import WebhookSigner
from sandbox.tls import client_ssl_context
from sandbox.webhooks import WebhookDispatcher

log = logging.getLogger("sandbox")

GATEWAY_CODES = (502, 503, 504)


def final_error(error_type: str) -> AppError:
    return AppError(error_status(error_type), error_detail(error_type), error_type)


class Sandbox:
    """All sandbox state (in memory) plus request processing."""

    def __init__(self, config: SandboxConfig, data_dir: Path | None, ca_cert: Path | None) -> None:
        self.initial_config = config.model_copy()
        self.config = config.model_copy()
        self.rng = random.Random(config.seed)
        self.records: dict[str, RequestRecord] = {}
        self.calls: list[JSON] = []
        self.submit_counts: dict[str, int] = {}
        self.files = FileStore()
        self.signer = WebhookSigner.load_or_create(data_dir)
        self.ca_cert = ca_cert
        self._http: httpx.AsyncClient | None = None
        self.webhooks = WebhookDispatcher(self.signer, lambda: self.config, lambda: self.http)

    @property
    def http(self) -> httpx.AsyncClient:
        assert self._http is not None, "sandbox not started"
        return self._http

    # -- lifecycle -----------------------------------------------------------------------------------
    async def start(self) -> None:
        verify: Any = client_ssl_context(self.ca_cert) if self.config.verify_downloads else False
        self._http = httpx.AsyncClient(verify=verify, follow_redirects=True)

    async def _cancel_tasks(self) -> None:
        tasks = [r.task for r in self.records.values() if r.task is not None and not r.task.done()]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(BaseException):
                await t

    async def stop(self) -> None:
        await self._cancel_tasks()
        await self.webhooks.stop()
        if self._http is not None:
            await self._http.aclose()

    async def reset(self) -> None:
        await self._cancel_tasks()
        await self.webhooks.stop()
        self.records.clear()
        self.calls.clear()
        self.submit_counts.clear()
        self.files.clear()
        self.config = self.initial_config.model_copy()
        self.rng = random.Random(self.config.seed)

    def update_config(self, patch: JSON) -> SandboxConfig:
        new = SandboxConfig(**{**self.config.model_dump(), **patch})
        if "seed" in patch:
            self.rng = random.Random(new.seed)
        self.config = new
        if not new.stuck:
            for rec in self.records.values():
                if rec.status == IN_QUEUE and rec.task is None and not rec.cancel_requested:
                    self._start(rec)
        return new

    # -- queue API helpers ----------------------------------------------------------------------------
    def roll_fault(self, kind: str) -> tuple[int, bool] | None:
        """An injected fault for this call: ``(status, is_gateway)``, or None."""
        if kind not in ("submit", "status", "result"):
            return None
        r = self.rng.random()
        acc = 0.0
        for code in (429, 500, 503):
            acc += float(getattr(self.config, f"{kind}_{code}_rate"))
            if r < acc:
                return code, False
        gateway_rate = float(getattr(self.config, f"{kind}_gateway_rate"))
        if gateway_rate and self.rng.random() < gateway_rate:
            return self.rng.choice(GATEWAY_CODES), True
        return None

    def queue_position(self, rec: RequestRecord) -> int:
        return sum(
            1
            for other in self.records.values()
            if other.app_id == rec.app_id and other.status == IN_QUEUE and other.submitted_at < rec.submitted_at
        )

    def status_body(self, rec: RequestRecord, with_logs: bool) -> JSON:
        body: JSON = {"status": rec.status, "request_id": rec.request_id, **rec.urls()}
        if rec.status == IN_QUEUE:
            body["queue_position"] = self.queue_position(rec)
        elif with_logs:
            # a real runner's log window can drop lines between polls: logs are not append-only
            body["logs"] = list(rec.logs[-self.config.logs_window :] if self.config.logs_rewrite else rec.logs)
        else:
            body["logs"] = None
        if rec.status == COMPLETED:
            elapsed = (rec.completed_at or 0) - (rec.started_at or rec.completed_at or 0)
            body["metrics"] = {"inference_time": round(elapsed, 4) if rec.started_at else None}
            if rec.error is not None:
                body["error"] = rec.error.message()
                body["error_type"] = rec.error.error_type
        return body

    def submit(self, spec: AppSpec, app_id: str, payload: JSON, webhook: str | None, base_url: str) -> RequestRecord:
        rec = RequestRecord(
            request_id=str(uuid.uuid4()),
            endpoint=spec.endpoint,
            app_id=app_id,
            input=payload,
            webhook_url=webhook,
            base_url=base_url,
            magic=read_magic_words(payload),
        )
        self.records[rec.request_id] = rec
        self.submit_counts[spec.endpoint] = self.submit_counts.get(spec.endpoint, 0) + 1
        if not self.config.stuck:
            self._start(rec)
        return rec

    def _start(self, rec: RequestRecord) -> None:
        rec.task = asyncio.create_task(self._process(rec), name=f"sandbox-{rec.request_id}")

    def _cancelled_error(self) -> AppError:
        if self.config.legacy_cancel_error:
            return AppError(400, "Request was cancelled", "request_cancelled")
        return final_error("client_cancelled")

    async def _process(self, rec: RequestRecord) -> None:
        try:
            await asyncio.sleep(self.config.queue_delay)
            rec.status = IN_PROGRESS
            rec.started_at = wall_clock()
            rec.touch()
            self._queue_moved(rec)
            try:
                rec.result = await self._run(rec)
                rec.outcome = "ok"
            except AppError as exc:
                rec.error = exc
                rec.outcome = "error"
            except Exception as exc:
                log.exception("sandbox app %s crashed", rec.endpoint)
                rec.error = AppError(500, f"Unhandled error in app: {exc!r}", "internal_server_error")
                rec.outcome = "error"
        except asyncio.CancelledError:
            if not rec.cancel_requested:
                raise
            rec.error = self._cancelled_error()
            rec.outcome = "cancelled"
        self._complete(rec)

    async def _run(self, rec: RequestRecord) -> JSON:
        spec = APPS[rec.endpoint]
        try:
            params, rec.dropped_fields = parse_input(spec.schema, rec.input, self.config.strict_inputs)
        except ValidationError as exc:
            detail = fal_errors(exc)
            raise AppError(422, detail, detail[0]["type"]) from exc
        ctx = JobContext(
            request_id=rec.request_id,
            endpoint=rec.endpoint,
            input=rec.input,
            params=params,
            nsfw=rec.magic.nsfw,
            nsfw_images=rec.magic.nsfw_images,
            base_url=rec.base_url,
            config=lambda: self.config,
            files=self.files,
            http=self.http,
            random_seed=lambda: self.rng.randrange(2**32),
            logs=rec.logs,
            on_log=rec.touch,
        )
        if rec.dropped_fields:
            ctx.log(f"Ignoring unknown input fields: {', '.join(rec.dropped_fields)}", "WARNING")
        if rec.magic.slow:
            await asyncio.sleep(rec.magic.slow)
        if rec.magic.stuck:
            await asyncio.Event().wait()  # until canceled
        result = await spec.handler(ctx)
        if rec.magic.fail is not None:
            raise final_error(rec.magic.fail)
        if self.rng.random() < self.config.fail_rate:
            raise AppError(
                500, "Internal server error (injected by the sandbox fail_rate knob)", "internal_server_error"
            )
        if self.config.final_error_rate and self.rng.random() < self.config.final_error_rate:
            raise final_error(self.config.final_error_type)
        return result

    def _queue_moved(self, rec: RequestRecord) -> None:
        """``rec`` left the queue: the positions of the requests behind it changed."""
        for other in self.records.values():
            if other is not rec and other.app_id == rec.app_id and other.status == IN_QUEUE:
                other.touch()

    def _complete(self, rec: RequestRecord) -> None:
        was_queued = rec.status == IN_QUEUE
        rec.status = COMPLETED
        rec.completed_at = wall_clock()
        rec.touch()
        if was_queued:
            self._queue_moved(rec)
        self.webhooks.schedule(rec)

    def cancel(self, rec: RequestRecord) -> tuple[int, str]:
        if rec.status == COMPLETED:
            answer = (400, "ALREADY_COMPLETED")
        elif rec.status == IN_PROGRESS and self.config.cancel_ignored:
            answer = (202, "CANCELLATION_REQUESTED")
            rec.cancel_ignored = True  # the runner was told; it finishes anyway
        else:
            answer = (202, "CANCELLATION_REQUESTED")
            rec.cancel_requested = True
            if rec.task is not None:
                rec.task.cancel()
            else:  # a stuck queue: nothing is running it
                rec.error = self._cancelled_error()
                rec.outcome = "cancelled"
                self._complete(rec)
        rec.cancel_calls.append({"at": wall_clock(), "answer": answer[1]})
        return answer

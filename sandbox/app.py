"""The sandbox ASGI app: Fal's queue protocol, the CDN-like file server, JWKS and the control API.

Queue protocol (all need ``Authorization: Key <anything>``):

- ``POST /{owner}/{alias}[/{path}][?fal_webhook=URL]`` → ``{request_id, gateway_request_id, status:
  IN_QUEUE, queue_position, status_url, response_url, cancel_url}``
- ``GET /{owner}/{alias}/requests/{id}/status[?logs=1]`` → 202 ``IN_QUEUE``/``IN_PROGRESS``, 200 ``COMPLETED``
- ``GET /{owner}/{alias}/requests/{id}/status/stream[?logs=1]`` → SSE of status objects, ends at COMPLETED
- ``GET /{owner}/{alias}/requests/{id}`` → result, or HTTP error ``{detail, error_type}`` for a failed request
- ``PUT /{owner}/{alias}/requests/{id}/cancel`` → 202 ``CANCELLATION_REQUESTED`` | 400 ``ALREADY_COMPLETED`` |
  404 ``NOT_FOUND``

No auth: ``GET /files/{id}/{name}``, ``GET /.well-known/jwks.json``, ``GET|PATCH /_sandbox/config``,
``GET /_sandbox/requests``, ``POST /_sandbox/reset``, ``GET /_sandbox/health``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from sandbox.apps import APPS, AppError, AppSpec, JobContext
from sandbox.apps.common import JSON, FileStore
from sandbox.config import SandboxConfig
from sandbox.signing import JWKS_PATH, WebhookSigner
from sandbox.tls import client_ssl_context

log = logging.getLogger("sandbox")

IN_QUEUE, IN_PROGRESS, COMPLETED = "IN_QUEUE", "IN_PROGRESS", "COMPLETED"
_AUTH_RE = re.compile(r"^Key\s+\S+")
_FAULT_BODIES = {
    429: ("Rate limit exceeded (injected by the sandbox)", "rate_limited"),
    500: ("Internal server error (injected by the sandbox)", "internal_server_error"),
    503: ("Service temporarily unavailable (injected by the sandbox)", "service_unavailable"),
}

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
    webhook: JSON | None = None
    cancel_requested: bool = False
    task: asyncio.Task[None] | None = None

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
            "webhook": self.webhook,
            "logs": [entry["message"] for entry in self.logs],
        }


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
        self.http: httpx.AsyncClient | None = None
        self._webhook_tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle -----------------------------------------------------------------------------------
    async def start(self) -> None:
        verify: Any = client_ssl_context(self.ca_cert) if self.config.verify_downloads else False
        self.http = httpx.AsyncClient(verify=verify, follow_redirects=True)

    async def stop(self) -> None:
        tasks = [r.task for r in self.records.values() if r.task is not None] + list(self._webhook_tasks)
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(BaseException):
                await t
        if self.http is not None:
            await self.http.aclose()

    async def reset(self) -> None:
        tasks = [r.task for r in self.records.values() if r.task is not None and not r.task.done()]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(BaseException):
                await t
        self.records.clear()
        self.calls.clear()
        self.submit_counts.clear()
        self.files.clear()
        self.config = self.initial_config.model_copy()
        self.rng = random.Random(self.config.seed)

    def update_config(self, patch: JSON) -> SandboxConfig:
        merged = {**self.config.model_dump(), **patch}
        new = SandboxConfig(**merged)
        if "seed" in patch:
            self.rng = random.Random(new.seed)
        self.config = new
        if not new.stuck:
            for rec in self.records.values():
                if rec.status == IN_QUEUE and rec.task is None and not rec.cancel_requested:
                    self._start(rec)
        return new

    # -- queue API helpers ----------------------------------------------------------------------------
    def roll_fault(self, kind: str) -> int | None:
        if kind not in ("submit", "status", "result"):
            return None
        r = self.rng.random()
        acc = 0.0
        for code in (429, 500, 503):
            acc += float(getattr(self.config, f"{kind}_{code}_rate"))
            if r < acc:
                return code
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
        else:
            body["logs"] = list(rec.logs) if with_logs else None
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
        )
        self.records[rec.request_id] = rec
        self.submit_counts[spec.endpoint] = self.submit_counts.get(spec.endpoint, 0) + 1
        if not self.config.stuck:
            self._start(rec)
        return rec

    def _start(self, rec: RequestRecord) -> None:
        rec.task = asyncio.create_task(self._process(rec), name=f"sandbox-{rec.request_id}")

    async def _process(self, rec: RequestRecord) -> None:
        spec = APPS[rec.endpoint]
        try:
            await asyncio.sleep(self.config.queue_delay)
            rec.status = IN_PROGRESS
            rec.started_at = wall_clock()
            assert self.http is not None
            ctx = JobContext(
                request_id=rec.request_id,
                endpoint=rec.endpoint,
                input=rec.input,
                base_url=rec.base_url,
                config=lambda: self.config,
                files=self.files,
                http=self.http,
                random_seed=lambda: self.rng.randrange(2**32),
                logs=rec.logs,
            )
            try:
                result = await spec.handler(ctx)
                if self.rng.random() < self.config.fail_rate:
                    raise AppError(
                        500,
                        "Internal server error (injected by the sandbox fail_rate knob)",
                        "internal_server_error",
                    )
                rec.result = result
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
            rec.error = AppError(400, "Request was cancelled", "request_cancelled")
            rec.outcome = "cancelled"
        rec.status = COMPLETED
        rec.completed_at = wall_clock()
        self._schedule_webhook(rec)

    def cancel(self, rec: RequestRecord) -> tuple[int, str]:
        if rec.status == COMPLETED:
            answer = (400, "ALREADY_COMPLETED")
        else:
            answer = (202, "CANCELLATION_REQUESTED")
            rec.cancel_requested = True
            if rec.task is not None:
                rec.task.cancel()
            else:  # stuck request: nothing is running it
                rec.error = AppError(400, "Request was cancelled", "request_cancelled")
                rec.outcome = "cancelled"
                rec.status = COMPLETED
                rec.completed_at = wall_clock()
                self._schedule_webhook(rec)
        rec.cancel_calls.append({"at": wall_clock(), "answer": answer[1]})
        return answer

    # -- webhooks ---------------------------------------------------------------------------------------
    def _schedule_webhook(self, rec: RequestRecord) -> None:
        if rec.webhook_url is None:
            return
        if self.config.drop_webhooks:
            rec.webhook = {"url": rec.webhook_url, "dropped": True, "delivered": False}
            return
        task = asyncio.create_task(self._deliver_webhook(rec))
        self._webhook_tasks.add(task)
        task.add_done_callback(self._webhook_tasks.discard)

    def webhook_body(self, rec: RequestRecord) -> JSON:
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

    async def _deliver_webhook(self, rec: RequestRecord) -> None:
        assert rec.webhook_url is not None
        assert self.http is not None
        body = json.dumps(self.webhook_body(rec)).encode()
        headers = {
            "Content-Type": "application/json",
            **self.signer.headers(rec.request_id, self.config.webhook_user_id, body),
        }
        info: JSON = {"url": rec.webhook_url, "dropped": False, "delivered": False, "at": wall_clock()}
        rec.webhook = info
        try:
            resp = await self.http.post(
                rec.webhook_url, content=body, headers=headers, timeout=self.config.webhook_timeout
            )
            info["status_code"] = resp.status_code
            info["delivered"] = resp.is_success
        except httpx.HTTPError as exc:
            info["error"] = repr(exc)


def _json(status: int, body: Any, request_id: str | None = None) -> JSONResponse:
    headers = {"x-fal-request-id": request_id} if request_id else None
    return JSONResponse(body, status_code=status, headers=headers)


def create_sandbox_app(
    config: SandboxConfig | None = None,
    *,
    data_dir: Path | str | None = None,
    ca_cert: Path | str | None = None,
) -> FastAPI:
    """Build the sandbox app.

    ``data_dir`` keeps the webhook signing key; ``ca_cert`` is trusted for downloads and webhooks.
    """
    sb = Sandbox(config or SandboxConfig(), Path(data_dir) if data_dir else None, Path(ca_cert) if ca_cert else None)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await sb.start()
        try:
            yield
        finally:
            await sb.stop()

    app = FastAPI(
        title="FotoGen Fal sandbox",
        lifespan=lifespan,
        docs_url="/_sandbox/docs",
        openapi_url="/_sandbox/openapi.json",
        redoc_url=None,
    )
    app.state.sandbox = sb

    async def gate(
        request: Request, kind: str, request_id: str | None = None, endpoint: str | None = None
    ) -> tuple[JSON, JSONResponse | None]:
        """Latency, auth and injected faults shared by every queue API call; logs the call."""
        entry: JSON = {
            "at": wall_clock(),
            "kind": kind,
            "method": request.method,
            "path": request.url.path,
            "request_id": request_id,
            "endpoint": endpoint,
            "fault": None,
            "status_code": None,
        }
        sb.calls.append(entry)
        if sb.config.latency:
            await asyncio.sleep(sb.config.latency)
        if not _AUTH_RE.match(request.headers.get("authorization", "")):
            entry["status_code"] = 401
            return entry, _json(
                401,
                {
                    "detail": "Missing or invalid credentials: send 'Authorization: Key <FAL_KEY>'",
                    "error_type": "unauthorized",
                },
            )
        code = sb.roll_fault(kind)
        if code is not None:
            entry["fault"] = code
            entry["status_code"] = code
            detail, error_type = _FAULT_BODIES[code]
            return entry, _json(code, {"detail": detail, "error_type": error_type})
        return entry, None

    def finish(entry: JSON, response: Response) -> Response:
        entry["status_code"] = response.status_code
        return response

    # -- unauthenticated ---------------------------------------------------------------------------------
    @app.get("/_sandbox/health")
    async def health() -> JSON:
        return {"ok": True, "apps": sorted(APPS)}

    @app.get("/_sandbox/config")
    async def get_config() -> JSON:
        return sb.config.model_dump()

    @app.patch("/_sandbox/config")
    async def patch_config(request: Request) -> Response:
        try:
            patch = await request.json()
            if not isinstance(patch, dict):
                raise ValueError("body must be a JSON object")
            return _json(200, sb.update_config(patch).model_dump())
        except ValueError as exc:
            return _json(422, {"detail": str(exc)})

    @app.get("/_sandbox/requests")
    async def list_requests(endpoint: str | None = None) -> JSON:
        recs = [r.public() for r in sb.records.values() if endpoint is None or r.endpoint == endpoint]
        calls = [c for c in sb.calls if endpoint is None or c["endpoint"] == endpoint]
        return {"requests": recs, "submit_counts": dict(sb.submit_counts), "calls": calls}

    @app.post("/_sandbox/reset")
    async def reset() -> JSON:
        await sb.reset()
        return {"ok": True}

    @app.get(JWKS_PATH)
    async def jwks() -> JSON:
        return sb.signer.jwks()

    @app.get("/files/{file_id}/{name}")
    async def get_file(file_id: str, name: str) -> Response:
        f = sb.files.get(file_id, name)
        if f is None:
            return _json(404, {"detail": "File not found"})
        return Response(
            f.data, media_type=f.content_type, headers={"Content-Disposition": f'inline; filename="{f.name}"'}
        )

    # -- queue protocol ----------------------------------------------------------------------------------
    def lookup(owner: str, alias: str, request_id: str) -> RequestRecord | None:
        rec = sb.records.get(request_id)
        return rec if rec is not None and rec.app_id == f"{owner}/{alias}" else None

    @app.get("/{owner}/{alias}/requests/{request_id}/status/stream")
    async def status_stream(
        owner: str, alias: str, request_id: str, request: Request, logs: str | None = None
    ) -> Response:
        entry, denied = await gate(request, "stream", request_id)
        if denied is not None:
            return denied
        rec = lookup(owner, alias, request_id)
        if rec is None:
            return finish(entry, _json(404, {"detail": "Request not found", "error_type": "not_found"}))
        rec.stream_calls += 1
        with_logs = _truthy(logs)

        async def events() -> AsyncIterator[bytes]:
            last = None
            while True:
                body = sb.status_body(rec, with_logs)
                encoded = json.dumps(body)
                if encoded != last:
                    yield f"data: {encoded}\n\n".encode()
                    last = encoded
                if rec.status == COMPLETED:
                    return
                await asyncio.sleep(0.05)

        return finish(
            entry,
            StreamingResponse(
                events(),
                media_type="text/event-stream",
                headers={"x-fal-request-id": rec.request_id, "Cache-Control": "no-cache"},
            ),
        )

    @app.get("/{owner}/{alias}/requests/{request_id}/status")
    async def status(owner: str, alias: str, request_id: str, request: Request, logs: str | None = None) -> Response:
        rec = lookup(owner, alias, request_id)
        if rec is not None:
            rec.status_calls += 1
        entry, denied = await gate(request, "status", request_id, rec.endpoint if rec else None)
        if denied is not None:
            return denied
        if rec is None:
            return finish(entry, _json(404, {"detail": "Request not found", "error_type": "not_found"}))
        code = 200 if rec.status == COMPLETED else 202
        return finish(entry, _json(code, sb.status_body(rec, _truthy(logs)), rec.request_id))

    @app.put("/{owner}/{alias}/requests/{request_id}/cancel")
    async def cancel(owner: str, alias: str, request_id: str, request: Request) -> Response:
        rec = lookup(owner, alias, request_id)
        entry, denied = await gate(request, "cancel", request_id, rec.endpoint if rec else None)
        if denied is not None:
            return denied
        if rec is None:
            return finish(entry, _json(404, {"status": "NOT_FOUND"}))
        code, answer = sb.cancel(rec)
        return finish(entry, _json(code, {"status": answer}, rec.request_id))

    @app.get("/{owner}/{alias}/requests/{request_id}")
    async def result(owner: str, alias: str, request_id: str, request: Request) -> Response:
        rec = lookup(owner, alias, request_id)
        if rec is not None:
            rec.result_calls += 1
        entry, denied = await gate(request, "result", request_id, rec.endpoint if rec else None)
        if denied is not None:
            return denied
        if rec is None:
            return finish(entry, _json(404, {"detail": "Request not found", "error_type": "not_found"}))
        if rec.status != COMPLETED:
            return finish(
                entry,
                _json(
                    400,
                    {"detail": "Request is still in progress", "error_type": "request_in_progress"},
                    rec.request_id,
                ),
            )
        if rec.error is not None:
            return finish(entry, _json(rec.error.status_code, rec.error.body(), rec.request_id))
        return finish(entry, _json(200, rec.result, rec.request_id))

    @app.post("/{endpoint:path}")
    async def submit(endpoint: str, request: Request, fal_webhook: str | None = None) -> Response:
        endpoint = endpoint.strip("/")
        spec = APPS.get(endpoint)
        entry, denied = await gate(request, "submit", None, endpoint)
        if denied is not None:
            return denied
        if spec is None:
            return finish(
                entry,
                _json(404, {"detail": f"Application '{endpoint}' not found", "error_type": "not_found"}),
            )
        raw = await request.body()
        try:
            payload = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return finish(entry, _json(422, {"detail": "Request body is not valid JSON", "error_type": "invalid_json"}))
        if not isinstance(payload, dict):
            return finish(
                entry,
                _json(422, {"detail": "Request body must be a JSON object", "error_type": "invalid_json"}),
            )
        app_id = "/".join(endpoint.split("/")[:2])
        rec = sb.submit(spec, app_id, payload, fal_webhook, str(request.base_url))
        entry["request_id"] = rec.request_id
        body = {
            "request_id": rec.request_id,
            "gateway_request_id": rec.request_id,
            "status": IN_QUEUE,
            "queue_position": sb.queue_position(rec),
            **rec.urls(),
        }
        return finish(entry, _json(200, body, rec.request_id))

    return app


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() in {"1", "true", "yes", "on"}

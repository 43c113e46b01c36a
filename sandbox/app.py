"""The sandbox ASGI app: Fal's queue protocol, the CDN-like file server, JWKS and the control API.

Queue protocol (all need ``Authorization: Key <key>``; any key unless the ``required_key`` knob is set):

- ``POST /{owner}/{alias}[/{path}][?fal_webhook=URL]`` → ``{request_id, gateway_request_id, status:
  IN_QUEUE, queue_position, status_url, response_url, cancel_url}``
- ``GET /{owner}/{alias}/requests/{id}/status[?logs=1]`` → 202 ``IN_QUEUE``/``IN_PROGRESS``, 200 ``COMPLETED``
- ``GET /{owner}/{alias}/requests/{id}/status/stream[?logs=1]`` → SSE of status objects, ends at COMPLETED
- ``GET /{owner}/{alias}/requests/{id}`` → result, or HTTP error ``{detail, error_type}`` for a failed request
- ``PUT /{owner}/{alias}/requests/{id}/cancel`` → 202 ``CANCELLATION_REQUESTED`` | 400 ``ALREADY_COMPLETED`` |
  404 ``NOT_FOUND``

Injected faults answer before the call does anything: JSON ``{detail, error_type}`` 429/500/503 (the
``*_429/500/503_rate`` knobs), or a gateway's HTML 502/503/504 page without ``x-fal-request-id`` (the
``*_gateway_rate`` knobs), which fal-client recognises and retries by itself.

No auth: ``GET /files/{id}/{name}``, ``GET /.well-known/jwks.json``, ``GET|PATCH /_sandbox/config``,
``GET /_sandbox/requests``, ``POST /_sandbox/reset``, ``GET /_sandbox/health``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse

from sandbox.apps import APPS
from sandbox.apps.common import JSON
from sandbox.config import SandboxConfig
from sandbox.engine import Sandbox
from sandbox.records import COMPLETED, IN_QUEUE, RequestRecord, wall_clock
from sandbox.signing import JWKS_PATH

_AUTH_RE = re.compile(r"^Key\s+(\S+)$")
_FAULT_BODIES = {
    429: ("Rate limit exceeded (injected by the sandbox)", "rate_limited"),
    500: ("Internal server error (injected by the sandbox)", "internal_server_error"),
    503: ("Service temporarily unavailable (injected by the sandbox)", "service_unavailable"),
}
STREAM_KEEPALIVE_SECONDS = 15.0
_GATEWAY_TITLES = {502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable", 504: "504 Gateway Time-out"}


def _json(status: int, body: Any, request_id: str | None = None, error_type: str | None = None) -> JSONResponse:
    headers: dict[str, str] = {}
    if request_id:
        headers["x-fal-request-id"] = request_id
    if error_type:
        headers["X-Fal-Error-Type"] = error_type
    return JSONResponse(body, status_code=status, headers=headers or None)


def gateway_page(code: int) -> HTMLResponse:
    """What Fal's ingress (nginx) answers when it cannot reach the queue service."""
    title = _GATEWAY_TITLES[code]
    html = f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
    return HTMLResponse(html + "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", status_code=code)


def _unauthorized(config: SandboxConfig, header: str) -> JSONResponse | None:
    m = _AUTH_RE.match(header.strip())
    if m is None:
        return _json(401, {"detail": "Missing or invalid credentials: send 'Authorization: Key <FAL_KEY>'"})
    if config.required_key is not None and m.group(1) != config.required_key:
        return _json(401, {"detail": "No user found for Key ID and Secret"})
    return None


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
    ) -> tuple[JSON, Response | None]:
        """Latency, auth and injected faults shared by every queue API call; logs the call."""
        entry: JSON = {
            "at": wall_clock(),
            "kind": kind,
            "method": request.method,
            "path": request.url.path,
            "request_id": request_id,
            "endpoint": endpoint,
            "fault": None,
            "gateway": False,
            "status_code": None,
            # the client's address and port: calls that share it came over one (kept-alive) connection
            "peer": f"{request.client.host}:{request.client.port}" if request.client else None,
        }
        sb.calls.append(entry)
        if sb.config.latency:
            await asyncio.sleep(sb.config.latency)
        denied = _unauthorized(sb.config, request.headers.get("authorization", ""))
        if denied is not None:
            entry["status_code"] = 401
            return entry, denied
        fault = sb.roll_fault(kind)
        if fault is not None:
            code, is_gateway = fault
            entry.update(fault=code, gateway=is_gateway, status_code=code)
            if is_gateway:
                return entry, gateway_page(code)
            detail, error_type = _FAULT_BODIES[code]
            return entry, _json(code, {"detail": detail, "error_type": error_type})
        return entry, None

    def finish(entry: JSON, response: Response) -> Response:
        entry["status_code"] = response.status_code
        return response

    def not_found(entry: JSON) -> Response:
        return finish(entry, _json(404, {"detail": "Request not found", "error_type": "not_found"}))

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
            return not_found(entry)
        rec.stream_calls += 1
        with_logs = _truthy(logs)

        async def events() -> AsyncIterator[bytes]:
            # As Fal's: a status object per change (pushed when it happens, not polled), a comment line every
            # 15 s to keep the connection open, and the stream ends after the COMPLETED event.
            last = None
            while True:
                changed = rec.changed
                encoded = json.dumps(sb.status_body(rec, with_logs))
                if encoded != last:
                    yield f"data: {encoded}\n\n".encode()
                    last = encoded
                if rec.status == COMPLETED:
                    return
                try:
                    await asyncio.wait_for(changed.wait(), STREAM_KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield b": keep-alive\n\n"

        headers = {"x-fal-request-id": rec.request_id, "Cache-Control": "no-cache"}
        return finish(entry, StreamingResponse(events(), media_type="text/event-stream", headers=headers))

    @app.get("/{owner}/{alias}/requests/{request_id}/status")
    async def status(owner: str, alias: str, request_id: str, request: Request, logs: str | None = None) -> Response:
        rec = lookup(owner, alias, request_id)
        if rec is not None:
            rec.status_calls += 1
        entry, denied = await gate(request, "status", request_id, rec.endpoint if rec else None)
        if denied is not None:
            return denied
        if rec is None:
            return not_found(entry)
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
            return not_found(entry)
        if rec.status != COMPLETED:
            body = {"detail": "Request is still in progress", "error_type": "request_in_progress"}
            return finish(entry, _json(400, body, rec.request_id))
        if rec.error is not None:
            err = rec.error
            return finish(entry, _json(err.status_code, err.body(), rec.request_id, err.error_type))
        return finish(entry, _json(200, rec.result, rec.request_id))

    @app.post("/{endpoint:path}")
    async def submit(endpoint: str, request: Request, fal_webhook: str | None = None) -> Response:
        endpoint = endpoint.strip("/")
        spec = APPS.get(endpoint)
        entry, denied = await gate(request, "submit", None, endpoint)
        if denied is not None:
            return denied
        if spec is None:
            body = {"detail": f"Application '{endpoint}' not found", "error_type": "not_found"}
            return finish(entry, _json(404, body))
        raw = await request.body()
        try:
            payload = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return finish(entry, _json(422, {"detail": "Request body is not valid JSON", "error_type": "invalid_json"}))
        if not isinstance(payload, dict):
            body = {"detail": "Request body must be a JSON object", "error_type": "invalid_json"}
            return finish(entry, _json(422, body))
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

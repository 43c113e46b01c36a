"""The outermost middleware: the request id (bound to every log line of the request and echoed back), the
access log, one line per request with its request id, method, path, status and latency, and the request's trace
span (``shared.telemetry``; nothing when tracing is off)."""

from __future__ import annotations

import re
import secrets
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import telemetry

_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = structlog.get_logger("api.access")


class RequestIdMiddleware:
    """Binds ``request_id`` (from ``X-Request-ID`` when sane, else fresh) to logs, echoes it back, and logs the
    request once it is answered (for a stream: once it ends)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID.match(incoming) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500  # what the server answers when the app raises before starting a response

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        with telemetry.server_span(scope) as span:  # the request's trace span (nothing when tracing is off)
            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                telemetry.end_server_span(span, status, request_id)
                self._log(scope, status, start)

    @staticmethod
    def _log(scope: Scope, status: int, start: float) -> None:
        try:
            access_log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - start) * 1000, 2),
            )
        finally:
            structlog.contextvars.unbind_contextvars("request_id")

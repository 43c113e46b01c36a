"""``FalProvider``: the one Fal client of the worker (a thin, typed wrapper of fal-client).

It does not know whether it talks to Fal or to the sandbox; only its constructor arguments differ::

    FalProvider(key=settings.fal_key)                                  # real Fal
    FalProvider(key="anything", queue_url="https://127.0.0.1:8010",
                ca_file=".data/sandbox/ca.pem")                        # the sandbox

Build it once per process (arq ``on_startup``), before anything imports ``fal_client`` (see
:mod:`shared.fal.environment`), and ``await provider.aclose()`` on shutdown.

Retries happen in one layer per kind of error, never stacked: fal-client retries what it knows is
transient at the HTTP level (408/409/429, connection errors and timeouts, and the gateway's HTML
502/503/504 pages without ``x-fal-request-id``: up to 10 attempts each). Every method here makes one
such call and maps what is left to a :class:`ProviderError` whose ``retryable`` flag tells the job runner
whether to retry its step later (429, JSON 5xx of the queue service). A request that *completed* with an
error is final (``final=True``, never retryable), whatever its HTTP status.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, cast
from urllib.parse import urljoin

import httpx

from shared import metrics, telemetry
from shared.fal.environment import configure_fal_client
from shared.fal.errors import (
    PROVIDER_AUTH_FAILED,
    PROVIDER_RATE_LIMITED,
    PROVIDER_REJECTED_INPUT,
    PROVIDER_REQUEST_NOT_FOUND,
    PROVIDER_UNAVAILABLE,
    ProviderError,
    code_for_error_type,
    describe_detail,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
ProviderState = Literal["queued", "in_progress", "completed"]
Operation = Literal["submit", "status", "stream", "result", "cancel"]
CancelAnswer = Literal["CANCELLATION_REQUESTED", "ALREADY_COMPLETED", "NOT_FOUND"]


@dataclass(frozen=True)
class ProviderStatus:
    state: ProviderState
    queue_position: int | None = None
    logs: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # set when the request completed with an error
    error_type: str | None = None


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _error_from_response(op: Operation, response: httpx.Response) -> ProviderError:
    status = response.status_code
    body = _body(response)
    detail: Any = body.get("detail", body) if isinstance(body, dict) else body
    error_type: str | None = None
    if isinstance(body, dict) and isinstance(body.get("error_type"), str):
        error_type = body["error_type"]
    error_type = error_type or response.headers.get("x-fal-error-type")
    message = f"Fal {op} failed with HTTP {status}: {describe_detail(detail)}"
    from_request = "x-fal-request-id" in response.headers  # answered for the request, not by the gateway
    kwargs: dict[str, Any] = {"status_code": status, "error_type": error_type, "detail": detail}
    if status in (401, 403):
        return ProviderError(PROVIDER_AUTH_FAILED, message, False, **kwargs)
    if status == 404:
        if op == "submit":
            return ProviderError(PROVIDER_REJECTED_INPUT, f"Unknown Fal endpoint: {detail}", False, **kwargs)
        return ProviderError(PROVIDER_REQUEST_NOT_FOUND, message, False, **kwargs)
    if op == "result" and from_request and status != 429 and (error_type or status < 502):
        # The request COMPLETED with this error, after Fal's own retries: final, whatever the status
        # (a 504 request_timeout or 503 runner_scheduling_failure is not an outage of the queue API).
        code = code_for_error_type(error_type, status)
        return ProviderError(code, describe_detail(detail), False, final=True, **kwargs)
    if status == 429:
        return ProviderError(PROVIDER_RATE_LIMITED, message, True, **kwargs)
    if status in (408, 409):
        return ProviderError(PROVIDER_UNAVAILABLE, message, True, **kwargs)
    if 400 <= status < 500:
        return ProviderError(PROVIDER_REJECTED_INPUT, message, False, **kwargs)
    return ProviderError(PROVIDER_UNAVAILABLE, message, True, **kwargs)


def _map_exception(op: Operation, exc: Exception) -> ProviderError:
    if isinstance(exc, ProviderError):
        return exc
    response = getattr(exc, "response", None)
    if isinstance(response, httpx.Response) and response.status_code >= 400:
        return _error_from_response(op, response)
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return ProviderError(PROVIDER_UNAVAILABLE, f"Fal {op} timed out: {exc!r}", True)
    if isinstance(exc, httpx.TransportError):
        return ProviderError(PROVIDER_UNAVAILABLE, f"Fal {op} could not connect: {exc!r}", True)
    return ProviderError(PROVIDER_UNAVAILABLE, f"Fal {op} failed unexpectedly: {exc!r}", False)


def _log_message(entry: Any) -> str:
    if isinstance(entry, Mapping):
        return str(entry.get("message", ""))
    return str(entry)


# Fal sends a comment line every 15 s on a quiet status stream: a read that waits much longer means it is gone.
STREAM_READ_TIMEOUT = 45.0
# Fal ends the status stream right after the COMPLETED event. Reading that end (it is normally already in the socket
# buffer) before handing COMPLETED on lets httpx put the connection back in its pool; a response closed unfinished
# costs its connection, so the result GET that follows would open (and TLS-handshake) a new one.
STREAM_END_WAIT = 0.05


def _provider_status(st: Any) -> ProviderStatus:
    import fal_client

    if isinstance(st, fal_client.Queued):
        return ProviderStatus("queued", queue_position=int(st.position))
    logs = [_log_message(e) for e in (st.logs or [])]
    if isinstance(st, fal_client.InProgress):
        return ProviderStatus("in_progress", logs=logs)
    if isinstance(st, fal_client.Completed):
        return ProviderStatus(
            "completed", logs=logs, metrics=dict(st.metrics or {}), error=st.error, error_type=st.error_type
        )
    raise ProviderError(PROVIDER_UNAVAILABLE, f"unknown Fal status {st!r}", False)


class FalProvider:
    """Submit / poll / fetch / cancel Fal queue requests; errors carry stable codes and a ``retryable`` flag.

    Args:
        key: the Fal API key (sent as ``Authorization: Key <key>``); any non-empty string for the sandbox.
        queue_url: ``None`` for Fal (``https://queue.fal.run``), else e.g. ``https://127.0.0.1:8010``.
        ca_file: an extra CA to trust (the sandbox's ``ca.pem``), added to the default trust store.
        webhook_base_url: base for relative ``webhook_url`` values given to :meth:`submit`.
        timeout: seconds for submit and result calls (status/cancel use fal-client's 120 s).
    """

    def __init__(
        self,
        key: str,
        *,
        queue_url: str | None = None,
        ca_file: str | Path | None = None,
        webhook_base_url: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        if not key:
            raise ValueError("a Fal key is required")
        configure_fal_client(queue_url, ca_file)
        import fal_client

        self._fal: Any = fal_client.AsyncClient(key=key, default_timeout=timeout)
        self._timeout = timeout
        self._webhook_base_url = webhook_base_url
        self._http: httpx.AsyncClient | None = None
        self.queue_url = queue_url or "https://queue.fal.run"

    # -- helpers ------------------------------------------------------------------------------------------
    async def _call(
        self, op: Operation, call: Callable[[], Awaitable[T]], endpoint: str, request_id: str | None = None
    ) -> T:
        """One call (fal-client's own HTTP retries included); what fails becomes a :class:`ProviderError`.
        With tracing on, the call is a client span ``fal <op>``."""
        attributes = {"fal.endpoint": endpoint, "fal.request_id": request_id, "server.address": self.queue_url}
        with telemetry.span(f"fal {op}", kind="CLIENT", attributes={k: v for k, v in attributes.items() if v}) as span:
            started = time.perf_counter()
            try:
                answer = await call()
            except Exception as exc:
                error = _map_exception(op, exc)
                metrics.observe_provider("fal", op, error.code, time.perf_counter() - started)
                telemetry.set_attributes(span, {"error.type": error.code})
                if error.retryable:
                    log.warning("fal %s failed (%s): %s", op, error.code, error.message)
                raise error from exc
            metrics.observe_provider("fal", op, "ok", time.perf_counter() - started)
            if op == "submit":
                telemetry.set_attributes(span, {"fal.request_id": answer})
            return answer

    async def _handle(self, endpoint: str, request_id: str) -> Any:
        handle = await self._fal.get_handle(endpoint, request_id)
        self._http = cast(httpx.AsyncClient, handle.client)
        return handle

    def webhook_url(self, url_or_path: str) -> str:
        """Absolute URLs pass through; paths are resolved against ``webhook_base_url``."""
        if url_or_path.startswith(("http://", "https://")):
            return url_or_path
        if not self._webhook_base_url:
            raise ValueError(f"relative webhook URL {url_or_path!r} needs webhook_base_url")
        return urljoin(self._webhook_base_url.rstrip("/") + "/", url_or_path.lstrip("/"))

    # -- API ----------------------------------------------------------------------------------------------
    async def submit(self, endpoint: str, arguments: Mapping[str, Any], webhook_url: str | None = None) -> str:
        """Queue a request; returns its ``request_id``."""
        hook = self.webhook_url(webhook_url) if webhook_url is not None else None

        async def call() -> str:
            handle = await self._fal.submit(endpoint, dict(arguments), webhook_url=hook)
            self._http = cast(httpx.AsyncClient, handle.client)
            return str(handle.request_id)

        return await self._call("submit", call, endpoint)

    async def status(self, endpoint: str, request_id: str, with_logs: bool = True) -> ProviderStatus:
        async def call() -> ProviderStatus:
            handle = await self._handle(endpoint, request_id)
            return _provider_status(await handle.status(with_logs=with_logs))

        return await self._call("status", call, endpoint, request_id)

    async def follow(
        self, endpoint: str, request_id: str, with_logs: bool = True
    ) -> AsyncGenerator[ProviderStatus, None]:
        """Fal's status stream (``GET …/status/stream``, server-sent events): each status as Fal pushes it, ending
        after ``completed``. Errors map like :meth:`status`'s; a stream that closes before ``completed`` just ends
        (the caller looks again). fal-client polls; this is the same queue API, pushed instead of polled."""
        from httpx_sse import aconnect_sse

        handle = await self._handle(endpoint, request_id)
        started = time.perf_counter()
        try:
            async with aconnect_sse(
                handle.client,
                "GET",
                handle.status_url + "/stream",
                params={"logs": "1" if with_logs else "0"},
                timeout=httpx.Timeout(self._timeout, read=STREAM_READ_TIMEOUT),
            ) as source:
                if source.response.status_code >= 400:
                    await source.response.aread()
                    raise _error_from_response("stream", source.response)
                events = source.aiter_sse()
                async for event in events:
                    if not event.data:
                        continue
                    status = _provider_status(handle._parse_status(event.json()))
                    if status.state == "completed":
                        await _read_to_end(events, STREAM_END_WAIT)
                        yield status
                        break
                    yield status
        except Exception as exc:
            error = _map_exception("stream", exc)
            metrics.observe_provider("fal", "stream", error.code, time.perf_counter() - started)
            raise error from exc
        metrics.observe_provider("fal", "stream", "ok", time.perf_counter() - started)

    async def result(self, endpoint: str, request_id: str, *, completed: bool = False) -> dict[str, Any]:
        """Fetch the result of a COMPLETED request (fal-client retries gateway errors of the GET itself).

        ``completed``: the caller has just seen the request completed (polled or streamed), so the result is
        fetched at once; otherwise fal-client's ``get()`` first looks at the status (once, if it completed).

        A request that completed with an error raises a final, non-retryable error whose code comes from
        Fal's ``error_type`` (:func:`shared.fal.errors.code_for_error_type`), its message being Fal's;
        ``detail`` holds Fal's error body.
        """
        from fal_client import client as fal_http

        async def call() -> dict[str, Any]:
            handle = await self._handle(endpoint, request_id)
            async with asyncio.timeout(self._timeout):
                if completed:  # what get() does once its status loop saw COMPLETED
                    response = await fal_http._async_maybe_retry_request(
                        handle.client, "GET", handle.response_url, timeout=fal_http.QUEUE_POLL_TIMEOUT
                    )
                    fal_http._raise_for_status(response)
                    data = response.json()
                else:
                    data = await handle.get()
            if not isinstance(data, dict):
                raise ProviderError(PROVIDER_UNAVAILABLE, "Fal result is not a JSON object", False)
            return cast(dict[str, Any], data)

        return await self._call("result", call, endpoint, request_id)

    async def cancel(self, endpoint: str, request_id: str) -> CancelAnswer:
        """Ask Fal to cancel; returns Fal's answer rather than raising for ALREADY_COMPLETED/NOT_FOUND."""
        import fal_client

        async def call() -> CancelAnswer:
            try:
                await self._fal.cancel(endpoint, request_id)
            except fal_client.FalClientHTTPError as exc:
                body = _body(exc.response)
                answer = body.get("status") if isinstance(body, dict) else None
                if exc.status_code == 400 and answer == "ALREADY_COMPLETED":
                    return "ALREADY_COMPLETED"
                if exc.status_code == 404:
                    return "NOT_FOUND"
                raise
            return "CANCELLATION_REQUESTED"

        return await self._call("cancel", call, endpoint, request_id)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


async def _read_to_end(events: AsyncGenerator[Any, None], within: float) -> None:
    """Consume what is left of a stream for at most ``within`` seconds (anything after COMPLETED is ignored)."""
    try:
        async with asyncio.timeout(within):
            async for _ in events:
                pass
    except (TimeoutError, httpx.HTTPError):
        pass  # the stream is closed unfinished: only its connection is lost

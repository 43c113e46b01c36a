"""Request guards that run before any route: authentication before a body is read, bounded JSON bodies,
text Postgres can store, and a problem document (never a dropped connection) for whatever escapes a route.

Why ASGI middleware and not dependencies: FastAPI reads and parses a request's body *before* it resolves
dependencies, so an unauthenticated 100 MB JSON POST would be read in full before ``get_principal`` said 401.
Here the key is checked and the body is counted while it streams in, and refused with 413 the moment it
passes ``FOTOGEN_MAX_JSON_BYTES`` (multipart uploads are bounded by the upload pipeline's own limits).

Postgres cannot store U+0000 in text, and asyncpg cannot encode lone surrogates (``"\\ud800"`` in JSON):
such strings anywhere in a JSON body, or a query parameter are refused with 422 naming the field,
instead of a 500 from the database.

Errors from the database or Redis being unreachable answer 503 ``service_unavailable`` with ``Retry-After``
(the client can tell the outage is temporary); any other unexpected exception answers a 500 problem *as a
normal response*: Starlette's own server-error layer re-raises after answering, which makes uvicorn close
the keep-alive connection and fail the client's next request too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import get_principal
from api.problems import problem_response
from api.ratelimit import STATE_KEY as RATELIMIT_STATE_KEY
from shared.errors import FotogenError

log = structlog.get_logger("api.guards")

RETRY_AFTER_SECONDS = 5
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Routes that take a body without an API key: Fal's signed callbacks.
_PUBLIC_BODY_PREFIXES = ("/v1/provider-webhooks/",)


def _unavailable_types() -> tuple[type[BaseException], ...]:
    import asyncpg  # type: ignore[import-untyped]
    import redis.exceptions
    import sqlalchemy.exc

    return (
        sqlalchemy.exc.OperationalError,
        sqlalchemy.exc.InterfaceError,
        sqlalchemy.exc.TimeoutError,  # pool exhausted while the database hangs
        asyncpg.exceptions.PostgresConnectionError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.InterfaceError,
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        ConnectionError,
        TimeoutError,
        OSError,
    )


_UNAVAILABLE = _unavailable_types()


def is_unavailable(exc: BaseException) -> bool:
    """A dependency (Postgres, Redis) is down or unreachable: temporary, worth a retry."""
    if isinstance(exc, _UNAVAILABLE):
        return True
    cause = exc.__cause__ or exc.__context__
    return cause is not None and cause is not exc and isinstance(cause, _UNAVAILABLE)


def bad_strings(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    """Locations of strings (values or keys) that Postgres text cannot hold."""
    if isinstance(value, str):
        if not storable(value):
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            if not storable(key):
                yield (*loc, key.encode("utf-8", "backslashreplace").decode())
            yield from bad_strings(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from bad_strings(item, (*loc, i))


def storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def _invalid_characters(scope: Scope, locs: list[tuple[str | int, ...]]) -> Any:
    errors = [
        {
            "loc": list(loc),
            "code": "invalid_character",
            "detail": "Contains a character that cannot be stored (NUL or an unpaired surrogate).",
        }
        for loc in locs
    ]
    where = ".".join(str(p) for p in locs[0])
    return problem_response(
        422,
        "validation_error",
        "Validation failed",
        f"{where}: contains a character that cannot be stored (NUL or an unpaired surrogate).",
        errors=errors,
        instance=scope.get("path"),
    )


def _query_locs(scope: Scope) -> list[tuple[str | int, ...]]:
    # Path parameters are ids, which the routes check against their format (an unknown id is a 404).
    locs: list[tuple[str | int, ...]] = []
    query = scope.get("query_string", b"").decode("latin-1")
    if query:
        for name, value in parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="surrogateescape"):
            if not storable(name) or not storable(value):
                locs.append(("query", name.encode("utf-8", "backslashreplace").decode()))
    return locs


class _TooLarge(Exception):
    pass


class RequestGuardMiddleware:
    """Auth before body, bounded JSON bodies, storable text; see the module docstring."""

    def __init__(self, app: ASGIApp, *, max_json_bytes: int) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_rate_limit_headers(scope, send)
        locs = _query_locs(scope)
        if locs:
            await _invalid_characters(scope, locs)(scope, receive, send)
            return
        if scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path: str = scope["path"]
        if path.startswith("/v1/") and not path.startswith(_PUBLIC_BODY_PREFIXES):
            try:
                await get_principal(request)
            except FotogenError as exc:
                await self._problem(scope, receive, send, exc)
                return
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/"):
            await self.app(scope, receive, send)
            return
        await self._bounded(scope, receive, send, request)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, request: Request) -> None:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_json_bytes:
            await self._too_large(scope, receive, send)
            return
        body = bytearray()
        try:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body += message.get("body", b"")
                if len(body) > self.max_json_bytes:
                    raise _TooLarge
                if not message.get("more_body", False):
                    break
        except _TooLarge:
            await self._too_large(scope, receive, send)
            return
        if b"\\u" in body or b"\x00" in body:
            locs = _body_locs(bytes(body))
            if locs:
                await _invalid_characters(scope, locs)(scope, receive, send)
                return
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413,
            "payload_too_large",
            "Payload too large",
            f"The request body is larger than {self.max_json_bytes} bytes.",
            instance=scope.get("path"),
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)

    async def _problem(self, scope: Scope, receive: Receive, send: Send, exc: FotogenError) -> None:
        response = problem_response(
            exc.status_code,
            exc.code,
            exc.title,
            exc.detail,
            errors=exc.errors,
            instance=scope.get("path"),
            headers=exc.headers,
        )
        await response(scope, receive, send)


def _with_rate_limit_headers(scope: Scope, send: Send) -> Send:
    """Add the ``RateLimit-*`` headers that authentication left on the request state (``api.deps``)."""

    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            extra = scope.get("state", {}).get(RATELIMIT_STATE_KEY)
            if extra:
                present = {k.lower() for k, _ in message.get("headers", [])}
                added = [
                    (k.lower().encode(), v.encode()) for k, v in extra.items() if k.lower().encode() not in present
                ]
                message["headers"] = [*message.get("headers", []), *added]
        await send(message)

    return sender


def _body_locs(body: bytes) -> list[tuple[str | int, ...]]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return []  # not JSON: the route's own validation answers
    return list(bad_strings(parsed, ("body",)))


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class UnhandledErrorMiddleware:
    """The last line: 503 for an unreachable dependency, 500 for a bug — answered, not re-raised."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            if started:
                raise  # half a response went out: nothing to do but let the server drop it
            await unhandled_response(scope, exc)(scope, receive, send)


def unhandled_response(scope: Scope, exc: BaseException) -> Any:
    path = scope.get("path")
    if is_unavailable(exc):
        log.warning("dependency_unavailable", path=path, error=repr(exc))
        return problem_response(
            503,
            "service_unavailable",
            "Service unavailable",
            "A backing service (database or queue) is unreachable; retry shortly.",
            instance=path,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    log.error("unhandled_error", path=path, exc_info=exc)
    return problem_response(500, "internal_error", "Internal error", "An unexpected error occurred.", instance=path)

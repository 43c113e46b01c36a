"""RFC 9457 problem details (https://www.rfc-editor.org/rfc/rfc9457) for every error the API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from api.problem_codes import problem_type
from shared.errors import FotogenError

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = structlog.get_logger("api.problems")

_HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    402: ("payment_required", "Payment required"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("validation_error", "Validation failed"),
    429: ("rate_limited", "Too many requests"),
    503: ("service_unavailable", "Service unavailable"),
}


class ProblemItem(BaseModel):
    """One field or per-file problem."""

    model_config = {"extra": "allow"}
    loc: list[str | int] | None = None
    filename: str | None = None
    code: str
    detail: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(
        examples=[problem_type("not_found")],
        description="A page about the code on this service (`GET /problems/{code}`), relative to the API's URL.",
    )
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable snake_case error code.")
    instance: str | None = None
    request_id: str | None = Field(default=None, description="The request's `X-Request-ID`, as in the logs.")
    errors: list[ProblemItem] = Field(default_factory=list)


class PaymentProblem(Problem):
    """402/409 ``insufficient_credits``: what the end user has and what the request needed."""

    balance: int | None = Field(default=None, description="Credits available (reserved credits are not in it).")
    required: int | None = Field(default=None, description="Credits the request needed.")


class TooManyRequestsProblem(Problem):
    """429 ``rate_limited`` (per API key) or ``quota_exceeded`` (an end user's limit; these members)."""

    quota: str | None = Field(default=None, description="The limit reached, e.g. `generation_images_per_day`.")
    limit: int | None = Field(default=None, description="Its value.")
    used: int | None = Field(default=None, description="What the end user already used in the period.")
    requested: int | None = Field(default=None, description="What this request asked for.")
    resets_at: datetime | None = Field(
        default=None, description="When the period ends (UTC day or month boundary); null for `concurrent_jobs`."
    )


_MODELS: dict[int, type[Problem]] = {402: PaymentProblem, 429: TooManyRequestsProblem}


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    body = {
        **jsonable_encoder(extensions or {}),
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": instance,
        "request_id": structlog.contextvars.get_contextvars().get("request_id"),
        "errors": jsonable_encoder(errors or []),
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _loc(loc: tuple[Any, ...]) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in loc]


async def _fotogen_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FotogenError)
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.count_refusal(exc.code, exc.extensions, exc.errors)
    return problem_response(
        exc.status_code,
        exc.code,
        exc.title,
        exc.detail,
        errors=exc.errors,
        instance=request.url.path,
        headers=exc.headers,
        extensions=exc.extensions,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": _loc(tuple(e.get("loc", ()))),
            "code": str(e.get("type", "invalid")),
            "detail": str(e.get("msg", "")),
        }
        for e in exc.errors()
    ]
    first = errors[0] if errors else None
    detail = f"{'.'.join(str(p) for p in first['loc'])}: {first['detail']}" if first else "The request is invalid."
    return problem_response(
        422, "validation_error", "Validation failed", detail, errors=errors, instance=request.url.path
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = _HTTP_CODES.get(exc.status_code, ("http_error", "HTTP error"))
    if exc.status_code == 404 and exc.detail == "Not Found":
        detail = f"No route matches {request.method} {request.url.path}."
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    else:
        detail = str(exc.detail)
    return problem_response(
        exc.status_code, code, title, detail, instance=request.url.path, headers=dict(exc.headers or {})
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FotogenError, _fotogen_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Anything else is answered by ``api.guards.UnhandledErrorMiddleware`` (503 or 500, connection kept).


def problems(*statuses: int, models: dict[int, type[Problem]] | None = None) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries documenting the problem+json errors a route can return (``models``: a
    status whose problem carries extension members, e.g. ``{409: PaymentProblem}``)."""
    chosen = {**_MODELS, **(models or {})}
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        _, title = _HTTP_CODES.get(status, ("error", "Error"))
        model = chosen.get(status, Problem)
        out[status] = {
            "model": model,
            "description": title,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
        }
    return out


AUTHED = (401, 422)

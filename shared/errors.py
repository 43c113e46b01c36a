"""Domain errors.

Every error a client can see is a :class:`FotogenError` subclass carrying its HTTP status, a stable
snake_case ``code`` and a human ``title``/``detail``; ``api.problems`` renders them as RFC 9457
``application/problem+json`` (https://www.rfc-editor.org/rfc/rfc9457). Routes declare the ones they
raise in ``responses=`` so they appear in the OpenAPI document.

Hierarchy::

    FotogenError
    ├── BadRequest (400)          malformed_request, malformed_multipart, invalid_cursor
    ├── Unauthorized (401)        unauthorized
    ├── PaymentRequired (402)     insufficient_credits
    ├── Forbidden (403)           forbidden
    ├── NotFound (404)            not_found, <resource>_not_found
    ├── Conflict (409)            conflict, dataset_in_use, job_already_terminal, idempotency_key_reused
    ├── PayloadTooLarge (413)     payload_too_large, too_many_files
    ├── UnsupportedMediaType (415)
    ├── ValidationFailed (422)    validation_error, dataset_too_small, images_rejected, ...
    ├── RateLimited (429)         rate_limited, quota_exceeded
    └── ServiceUnavailable (503)
"""

from __future__ import annotations

from typing import Any, ClassVar


class FotogenError(Exception):
    status_code: ClassVar[int] = 500
    default_code: ClassVar[str] = "internal_error"
    default_title: ClassVar[str] = "Internal error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.title = title or self.default_title
        self.detail = detail or self.title
        self.errors = errors or []
        self.headers = headers or {}
        # RFC 9457 extension members, rendered beside ``code`` (e.g. ``balance``, ``required``)
        self.extensions = extensions or {}
        super().__init__(self.detail)


class BadRequest(FotogenError):
    status_code = 400
    default_code = "bad_request"
    default_title = "Bad request"


class Unauthorized(FotogenError):
    status_code = 401
    default_code = "unauthorized"
    default_title = "Unauthorized"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class PaymentRequired(FotogenError):
    status_code = 402
    default_code = "payment_required"
    default_title = "Payment required"


class Forbidden(FotogenError):
    status_code = 403
    default_code = "forbidden"
    default_title = "Forbidden"


class NotFound(FotogenError):
    status_code = 404
    default_code = "not_found"
    default_title = "Not found"


class MethodNotAllowed(FotogenError):
    status_code = 405
    default_code = "method_not_allowed"
    default_title = "Method not allowed"


class Conflict(FotogenError):
    status_code = 409
    default_code = "conflict"
    default_title = "Conflict"


class PayloadTooLarge(FotogenError):
    status_code = 413
    default_code = "payload_too_large"
    default_title = "Payload too large"


class UnsupportedMediaType(FotogenError):
    status_code = 415
    default_code = "unsupported_media_type"
    default_title = "Unsupported media type"


class ValidationFailed(FotogenError):
    status_code = 422
    default_code = "validation_error"
    default_title = "Validation failed"


class RateLimited(FotogenError):
    status_code = 429
    default_code = "rate_limited"
    default_title = "Too many requests"


class ServiceUnavailable(FotogenError):
    status_code = 503
    default_code = "service_unavailable"
    default_title = "Service unavailable"


def not_found(resource: str, resource_id: str) -> NotFound:
    """The one way to say "no such <resource> for this owner" (also used for other owners' ids)."""
    return NotFound(f"No {resource} with id {resource_id!r}.", code=f"{resource}_not_found")

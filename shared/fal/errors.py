"""Errors raised by :class:`shared.fal.FalProvider`, with stable codes the worker can branch on.

Two families:

* **Calls that did not work** (the queue API answered an error, or nobody answered): ``provider_unavailable``,
  ``provider_rate_limited``, ``provider_auth_failed``, ``provider_request_not_found``,
  ``provider_misconfigured``. ``retryable`` says whether the same call may work later.
* **Requests that ended with an error.** Fal reports every outcome as ``COMPLETED``; a failed one carries an
  ``error_type`` (https://docs.fal.ai/documentation/model-apis/request-errors and
  https://docs.fal.ai/documentation/model-apis/errors) and its result GET answers the type's HTTP status
  (504 for ``request_timeout``, 503 for ``runner_scheduling_failure``, 499 for ``client_cancelled``, 422
  for model errors…). Such an error is **final**: Fal already retried what it could, so it is never
  retryable whatever its status code. :func:`code_for_error_type` maps the type to one of our codes.
"""

from __future__ import annotations

from typing import Any, Final

PROVIDER_REJECTED_INPUT: Final = "provider_rejected_input"  # 4xx / 422 validation: do not retry
PROVIDER_UNAVAILABLE: Final = "provider_unavailable"  # 5xx after retries, timeouts, connection errors
PROVIDER_RATE_LIMITED: Final = "provider_rate_limited"  # 429 after retries
PROVIDER_AUTH_FAILED: Final = "provider_auth_failed"  # 401 / 403
PROVIDER_REQUEST_NOT_FOUND: Final = "provider_request_not_found"  # unknown request id
PROVIDER_FAILED: Final = "provider_failed"  # the request completed with an error of the model/runner
PROVIDER_MISCONFIGURED: Final = "provider_misconfigured"  # our configuration cannot work
# Final errors of a completed request, by what the integrator can do about them:
PROVIDER_TIMEOUT: Final = "provider_timeout"  # Fal gave up waiting for the runner: try again later
PROVIDER_CAPACITY: Final = "provider_capacity"  # no runner could be allocated: try again later
PROVIDER_CANCELED: Final = "provider_canceled"  # the request was cancelled at Fal
PROVIDER_DOWNLOAD_FAILED: Final = "provider_download_failed"  # Fal could not download one of our files
CONTENT_POLICY_VIOLATION: Final = "content_policy_violation"  # the model refused the content

CODES: Final = frozenset(
    {
        PROVIDER_REJECTED_INPUT,
        PROVIDER_UNAVAILABLE,
        PROVIDER_RATE_LIMITED,
        PROVIDER_AUTH_FAILED,
        PROVIDER_REQUEST_NOT_FOUND,
        PROVIDER_FAILED,
        PROVIDER_MISCONFIGURED,
        PROVIDER_TIMEOUT,
        PROVIDER_CAPACITY,
        PROVIDER_CANCELED,
        PROVIDER_DOWNLOAD_FAILED,
        CONTENT_POLICY_VIOLATION,
    }
)

#: Fal's ``error_type`` → our ``error.code`` (types not listed: by HTTP status, see :func:`code_for_error_type`).
ERROR_TYPE_CODES: Final[dict[str, str]] = {
    # request errors
    "request_timeout": PROVIDER_TIMEOUT,
    "startup_timeout": PROVIDER_TIMEOUT,
    "runner_connection_timeout": PROVIDER_TIMEOUT,
    "runner_scheduling_failure": PROVIDER_CAPACITY,
    "runner_disconnected": PROVIDER_FAILED,
    "runner_connection_refused": PROVIDER_FAILED,
    "runner_connection_error": PROVIDER_FAILED,
    "runner_incomplete_response": PROVIDER_FAILED,
    "runner_server_error": PROVIDER_FAILED,
    "internal_error": PROVIDER_FAILED,
    "internal_server_error": PROVIDER_FAILED,
    "client_disconnected": PROVIDER_CANCELED,
    "client_cancelled": PROVIDER_CANCELED,
    "bad_request": PROVIDER_REJECTED_INPUT,
    # model errors
    "content_policy_violation": CONTENT_POLICY_VIOLATION,
    "file_download_error": PROVIDER_DOWNLOAD_FAILED,
    "image_too_large": PROVIDER_REJECTED_INPUT,
    "image_too_small": PROVIDER_REJECTED_INPUT,
    "image_load_error": PROVIDER_REJECTED_INPUT,
    "file_too_large": PROVIDER_REJECTED_INPUT,
}


def code_for_error_type(error_type: str | None, status_code: int | None) -> str:
    """Our stable code for a completed request's final error: by ``error_type``, else by HTTP status
    (4xx: the input was rejected, e.g. pydantic's ``missing``/``extra_forbidden``; otherwise the model failed)."""
    if error_type in ERROR_TYPE_CODES:
        return ERROR_TYPE_CODES[error_type]
    if status_code is not None and 400 <= status_code < 500:
        return PROVIDER_REJECTED_INPUT
    return PROVIDER_FAILED


def describe_detail(detail: Any) -> str:
    """Fal's ``detail`` as one line: a string as is; a validation list as ``field: message; …``."""
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = [str(p) for p in item.get("loc", []) if p != "body"]
                parts.append(f"{'.'.join(loc) or 'input'}: {item.get('msg', item)}")
            else:
                parts.append(str(item))
        return "; ".join(parts)[:2000]
    return str(detail)[:2000]


class ProviderError(Exception):
    """A Fal call that did not succeed, or a request that completed with an error (``final``).

    ``retryable`` says whether trying the same operation later may succeed (rate limits, outages; never a
    final error); ``status_code``/``error_type``/``detail`` carry what Fal answered, when it answered.
    """

    def __init__(
        self,
        code: str,
        message: str,
        retryable: bool,
        *,
        status_code: int | None = None,
        error_type: str | None = None,
        detail: Any = None,
        final: bool = False,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable and not final
        self.status_code = status_code
        self.error_type = error_type
        self.detail = detail
        self.final = final
        self.attempts = attempts

    def __repr__(self) -> str:
        return (
            f"ProviderError(code={self.code!r}, message={self.message!r}, retryable={self.retryable}, "
            f"status_code={self.status_code}, error_type={self.error_type!r}, final={self.final})"
        )

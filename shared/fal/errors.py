"""Errors raised by :class:`shared.fal.FalProvider`, with stable codes the worker can branch on."""

from __future__ import annotations

from typing import Any, Final

PROVIDER_REJECTED_INPUT: Final = "provider_rejected_input"  # 4xx / 422 validation: do not retry
PROVIDER_UNAVAILABLE: Final = "provider_unavailable"  # 5xx after retries, timeouts, connection errors
PROVIDER_RATE_LIMITED: Final = "provider_rate_limited"  # 429 after retries
PROVIDER_AUTH_FAILED: Final = "provider_auth_failed"  # 401 / 403
PROVIDER_REQUEST_NOT_FOUND: Final = "provider_request_not_found"  # unknown request id
PROVIDER_FAILED: Final = "provider_failed"  # the request completed with an error
PROVIDER_MISCONFIGURED: Final = "provider_misconfigured"  # our configuration cannot work

CODES: Final = frozenset(
    {
        PROVIDER_REJECTED_INPUT,
        PROVIDER_UNAVAILABLE,
        PROVIDER_RATE_LIMITED,
        PROVIDER_AUTH_FAILED,
        PROVIDER_REQUEST_NOT_FOUND,
        PROVIDER_FAILED,
        PROVIDER_MISCONFIGURED,
    }
)


class ProviderError(Exception):
    """A Fal call that did not succeed.

    ``retryable`` says whether trying the same operation later may succeed (rate limits, outages);
    ``status_code``/``error_type``/``detail`` carry what Fal answered, when it answered.
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
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.status_code = status_code
        self.error_type = error_type
        self.detail = detail
        self.attempts = attempts

    def __repr__(self) -> str:
        return (
            f"ProviderError(code={self.code!r}, message={self.message!r}, retryable={self.retryable}, "
            f"status_code={self.status_code}, attempts={self.attempts})"
        )

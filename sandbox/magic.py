"""Outcomes on demand: magic words the sandbox reads in any string input (like Stripe's test cards).

Put one of these anywhere in a prompt, a trigger word / ``trigger_phrase``, or any other string field of a
request (nested ones too), and the sandbox produces that outcome. Only the sandbox reads them; against the
real Fal they are ordinary text.

``sandbox:fail=<error_type>``
    The request runs (its input is still validated and its files downloaded), then COMPLETES with that
    error: the status shows ``error``/``error_type`` and the result GET answers the HTTP status Fal uses
    for the type (``request_timeout`` / ``startup_timeout`` → 504, ``runner_scheduling_failure`` and the
    other ``runner_*`` connection errors → 503, ``runner_incomplete_response`` → 502,
    ``runner_server_error`` / ``internal_error`` → 500, ``client_cancelled`` → 499, ``bad_request`` → 400,
    model errors such as ``content_policy_violation`` / ``file_download_error`` → 422; any other name → 500)
    with ``{"detail": ..., "error_type": ...}``, ``X-Fal-Error-Type`` and ``x-fal-request-id``. Webhooks
    carry the same error.
``sandbox:nsfw``
    Every image of the result has ``has_nsfw_concepts: true`` (and is blacked out when
    ``enable_safety_checker`` is on, as Fal does).
``sandbox:nsfw=<n>``
    Only the first ``n`` images are flagged (``sandbox:nsfw=1`` with four images: one flagged, three clean).
``sandbox:slow=<seconds>``
    The request stays IN_PROGRESS that many seconds longer (fractions allowed, capped at one hour).
``sandbox:stuck``
    The request goes IN_PROGRESS and never completes (until canceled, or the sandbox is reset).

Words can be combined (``sandbox:slow=5 sandbox:fail=request_timeout``). A malformed word (``sandbox:slow=x``)
is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_SLOW_SECONDS = 3600.0
_WORD = re.compile(
    r"sandbox:(fail=(?P<fail>[a-z0-9_]+)|nsfw(?:=(?P<nsfw>\d+))?\b|stuck\b|slow=(?P<slow>\d+(?:\.\d+)?))"
)

# HTTP status Fal answers for each documented error type: request errors
# (https://docs.fal.ai/documentation/model-apis/request-errors) and common model errors
# (https://docs.fal.ai/documentation/model-apis/errors).
ERROR_STATUS: dict[str, int] = {
    "request_timeout": 504,
    "startup_timeout": 504,
    "runner_scheduling_failure": 503,
    "runner_connection_timeout": 503,
    "runner_disconnected": 503,
    "runner_connection_refused": 503,
    "runner_connection_error": 503,
    "runner_incomplete_response": 502,
    "runner_server_error": 500,
    "internal_error": 500,
    "internal_server_error": 500,
    "client_disconnected": 499,
    "client_cancelled": 499,
    "bad_request": 400,
    "content_policy_violation": 422,
    "file_download_error": 422,
    "image_too_large": 422,
    "image_too_small": 422,
    "image_load_error": 422,
    "file_too_large": 422,
}
ERROR_DETAIL: dict[str, str] = {
    "request_timeout": "Request timed out",
    "startup_timeout": "Runner did not start in time",
    "runner_scheduling_failure": "No runner could be allocated to handle the request",
    "runner_disconnected": "Runner disconnected unexpectedly",
    "client_cancelled": "Request was cancelled by the client",
}


def error_status(error_type: str) -> int:
    return ERROR_STATUS.get(error_type, 500)


def error_detail(error_type: str) -> str:
    return ERROR_DETAIL.get(error_type, error_type.replace("_", " ").capitalize())


@dataclass(frozen=True)
class MagicWords:
    fail: str | None = None
    nsfw: bool = False
    nsfw_images: int | None = None  # ``sandbox:nsfw=<n>``: only the first n images (None: all)
    slow: float = 0.0
    stuck: bool = False

    @property
    def any(self) -> bool:
        return self.fail is not None or self.nsfw or self.slow > 0 or self.stuck


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def read_magic_words(data: Any) -> MagicWords:
    fail: str | None = None
    nsfw = stuck = False
    nsfw_images: int | None = None
    slow = 0.0
    for text in _strings(data):
        for m in _WORD.finditer(text):
            word = m.group(0)
            if m.group("fail"):
                fail = m.group("fail")
            elif m.group("slow"):
                slow = max(slow, min(MAX_SLOW_SECONDS, float(m.group("slow"))))
            elif word.startswith("sandbox:nsfw"):
                nsfw = True
                if m.group("nsfw"):
                    nsfw_images = int(m.group("nsfw"))
            elif word.startswith("sandbox:stuck"):
                stuck = True
    return MagicWords(fail=fail, nsfw=nsfw, nsfw_images=nsfw_images, slow=slow, stuck=stuck)

"""The refusals of section 11: 429 ``quota_exceeded``, 402/409 ``insufficient_credits``, 422 ``end_user_required``."""

from __future__ import annotations

import math
from datetime import datetime

from shared.db import utcnow
from shared.errors import Conflict, PaymentRequired, RateLimited, ValidationFailed

# A concurrency limit has no period end: try again after this many seconds.
CONCURRENT_RETRY_AFTER = 5


class QuotaExceeded(RateLimited):
    default_code = "quota_exceeded"
    default_title = "Quota exceeded"

    def __init__(self, quota: str, limit: int, used: int, requested: int, resets_at: datetime | None) -> None:
        if resets_at is None:
            retry_after = CONCURRENT_RETRY_AFTER
            when = "when one of its jobs ends"
        else:
            retry_after = max(1, math.ceil((resets_at - utcnow()).total_seconds()))
            when = f"at {resets_at.isoformat()}"
        super().__init__(
            f"The end user reached {quota} ({used} of {limit} used, {requested} requested); it resets {when}.",
            headers={"Retry-After": str(retry_after)},
            extensions={"quota": quota, "limit": limit, "used": used, "requested": requested, "resets_at": resets_at},
        )


def _credits_detail(balance: int, required: int) -> str:
    return f"The end user has {balance} credits; this needs {required}."


class InsufficientCredits(PaymentRequired):
    """402: a job the end user cannot pay for."""

    default_code = "insufficient_credits"
    default_title = "Insufficient credits"

    def __init__(self, balance: int, required: int) -> None:
        super().__init__(_credits_detail(balance, required), extensions={"balance": balance, "required": required})


class DebitPastBalance(Conflict):
    """409: a debit larger than what the end user has (the balance never goes below zero)."""

    default_code = "insufficient_credits"
    default_title = "Insufficient credits"

    def __init__(self, balance: int, required: int) -> None:
        super().__init__(_credits_detail(balance, required), extensions={"balance": balance, "required": required})


class EndUserRequired(ValidationFailed):
    default_code = "end_user_required"
    default_title = "End user required"

    def __init__(self, job_type: str) -> None:
        super().__init__(
            f"Credits are required: a {job_type} must name the `end_user` it is for.",
            errors=[{"loc": ["body", "end_user"], "code": "end_user_required", "detail": "required by the policy"}],
        )

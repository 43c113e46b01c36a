"""Per-API-key request rate limits shared by every API replica, kept in Redis by the ``limits`` library.

``FOTOGEN_RATE_LIMIT`` takes ``limits``' notation, several limits separated by ``;`` (e.g.
``50/second;2000/minute``); unset means off. Each authenticated request counts once against its key's
limits (sliding-window counters: two Redis round trips at most, and no burst of 2x at a window's edge as
fixed windows allow). Over a limit → 429 ``rate_limited`` with ``Retry-After``; every counted response
carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds) for the tightest
limit (IETF draft "RateLimit header fields for HTTP").

Redis unreachable → the request is let through and the failure logged: a rate limiter that turned a Redis
blip into an API outage would do more harm than the abuse it guards against.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from shared.errors import RateLimited

log = structlog.get_logger("api.ratelimit")

STATE_KEY = "ratelimit_headers"  # request.state: the headers the response gets (see api.guards)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class KeyRateLimiter:
    def __init__(self, spec: str, redis_url: str, *, prefix: str = "fotogen:ratelimit") -> None:
        self.items: list[RateLimitItem] = parse_many(spec)
        self.storage = RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix=prefix)
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)

    async def check(self, key_id: str) -> Verdict | None:
        """Count one request of ``key_id``; None when Redis could not be asked (fail open)."""
        try:
            tightest: Verdict | None = None
            for item in self.items:
                allowed = await self.limiter.hit(item, key_id)
                stats = await self.limiter.get_window_stats(item, key_id)
                reset = max(1, math.ceil(stats.reset_time - time.time()))
                verdict = Verdict(allowed, item.amount, max(0, stats.remaining), reset)
                if not allowed:
                    return verdict
                if tightest is None or verdict.remaining < tightest.remaining:
                    tightest = verdict
            return tightest
        except Exception as exc:  # any storage failure: fail open, see the module docstring
            log.warning("rate_limit_unavailable", error=repr(exc))
            return None


def refuse(verdict: Verdict) -> RateLimited:
    return RateLimited(
        f"Rate limit of {verdict.limit} requests exceeded for this API key; retry in {verdict.reset_seconds} s.",
        code="rate_limited",
        headers={"Retry-After": str(verdict.reset_seconds), **verdict.headers()},
    )

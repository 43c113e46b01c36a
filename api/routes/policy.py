"""``/v1/policy``: the owner's prices, credit requirement, per-end-user limits and moderation."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import RedisDep, ScopeDep
from api.problems import AUTHED, problems
from shared.billing.policy import Policy, load_policy, save_policy
from shared.queue import commit

router = APIRouter(prefix="/v1/policy", tags=["end users"])


@router.get("", operation_id="policy-get", responses=problems(*AUTHED))
async def get_policy(scope: ScopeDep) -> Policy:
    """Your policy (the defaults until you `PUT` one: nothing limited, nothing charged, no blocked terms)."""
    return await load_policy(scope.session, scope.owner_id)


@router.put("", operation_id="policy-put", responses=problems(*AUTHED))
async def put_policy(body: Policy, scope: ScopeDep, redis: RedisDep) -> Policy:
    """Replace your policy. A member left out (at any depth) takes its default.

    - `prices`: credits per generated image, training, mesh item and video.
    - `credits_required`: jobs must name an `end_user` (422 `end_user_required`) with enough credits
      (402 `insufficient_credits`); credits are reserved at create, captured on success (generations: per
      image delivered) and refunded on failure or cancel. When false, no credits move.
    - `limits`: per end user, `null` = unlimited, UTC days and months; over a limit → 429 `quota_exceeded`.
      Only jobs that name an `end_user` count; a failed or canceled job gives its count back.
    - `moderation`: `blocked_terms` refused in every prompt-like field (422 `prompt_blocked`), on top of a
      small built-in list that is always on; `force_safety_checker`; `withhold_nsfw_images`."""
    policy = await save_policy(scope.session, scope.owner_id, body)
    await commit(scope.session, redis)
    return policy

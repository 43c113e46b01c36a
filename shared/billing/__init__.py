"""End users, limits, credits and moderation (handbook section 11).

What job-creating services call, in their own transaction and before they create anything:

- :func:`moderate` — 422 ``prompt_blocked`` for a prompt-like field holding a blocked term;
- :func:`admit` — the end user's limits (429 ``quota_exceeded``) and credits (402 ``insufficient_credits``,
  422 ``end_user_required``) under a row lock of the end user; reserves the job's credits.

And the job machine, in the transaction of a job's move into a terminal state: :func:`settle` — capture
what was delivered, refund the rest, give a failed or canceled job's count back. Idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from shared.billing.enforce import Admission, Outcome, admit, settle
from shared.billing.policy import Policy, load_policy
from shared.moderation import check_fields


async def moderate(session: AsyncSession, owner_id: str, fields: Mapping[str, str | None]) -> Policy:
    """Check prompt-like ``fields`` (name → text) against the built-in list and the owner's blocked terms;
    returns the policy (its moderation flags apply at generation time)."""
    policy = await load_policy(session, owner_id)
    check_fields(fields, policy.moderation.blocked_terms)
    return policy


__all__ = ["Admission", "Outcome", "Policy", "admit", "load_policy", "moderate", "settle"]

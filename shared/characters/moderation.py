"""The one place character text and scenes are checked before anything is created or charged.

``check_prompt_fields`` is the hook for the owner's moderation policy (blocked terms → 422
``prompt_blocked``). The policy module is not part of this code base yet; until it is, the hook lets
everything through. Every character route that takes text (create, update, scenes) calls it, so wiring
the policy in is a change to this function only.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.scope import OwnerScope


def check_prompt_fields(scope: OwnerScope, fields: Mapping[str, str]) -> None:
    """Refuse ``fields`` (body field → text) that the owner's moderation policy blocks (not wired yet)."""
    return None

"""The one place character text and scenes are checked before anything is created or charged.

Every character route that takes text (create, update, scenes) calls :func:`check_prompt_fields`, which
applies the owner's moderation policy (``shared.billing.moderate``: blocked terms, and the built-in list
that is always on → 422 ``prompt_blocked`` naming the field and the term).
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.billing import moderate
from shared.scope import OwnerScope


async def check_prompt_fields(scope: OwnerScope, fields: Mapping[str, str]) -> None:
    """Refuse ``fields`` (body field → text) that the owner's moderation policy blocks."""
    await moderate(scope.session, scope.owner_id, dict(fields))

"""Owner scoping: every query of an owner's resources goes through :class:`OwnerScope`.

Routes never build ``select(Model)`` themselves; they ask the scope, which always adds the owner filter,
so a forgotten ``WHERE owner_id = …`` cannot be written by accident. Another owner's id therefore looks
exactly like a missing one (404).
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import not_found
from shared.models import Model

M = TypeVar("M")


class OwnerScope:
    def __init__(self, session: AsyncSession, owner_id: str) -> None:
        self.session = session
        self.owner_id = owner_id

    def select(self, model: type[M]) -> Select[Any]:
        owner_col: Any = model.owner_id  # type: ignore[attr-defined]
        if model is Model:
            # Base models are global (owner NULL) and visible to every owner, read-only.
            return select(model).where(or_(owner_col == self.owner_id, owner_col.is_(None)))
        return select(model).where(owner_col == self.owner_id)

    async def get(self, model: type[M], resource_id: str, resource: str, *, for_update: bool = False) -> M:
        stmt = self.select(model).where(model.id == resource_id)  # type: ignore[attr-defined]
        if for_update:
            stmt = stmt.with_for_update()
        obj = await self.session.scalar(stmt)
        if obj is None:
            raise not_found(resource, resource_id)
        return cast(M, obj)

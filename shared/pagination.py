"""Cursor pagination: ``?limit=`` (default 20, max 100) and ``?after=<cursor>``.

Ids are time-sortable strings (see :mod:`shared.ids`) and events have increasing integer ids, so the
cursor is simply the last id of the page, base64url-wrapped to keep it opaque.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shared.errors import BadRequest

T = TypeVar("T")
U = TypeVar("U")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class Page(BaseModel, Generic[T]):
    data: list[T]
    has_more: bool
    next_cursor: str | None = Field(description="Pass as `after` to get the next page; null on the last page.")


@dataclass
class Rows(Generic[T]):
    items: list[T]
    has_more: bool
    next_cursor: str | None

    def page(self, data: list[U]) -> Page[U]:
        """The API page of these rows, ``data`` being them rendered (same order)."""
        return Page(data=data, has_more=self.has_more, next_cursor=self.next_cursor)


def encode_cursor(value: str | int) -> str:
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("The `after` cursor is not one this API returned.", code="invalid_cursor") from None
    if not raw or len(raw) > 100 or not raw.isprintable():
        raise BadRequest("The `after` cursor is not one this API returned.", code="invalid_cursor")
    return raw


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    key: InstrumentedAttribute[Any],
    *,
    limit: int,
    after: str | None,
    descending: bool = True,
    integer_key: bool = False,
) -> Rows[Any]:
    if after is not None:
        raw = decode_cursor(after)
        value: Any = raw
        if integer_key:
            if not raw.isdigit():
                raise BadRequest("The `after` cursor is not one this API returned.", code="invalid_cursor")
            value = int(raw)
        stmt = stmt.where(key < value if descending else key > value)
    stmt = stmt.order_by(key.desc() if descending else key.asc()).limit(limit + 1)
    items = list((await session.scalars(stmt)).all())
    has_more = len(items) > limit
    items = items[:limit]
    next_cursor = encode_cursor(getattr(items[-1], key.key)) if has_more and items else None
    return Rows(items=items, has_more=has_more, next_cursor=next_cursor)

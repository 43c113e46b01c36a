"""The list filters every created resource shares: ``?metadata[key]=value`` and ``?end_user=``
(parsing and meaning in :mod:`shared.metadata`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from shared.metadata import MAX_END_USER_CHARS, TagFilter, parse_tag_filter


async def tag_filter(
    request: Request,
    end_user: Annotated[
        str | None, Query(min_length=1, max_length=MAX_END_USER_CHARS, description="Only resources of this end user.")
    ] = None,
) -> TagFilter:
    return parse_tag_filter(request.query_params.multi_items(), end_user)


TagFilterDep = Annotated[TagFilter, Depends(tag_filter)]

"""Authentication for SSE streams: an API key (``Authorization: Bearer``) or a stream token (``?token=``).

Use ``StreamPrincipalDep`` on stream routes *instead of* ``PrincipalDep``: it adds the token. An API key
is checked exactly as on every route (:func:`api.deps.get_principal`: the key cache, else a session of its
own that is closed before the stream starts — never the request-scoped ``SessionDep``, whose session
would stay checked out for as long as the stream is open), and a stream token needs no database at all.
A stream-token principal is ``read_only`` and, when the token names a job, carries that ``job_id``:
:func:`api.sse.job_event_stream` and :func:`api.sse.owner_event_stream` refuse any other job
(403 ``stream_token_out_of_scope``).

Tokens are accepted here only: on every other route ``?token=`` is ignored and the API-key dependency
answers 401.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from api.deps import BearerDep, get_principal
from shared.auth.service import Principal
from shared.auth.stream_tokens import MAX_TOKEN_LENGTH, verify_stream_token
from shared.config import Settings
from shared.errors import Forbidden

TokenQuery = Annotated[
    str | None,
    Query(
        max_length=MAX_TOKEN_LENGTH,
        description="A stream token from `POST /v1/stream-tokens`, for clients that cannot send an "
        "`Authorization` header (the browser's `EventSource`). Accepted on stream endpoints only.",
    ),
]


async def get_stream_principal(request: Request, token: TokenQuery = None, _credentials: BearerDep = None) -> Principal:
    settings: Settings = request.app.state.settings
    if request.headers.get("authorization") or token is None:
        principal = await get_principal(request)
    else:
        claims = verify_stream_token(settings.secret_key, token)
        principal = Principal(owner_id=claims.owner_id, read_only=True, job_id=claims.job_id)
    request.state.owner_id = principal.owner_id
    request.state.principal = principal
    return principal


StreamPrincipalDep = Annotated[Principal, Depends(get_stream_principal)]


def check_job_scope(principal: Principal, job_id: str | None) -> None:
    """A job-scoped stream token opens that job's stream (or the owner stream filtered to it) only."""
    if principal.job_id is not None and job_id != principal.job_id:
        raise Forbidden(
            "This stream token is scoped to another job.",
            code="stream_token_out_of_scope",
        )

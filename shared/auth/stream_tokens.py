"""Stream tokens: short-lived, read-only credentials for SSE streams, passed as ``?token=``.

The browser's ``EventSource`` cannot send an ``Authorization`` header, and an API key must never travel
in a URL (logs, history, referrers). A stream token is what goes there instead: minted with an API key,
it names the owner, optionally one job or one character, and an expiry, and carries an HMAC-SHA256 over
those (keyed by a key derived from ``settings.secret_key``). It is stateless — nothing is stored — so it
cannot be revoked before it expires; that is why it lives minutes (default 5, at most 60) and only opens
streams.

Format: ``fgst_<base64url(JSON payload)>.<base64url(HMAC)>``. The ``fgst_`` prefix never passes for an
API key (those start with ``fg_``), so the token is useless on every other route.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound, Unauthorized, not_found
from shared.models import Character

TOKEN_PREFIX: Final = "fgst_"  # noqa: S105 - a prefix, not a secret
DEFAULT_TTL_SECONDS: Final = 300
MAX_TTL_SECONDS: Final = 3600
MAX_TOKEN_LENGTH: Final = 1000


@dataclass(frozen=True)
class StreamToken:
    owner_id: str
    job_id: str | None
    expires_at: datetime


def _key(secret_key: str) -> bytes:
    # A key of its own: a stream token can never be confused with any other HMAC made from the secret.
    return hmac.new(secret_key.encode(), b"fotogen/stream-token/v1", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_stream_token(
    secret_key: str, owner_id: str, job_id: str | None = None, ttl_seconds: int = DEFAULT_TTL_SECONDS
) -> tuple[str, StreamToken]:
    expires = int(time.time()) + max(1, min(ttl_seconds, MAX_TTL_SECONDS))
    payload = {"o": owner_id, "e": expires}
    if job_id is not None:
        payload["j"] = job_id
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    mac = _b64(hmac.new(_key(secret_key), body.encode(), hashlib.sha256).digest())
    token = f"{TOKEN_PREFIX}{body}.{mac}"
    return token, StreamToken(owner_id, job_id, datetime.fromtimestamp(expires, UTC))


def _invalid(detail: str = "The stream token is invalid.") -> Unauthorized:
    return Unauthorized(detail, code="invalid_stream_token")


def verify_stream_token(secret_key: str, token: str, *, now: float | None = None) -> StreamToken:
    """The token's claims, or :class:`~shared.errors.Unauthorized` (``invalid_stream_token``,
    ``stream_token_expired``)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        raise _invalid()
    body, sep, mac = token[len(TOKEN_PREFIX) :].partition(".")
    if not sep or not body or not mac:
        raise _invalid()
    expected = hmac.new(_key(secret_key), body.encode(), hashlib.sha256).digest()
    try:
        given = _unb64(mac)
        payload = json.loads(_unb64(body))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _invalid() from None
    if not hmac.compare_digest(expected, given):
        raise _invalid()
    if not isinstance(payload, dict):
        raise _invalid()
    owner_id, expires, job_id = payload.get("o"), payload.get("e"), payload.get("j")
    if not isinstance(owner_id, str) or not isinstance(expires, int) or not isinstance(job_id, str | None):
        raise _invalid()
    if (time.time() if now is None else now) >= expires:
        raise Unauthorized("The stream token has expired; request a new one.", code="stream_token_expired")
    return StreamToken(owner_id, job_id, datetime.fromtimestamp(expires, UTC))


# -- API -----------------------------------------------------------------------------------------------


class StreamTokenCreate(BaseModel):
    job_id: str | None = Field(
        default=None,
        max_length=40,
        description="Scope the token to this job (a training, generation or mesh job of yours); "
        "omit for all of your events.",
    )
    character_id: str | None = Field(
        default=None,
        max_length=40,
        description="Scope the token to this character of yours (`chr_…`): its stream, from the profile's "
        "creation on (before any training). Not together with `job_id`.",
    )
    ttl_seconds: int = Field(
        default=DEFAULT_TTL_SECONDS, ge=10, le=MAX_TTL_SECONDS, description="Lifetime in seconds (max 3600)."
    )

    @model_validator(mode="after")
    def _one_scope(self) -> StreamTokenCreate:
        if self.job_id is not None and self.character_id is not None:
            raise ValueError("give job_id or character_id, not both")
        return self


class StreamTokenOut(BaseModel):
    token: str = Field(description="Pass as `?token=` to a `/stream` endpoint. Useless on every other route.")
    expires_at: datetime
    scope: Literal["owner", "job", "character"] = Field(
        description="`owner`: all your streams; `job`: that job's only; `character`: that character's only."
    )
    job_id: str | None = None
    character_id: str | None = None


async def create_stream_token(
    session: AsyncSession, secret_key: str, owner_id: str, body: StreamTokenCreate
) -> StreamTokenOut:
    """Mint a token; a ``job_id`` must name one of the owner's jobs (404 ``job_not_found`` otherwise), a
    ``character_id`` one of the owner's characters (404 ``character_not_found``)."""
    if body.character_id is not None:
        found = await session.scalar(
            select(Character.id).where(Character.id == body.character_id, Character.owner_id == owner_id)
        )
        if found is None:
            raise not_found("character", body.character_id)
        token, claims = issue_stream_token(secret_key, owner_id, body.character_id, body.ttl_seconds)
        return StreamTokenOut(
            token=token, expires_at=claims.expires_at, scope="character", character_id=body.character_id
        )
    if body.job_id is not None:
        from shared.jobs.registry import all_kinds

        for kind in all_kinds():
            found = await session.scalar(
                select(kind.model.id).where(kind.model.id == body.job_id, kind.model.owner_id == owner_id)
            )
            if found is not None:
                break
        else:
            raise NotFound(f"No job with id {body.job_id!r}.", code="job_not_found")
    token, claims = issue_stream_token(secret_key, owner_id, body.job_id, body.ttl_seconds)
    return StreamTokenOut(
        token=token, expires_at=claims.expires_at, scope="job" if body.job_id else "owner", job_id=body.job_id
    )

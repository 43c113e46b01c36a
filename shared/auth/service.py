"""API keys: created by the CLI, stored as SHA-256 digests, revocable.

Keys carry 256 bits of randomness, so a fast digest is the right tool (a slow password hash adds latency
to every request and no security to a key that cannot be guessed).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.ids import new_id
from shared.models import ApiKey, Owner

KEY_PREFIX = "fg_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the owner every query is scoped to, and what the credential allows."""

    owner_id: str
    key_id: str | None = None
    read_only: bool = False
    job_id: str | None = None  # stream tokens may be scoped to one job


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


async def get_or_create_owner(session: AsyncSession, name: str) -> Owner:
    owner = await session.scalar(select(Owner).where(Owner.name == name))
    if owner is None:
        owner = Owner(id=new_id("owner"), name=name)
        session.add(owner)
        await session.flush()
    return owner


async def create_key(session: AsyncSession, owner_name: str, name: str | None = None) -> tuple[ApiKey, str]:
    owner = await get_or_create_owner(session, owner_name)
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(id=new_id("api_key"), owner_id=owner.id, name=name, prefix=raw[:10], key_hash=hash_key(raw))
    session.add(key)
    await session.flush()
    return key, raw


async def authenticate(session: AsyncSession, raw: str) -> Principal | None:
    if not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    key = await session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(raw), ApiKey.revoked_at.is_(None)))
    if key is None:
        return None
    return Principal(owner_id=key.owner_id, key_id=key.id)


async def list_keys(session: AsyncSession, owner_name: str | None = None) -> list[tuple[ApiKey, Owner]]:
    stmt = select(ApiKey, Owner).join(Owner, Owner.id == ApiKey.owner_id).order_by(ApiKey.created_at)
    if owner_name:
        stmt = stmt.where(Owner.name == owner_name)
    return [(k, o) for k, o in (await session.execute(stmt)).all()]


async def revoke_key(session: AsyncSession, key_id_or_prefix: str) -> bool:
    key = await session.scalar(
        select(ApiKey).where((ApiKey.id == key_id_or_prefix) | (ApiKey.prefix == key_id_or_prefix))
    )
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    await session.flush()
    return True

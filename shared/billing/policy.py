"""An owner's policy: prices, whether credits are required, per-end-user limits, moderation.

``PUT /v1/policy`` replaces the whole document; a member left out takes its default (the defaults below),
nested members included. An owner who never wrote one has the defaults: nothing limited, nothing charged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Text, cast, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.cache import cache_for
from shared.db import utcnow
from shared.models import BillingPolicy

MAX_BLOCKED_TERMS = 500
Limit = Field(default=None, ge=0, le=1_000_000_000)


class Prices(BaseModel):
    """Credits per unit of work."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    generation_image: int = Field(default=1, ge=0, le=1_000_000, description="Per image asked for.")
    training: int = Field(default=20, ge=0, le=1_000_000, description="Per training.")
    mesh_item: int = Field(default=5, ge=0, le=1_000_000, description="Per mesh item (one input image).")
    video: int = Field(default=10, ge=0, le=1_000_000, description="Per video.")


class Limits(BaseModel):
    """Per end user; `null` is unlimited. Days and months are UTC."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    generation_images_per_day: int | None = Limit
    trainings_per_month: int | None = Limit
    videos_per_day: int | None = Limit
    mesh_items_per_day: int | None = Limit
    concurrent_jobs: int | None = Field(default=None, ge=0, le=1_000_000, description="Jobs not yet ended.")


LimitName = Literal[
    "generation_images_per_day", "trainings_per_month", "videos_per_day", "mesh_items_per_day", "concurrent_jobs"
]


class Moderation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    blocked_terms: list[str] = Field(
        default_factory=list,
        max_length=MAX_BLOCKED_TERMS,
        description="Words or phrases refused in prompts (422 `prompt_blocked`), matched as whole words after "
        "Unicode NFKC, case folding, accent stripping and collapsing of separators (`S.p-e-l-l` is `spell`).",
    )
    force_safety_checker: bool = Field(
        default=False, description="Run the provider's safety checker even when a request turns it off."
    )
    withhold_nsfw_images: bool = Field(
        default=False, description="Store no image the provider flags (`withheld: true, url: null`) and refund it."
    )

    @field_validator("blocked_terms")
    @classmethod
    def _terms(cls, value: list[str]) -> list[str]:
        from shared.moderation import term_tokens

        for term in value:
            if not 1 <= len(term) <= 100 or not term_tokens(term):
                raise ValueError(f"blocked term {term!r}: 1-100 characters with at least one letter or digit")
        return value


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    prices: Prices = Field(default_factory=Prices)
    credits_required: bool = Field(
        default=False,
        description="Charge credits: a chargeable create must name an `end_user` (422 `end_user_required`) who "
        "has enough (402 `insufficient_credits`). When false no credits move and only limits apply.",
    )
    limits: Limits = Field(default_factory=Limits)
    moderation: Moderation = Field(default_factory=Moderation)


@dataclass(frozen=True)
class Meter:
    """How a job type is priced and limited: ``price`` names a member of Prices, ``limit`` one of Limits."""

    price: str
    limit: LimitName
    period: Literal["day", "month"]


METERS: dict[str, Meter] = {
    "generation": Meter("generation_image", "generation_images_per_day", "day"),
    "training": Meter("training", "trainings_per_month", "month"),
    "mesh": Meter("mesh_item", "mesh_items_per_day", "day"),
    "video": Meter("video", "videos_per_day", "day"),
}

DEFAULT_POLICY = Policy()
_CACHE = "fotogen.billing_policy"


POLICY_TABLE = "billing_policies"


async def load_policy(session: AsyncSession, owner_id: str) -> Policy:
    """The owner's policy (defaults when none was written), remembered for the session's life: one request
    or one job step reads it once, however many checks it makes. In the API it comes from the process's read
    cache (``shared.cache``; a trigger notifies every process of any committed change, migration ``0010``)."""
    local: dict[str, Policy] = session.info.setdefault(_CACHE, {})
    if owner_id not in local:
        shared = cache_for(session, POLICY_TABLE)

        async def read() -> Policy:
            stmt = select(cast(BillingPolicy.document, Text)).where(BillingPolicy.owner_id == owner_id)
            doc = await session.scalar(stmt)
            return _parse(doc) if doc is not None else DEFAULT_POLICY

        local[owner_id] = await (shared.get_or_load(owner_id, read) if shared is not None else read()) or DEFAULT_POLICY
    return local[owner_id]


@lru_cache(maxsize=1024)
def _parse(document: str) -> Policy:
    """Validating a document with hundreds of blocked terms costs more than reading it: done once per text."""
    return Policy.model_validate_json(document)


async def save_policy(session: AsyncSession, owner_id: str, policy: Policy) -> Policy:
    doc: dict[str, Any] = policy.model_dump(mode="json")
    stmt = insert(BillingPolicy).values(owner_id=owner_id, document=doc, updated_at=utcnow())
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[BillingPolicy.owner_id],
            set_={"document": stmt.excluded.document, "updated_at": stmt.excluded.updated_at},
        )
    )
    session.info.setdefault(_CACHE, {})[owner_id] = policy
    return policy

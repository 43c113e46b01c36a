from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.billing.policy import Limits

LedgerKind = Literal["grant", "debit", "reserve", "capture", "refund"]
MAX_CREDITS = 1_000_000_000


class Credits(BaseModel):
    balance: int = Field(description="Credits available to spend (reserved credits are not in it).")
    reserved: int = Field(description="Credits held by jobs that have not ended yet.")


class Usage(BaseModel):
    """What counts against each limit now: this UTC day's or month's work (failed and canceled jobs give
    theirs back), and the jobs not yet ended."""

    generation_images_per_day: int
    trainings_per_month: int
    videos_per_day: int
    mesh_items_per_day: int
    concurrent_jobs: int


class LimitOverrides(BaseModel):
    """An end user's own limits: a member given replaces the policy's (`null`: unlimited), a member left out
    inherits it. `PUT` replaces the whole object."""

    model_config = ConfigDict(extra="forbid")

    generation_images_per_day: int | None = Field(default=None, ge=0, le=1_000_000_000)
    trainings_per_month: int | None = Field(default=None, ge=0, le=1_000_000_000)
    videos_per_day: int | None = Field(default=None, ge=0, le=1_000_000_000)
    mesh_items_per_day: int | None = Field(default=None, ge=0, le=1_000_000_000)
    concurrent_jobs: int | None = Field(default=None, ge=0, le=1_000_000)


class EndUserOut(BaseModel):
    id: str = Field(description="Your id for the person (the `end_user` of the jobs).")
    credits: Credits
    usage: Usage
    limits: Limits = Field(description="The limits in force: the policy's, with this end user's overrides.")
    limit_overrides: dict[str, int | None] = Field(description="The overrides set with `PUT …/limits`.")
    created_at: datetime


class CreditsCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int = Field(
        ge=-MAX_CREDITS, le=MAX_CREDITS, description="Positive: a grant. Negative: a debit (never past the balance)."
    )
    description: str | None = Field(default=None, max_length=500)

    @field_validator("amount")
    @classmethod
    def _nonzero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("amount must not be 0")
        return value


class LedgerEntryOut(BaseModel):
    id: str
    amount: int = Field(description="The signed change of `balance` (a capture is 0: its credits were reserved).")
    kind: LedgerKind
    job_type: str | None
    job_id: str | None
    quantity: int | None = Field(description="Units reserved, captured or refunded (jobs only).")
    description: str | None
    balance_after: int
    created_at: datetime

    model_config = ConfigDict(from_attributes=True)

"""Incoming provider callbacks (Fal): replay protection and "reconcile this job now".

A verified callback only makes the job's next step happen *sooner*: the job step itself asks the provider
for the status and result, exactly as a poll would (the callback body is informative, never trusted as the
result). Polling stays the safety net when callbacks are late, lost or disabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import Conflict
from shared.jobs.registry import JobKind, JobRegistry, default_registry
from shared.jobs.runner import reconcile_now
from shared.models import ProviderWebhookReceipt


class FalCallback(BaseModel):
    """What Fal POSTs to the webhook URL when a queued request completes."""

    request_id: str = Field(max_length=200)
    gateway_request_id: str | None = Field(default=None, max_length=200)
    status: str = Field(description="`OK` or `ERROR`.", max_length=50)
    payload: Any = None
    error: str | None = None


@dataclass(frozen=True)
class CallbackOutcome:
    job_type: str | None
    job_id: str | None
    scheduled: bool


async def record_receipt(session: AsyncSession, digest: str, request_id: str) -> None:
    """Remember the callback by its signature digest; a second delivery of it is 409 ``replayed_webhook``."""
    stmt = (
        insert(ProviderWebhookReceipt)
        .values(digest=digest, request_id=request_id)
        .on_conflict_do_nothing(index_elements=["digest"])
        .returning(ProviderWebhookReceipt.digest)
    )
    if (await session.execute(stmt)).scalar_one_or_none() is None:
        raise Conflict("This webhook delivery was already received.", code="replayed_webhook")


async def find_job(session: AsyncSession, kinds: JobRegistry, request_id: str) -> tuple[JobKind, str] | None:
    """The job whose provider request this is, whichever kind it is (each kind knows where it keeps ids)."""
    for kind in kinds:
        job_id = await kind.find_request(session, kind.model, request_id)
        if job_id is not None:
            return kind, job_id
    return None


async def handle_fal_callback(
    session: AsyncSession, digest: str, request_id: str, kinds: JobRegistry | None = None
) -> CallbackOutcome:
    await record_receipt(session, digest, request_id)
    found = await find_job(session, kinds or default_registry(), request_id)
    if found is None:
        return CallbackOutcome(job_type=None, job_id=None, scheduled=False)
    kind, job_id = found
    return CallbackOutcome(job_type=kind.name, job_id=job_id, scheduled=await reconcile_now(session, kind, job_id))

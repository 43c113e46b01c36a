"""Incoming provider callbacks (Fal): deduplication and "reconcile this job now".

Fal re-delivers a callback it does not see acknowledged (several times, over hours), with the same body
and signature, so a second delivery is normal, not an attack: it is acknowledged (200) and changes
nothing. Only the first delivery of a signature reconciles the job.

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
    duplicate: bool = False


async def record_receipt(session: AsyncSession, digest: str, request_id: str) -> bool:
    """Remember the callback by its signature digest; False when this delivery was already received."""
    stmt = (
        insert(ProviderWebhookReceipt)
        .values(digest=digest, request_id=request_id)
        .on_conflict_do_nothing(index_elements=["digest"])
        .returning(ProviderWebhookReceipt.digest)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


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
    if not await record_receipt(session, digest, request_id):
        return CallbackOutcome(job_type=None, job_id=None, scheduled=False, duplicate=True)
    found = await find_job(session, kinds or default_registry(), request_id)
    if found is None:
        return CallbackOutcome(job_type=None, job_id=None, scheduled=False)
    kind, job_id = found
    return CallbackOutcome(job_type=kind.name, job_id=job_id, scheduled=await reconcile_now(session, kind, job_id))

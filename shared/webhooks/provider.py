"""Incoming provider callbacks (Fal): replay protection and "reconcile this job now".

A verified callback only makes the job's next step happen *sooner*: the job step itself asks the provider
for the status and result, exactly as a poll would (the callback body is informative, never trusted as the
result). Polling stays the safety net when callbacks are late, lost or disabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import Conflict
from shared.jobs.registry import TERMINAL, JobKind, get_kind
from shared.jobs.runner import schedule_step
from shared.models import MeshItem, ProviderWebhookReceipt


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


def _kinds() -> list[tuple[str, JobKind]]:
    out = []
    for name in ("training", "generation", "mesh"):
        try:
            out.append((name, get_kind(name)))
        except KeyError:  # a job domain not installed in this build
            continue
    return out


async def find_job(session: AsyncSession, request_id: str) -> tuple[JobKind, str] | None:
    """The job whose provider request this is: a training, a generation, or a mesh job (via its item)."""
    kinds = _kinds()
    for name, kind in kinds:
        if name == "mesh":
            continue
        job_id = await session.scalar(select(kind.model.id).where(kind.model.provider_request_id == request_id))
        if job_id is not None:
            return kind, job_id
    mesh = next((k for n, k in kinds if n == "mesh"), None)
    if mesh is not None:
        job_id = await session.scalar(select(MeshItem.mesh_job_id).where(MeshItem.provider_request_id == request_id))
        if job_id is not None:
            return mesh, job_id
    return None


async def reconcile_now(session: AsyncSession, kind: JobKind, job_id: str) -> bool:
    """Like the reconciler, for one job: if nobody holds its lease and it is not finished, bump ``step_seq``
    (invalidating the deferred poll) and schedule a step now (sent after the caller commits). A job whose
    step is running is left alone: that step is already looking at the provider."""
    model = kind.model
    stmt = (
        update(model)
        .where(
            model.id == job_id,
            model.status.not_in(TERMINAL),
            or_(model.lease_until.is_(None), model.lease_until < func.now()),
        )
        .values(step_seq=model.step_seq + 1, next_run_at=func.now())
        .returning(model.step_seq)
    )
    seq = (await session.execute(stmt)).scalar_one_or_none()
    if seq is None:
        return False
    schedule_step(session, kind, job_id, seq)
    return True


async def handle_fal_callback(session: AsyncSession, digest: str, request_id: str) -> CallbackOutcome:
    await record_receipt(session, digest, request_id)
    found = await find_job(session, request_id)
    if found is None:
        return CallbackOutcome(job_type=None, job_id=None, scheduled=False)
    kind, job_id = found
    return CallbackOutcome(job_type=kind.name, job_id=job_id, scheduled=await reconcile_now(session, kind, job_id))

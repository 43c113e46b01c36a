"""Incoming provider callbacks (Fal): deduplication and "reconcile this job now".

Fal re-delivers a callback it does not see acknowledged (several times, over hours), with the same body
and signature, so a second delivery is normal, not an attack: it is acknowledged (200) and changes
nothing. Only the first delivery of a signature reconciles the job.

A verified callback only makes the job's next step happen *sooner*: the job step itself asks the provider
for the status and result, exactly as a poll would (the callback body is informative, never trusted as the
result). Polling stays the safety net when callbacks are late, lost or disabled.

Our callback URL names the job and the submission nonce (``?job=<kind>:<id>&nonce=<n>``). A callback for a
request that is not the job's recorded one, sent for a nonce that is no longer the job's, comes from an
orphan submission (a worker died between the provider accepting it and our commit of its id): it is
canceled at the provider by a worker task and its result is never read. A callback whose nonce is still the
job's cannot be judged yet (its step may be between submit and commit, or may have died there before a
takeover step committed a new nonce): a worker task looks again every few seconds until the job recorded
that request (nothing to do) or moved on without it (an orphan: canceled).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.jobs.registry import JobKind, JobRegistry, default_registry
from shared.jobs.runner import reconcile_now
from shared.models import ProviderWebhookReceipt
from shared.queue import enqueue_after_commit

CANCEL_ORPHAN = "cancel_orphan_request"  # the worker task that cancels an orphan submission
CHECK_UNRECORDED = "check_unrecorded_request"  # the worker task that judges a request under a current nonce
UNRECORDED_RECHECK = timedelta(seconds=2)


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
    orphan: bool = False


async def record_receipt(session: AsyncSession, digest: str, request_id: str) -> bool:
    """Remember the callback by its signature digest; False when this delivery was already received."""
    stmt = (
        insert(ProviderWebhookReceipt)
        .values(digest=digest, request_id=request_id)
        .on_conflict_do_nothing(index_elements=["digest"])
        .returning(ProviderWebhookReceipt.digest)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def find_job(
    session: AsyncSession, kinds: JobRegistry, request_id: str, hint: str | None = None
) -> tuple[JobKind, str] | None:
    """The job whose provider request this is, whichever kind it is (each kind knows where it keeps ids); the kind
    ``hint`` names (the callback URL's ``job``) is looked at first, then the others."""
    ordered = sorted(kinds, key=lambda kind: kind.name != hint)
    for kind in ordered:
        job_id = await kind.find_request(session, kind.model, request_id)
        if job_id is not None:
            return kind, job_id
    return None


async def handle_fal_callback(
    session: AsyncSession,
    digest: str,
    request_id: str,
    kinds: JobRegistry | None = None,
    *,
    job: str | None = None,
    nonce: str | None = None,
) -> CallbackOutcome:
    """``job`` and ``nonce`` are the callback URL's query parameters (absent on requests submitted before
    they were added). A repeated delivery of the same signed callback is acknowledged and changes nothing."""
    if not await record_receipt(session, digest, request_id):
        return CallbackOutcome(job_type=None, job_id=None, scheduled=False, duplicate=True)
    registry = kinds or default_registry()
    found = await find_job(session, registry, request_id, (job or "").partition(":")[0] or None)
    if found is None:
        return await _unrecorded(session, registry, request_id, job, nonce)
    kind, job_id = found
    return CallbackOutcome(job_type=kind.name, job_id=job_id, scheduled=await reconcile_now(session, kind, job_id))


async def _unrecorded(
    session: AsyncSession, kinds: JobRegistry, request_id: str, job: str | None, nonce: str | None
) -> CallbackOutcome:
    """A request no job recorded: an orphan when its nonce is stale, else (nonce still current) its step is
    between submit and commit — look again now."""
    kind_name, _, job_id = (job or "").partition(":")
    if kind_name not in kinds or not job_id:
        return CallbackOutcome(job_type=None, job_id=None, scheduled=False)
    kind = kinds.get(kind_name)
    row = await session.get(kind.model, job_id)
    if row is None:
        return CallbackOutcome(job_type=None, job_id=None, scheduled=False)
    endpoint = str(row.provider_endpoint or "")
    if is_orphan(kind, row, request_id, nonce) is None:
        check_unrecorded_later(session, kind, job_id, endpoint, request_id, nonce or "", 0)
        return CallbackOutcome(job_type=kind.name, job_id=job_id, scheduled=await reconcile_now(session, kind, job_id))
    enqueue_after_commit(session, CANCEL_ORPHAN, endpoint, request_id, job_id=f"orphan:{request_id}")
    return CallbackOutcome(job_type=kind.name, job_id=job_id, scheduled=False, orphan=True)


def is_orphan(kind: JobKind, row: Any, request_id: str, nonce: str | None) -> bool | None:
    """Whether a provider request the callback reported is an orphan of job ``row``: False when the job
    recorded it, None when that cannot be told yet (no request recorded, the nonce still the job's, the job
    not ended), True otherwise."""
    if row is not None and row.provider_request_id == request_id:
        return False
    if (
        row is not None
        and nonce is not None
        and row.provider_request_id is None
        and row.submit_nonce == nonce
        and row.status not in kind.terminal
    ):
        return None
    return True


def check_unrecorded_later(
    session: AsyncSession, kind: JobKind, job_id: str, endpoint: str, request_id: str, nonce: str, tries: int
) -> None:
    """Have a worker judge the request again in ``UNRECORDED_RECHECK`` (after the caller commits)."""
    args = (kind.name, job_id, endpoint, request_id, nonce, tries)
    job = f"unrecorded:{request_id}:{tries}"
    enqueue_after_commit(session, CHECK_UNRECORDED, *args, job_id=job, defer_by=UNRECORDED_RECHECK)

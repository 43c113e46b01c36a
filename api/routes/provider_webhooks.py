"""``POST /v1/provider-webhooks/fal``: Fal's completion callback, used only to reconcile a job sooner."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, ValidationError

from api.deps import RedisDep, SessionDep, SettingsDep
from api.problems import problems
from shared.errors import BadRequest
from shared.fal.webhook_verify import JwksCache, verify_fal_callback
from shared.queue import commit
from shared.webhooks.provider import FalCallback, handle_fal_callback

router = APIRouter(prefix="/v1/provider-webhooks", tags=["provider webhooks"])


class CallbackAccepted(BaseModel):
    received: bool = True
    job_type: str | None = None
    job_id: str | None = None
    reconciling: bool = False
    duplicate: bool = Field(default=False, description="This signed delivery was already received: nothing changed.")


def _jwks(request: Request, settings: Any) -> JwksCache:
    cache: JwksCache | None = getattr(request.app.state, "fal_jwks", None)
    if cache is None or cache.url != settings.fal_webhook_jwks_url:
        cache = JwksCache(settings.fal_webhook_jwks_url, request.app.state.http, settings.fal_webhook_jwks_ttl_seconds)
        request.app.state.fal_jwks = cache
    return cache


@router.post(
    "/fal",
    operation_id="provider-webhooks-fal",
    responses=problems(400, 401, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": FalCallback.model_json_schema()}},
        }
    },
)
async def fal_callback(
    request: Request, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> CallbackAccepted:
    """Called by Fal when a request we submitted completes. Accepted only with a valid ED25519 signature
    (`X-Fal-Webhook-Request-Id`, `-User-Id`, `-Timestamp`, `-Signature`; keys from the configured JWKS)
    and a timestamp within ±300 s (401 `invalid_signature` / `stale_timestamp`). Fal re-delivers callbacks
    it did not see acknowledged: a second delivery of the same signed callback is acknowledged (200,
    `duplicate: true`) and changes nothing. A valid callback makes the job's next step run now
    (it then asks Fal for the outcome, as a poll would); an unknown request id is acknowledged and ignored."""
    body = await request.body()
    verified = await verify_fal_callback(
        body, request.headers, _jwks(request, settings), tolerance_seconds=settings.fal_webhook_tolerance_seconds
    )
    try:
        callback = FalCallback.model_validate(json.loads(body))
    except (ValueError, ValidationError):
        raise BadRequest("The callback body is not Fal's JSON callback.", code="malformed_callback") from None
    if callback.request_id != verified.request_id:
        raise BadRequest("The body's request_id differs from the signed one.", code="malformed_callback")
    outcome = await handle_fal_callback(session, verified.digest, verified.request_id)
    await commit(session, redis)
    return CallbackAccepted(
        job_type=outcome.job_type, job_id=outcome.job_id, reconciling=outcome.scheduled, duplicate=outcome.duplicate
    )

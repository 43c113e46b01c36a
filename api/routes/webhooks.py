"""``/v1/webhook-endpoints``: where to POST signed event notifications (Standard Webhooks)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.responses import JSONResponse

from api.deps import AfterQuery, LimitQuery, PrincipalDep, RedisDep, ScopeDep, SessionDep, SettingsDep
from api.idempotency import IdempotencyKeyHeader, idempotent_create
from api.problems import AUTHED, problems
from shared.pagination import DEFAULT_LIMIT, Page
from shared.queue import commit
from shared.webhooks.schemas import (
    WebhookDeliveryOut,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointOut,
)
from shared.webhooks.service import create_endpoint, delete_endpoint, get_endpoint, list_deliveries, list_endpoints

router = APIRouter(prefix="/v1/webhook-endpoints", tags=["webhooks"])


@router.post(
    "",
    operation_id="webhook-endpoints-create",
    status_code=201,
    response_model=WebhookEndpointCreated,
    responses=problems(*AUTHED, 409),
)
async def create(
    request: Request,
    body: WebhookEndpointCreate,
    session: SessionDep,
    redis: RedisDep,
    principal: PrincipalDep,
    scope: ScopeDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Register an endpoint. The answer carries its signing `secret` — **the only time it is shown**.

    Deliveries follow [Standard Webhooks](https://www.standardwebhooks.com): `POST` with body
    `{"type", "timestamp", "data"}` (`data` = the event as `GET /v1/events` shows it) and headers
    `webhook-id` (stable across retries), `webhook-timestamp` and `webhook-signature` (`v1,<base64
    HMAC-SHA256>`); any `standardwebhooks` library verifies them with the secret. A non-2xx answer is retried
    with exponential backoff and jitter. `events` is a list of event types or `["*"]`. URLs must be
    `http(s)` and must not resolve to private, loopback, link-local or reserved addresses
    (422 `webhook_url_not_allowed`)."""

    async def _create() -> tuple[int, WebhookEndpointCreated]:
        out = await create_endpoint(scope, body, allow_private=settings.allow_private_webhook_urls)
        return 201, out

    return await idempotent_create(
        request, session, redis, owner_id=principal.owner_id, key=idempotency_key, body=body, create=_create
    )


@router.get("", operation_id="webhook-endpoints-list", responses=problems(*AUTHED, 400))
async def list_all(
    scope: ScopeDep, limit: LimitQuery = DEFAULT_LIMIT, after: AfterQuery = None
) -> Page[WebhookEndpointOut]:
    """Your webhook endpoints, newest first (without their secrets)."""
    return await list_endpoints(scope, limit=limit, after=after)


@router.get("/{endpoint_id}", operation_id="webhook-endpoints-get", responses=problems(*AUTHED, 404))
async def get(endpoint_id: str, scope: ScopeDep) -> WebhookEndpointOut:
    return WebhookEndpointOut.model_validate(await get_endpoint(scope, endpoint_id))


@router.delete(
    "/{endpoint_id}", operation_id="webhook-endpoints-delete", status_code=204, responses=problems(*AUTHED, 404)
)
async def delete(endpoint_id: str, scope: ScopeDep, redis: RedisDep) -> Response:
    """Delete the endpoint and its delivery log; deliveries not yet sent are dropped."""
    await delete_endpoint(scope, endpoint_id)
    await commit(scope.session, redis)
    return Response(status_code=204)


@router.get(
    "/{endpoint_id}/deliveries", operation_id="webhook-endpoints-deliveries", responses=problems(*AUTHED, 400, 404)
)
async def deliveries(
    endpoint_id: str, scope: ScopeDep, limit: LimitQuery = DEFAULT_LIMIT, after: AfterQuery = None
) -> Page[WebhookDeliveryOut]:
    """The delivery log of an endpoint, newest first: status (`pending`, `succeeded`, `failed`), attempts made,
    and the last attempt's status code, latency and error."""
    return await list_deliveries(scope, endpoint_id, limit=limit, after=after)

from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.webhook_endpoint_create import WebhookEndpointCreate
from ...models.webhook_endpoint_created import WebhookEndpointCreated
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: WebhookEndpointCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/webhook-endpoints",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | WebhookEndpointCreated | None:
    if response.status_code == 201:
        response_201 = WebhookEndpointCreated.from_dict(response.json())

        return response_201

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | WebhookEndpointCreated]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: WebhookEndpointCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Problem | WebhookEndpointCreated]:
    """Create

     Register an endpoint. The answer carries its signing `secret` — **the only time it is shown**.

    Deliveries follow [Standard Webhooks](https://www.standardwebhooks.com): `POST` with body
    `{"type", "timestamp", "data"}` (`data` = the event as `GET /v1/events` shows it) and headers
    `webhook-id` (stable across retries), `webhook-timestamp` and `webhook-signature` (`v1,<base64
    HMAC-SHA256>`); any `standardwebhooks` library verifies them with the secret. A non-2xx answer is
    retried
    with exponential backoff and jitter. `events` is a list of event types or `["*"]`. URLs must be
    `http(s)` and must not resolve to private, loopback, link-local or reserved addresses
    (422 `webhook_url_not_allowed`).

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (WebhookEndpointCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookEndpointCreated]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: WebhookEndpointCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Problem | WebhookEndpointCreated | None:
    """Create

     Register an endpoint. The answer carries its signing `secret` — **the only time it is shown**.

    Deliveries follow [Standard Webhooks](https://www.standardwebhooks.com): `POST` with body
    `{"type", "timestamp", "data"}` (`data` = the event as `GET /v1/events` shows it) and headers
    `webhook-id` (stable across retries), `webhook-timestamp` and `webhook-signature` (`v1,<base64
    HMAC-SHA256>`); any `standardwebhooks` library verifies them with the secret. A non-2xx answer is
    retried
    with exponential backoff and jitter. `events` is a list of event types or `["*"]`. URLs must be
    `http(s)` and must not resolve to private, loopback, link-local or reserved addresses
    (422 `webhook_url_not_allowed`).

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (WebhookEndpointCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookEndpointCreated
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: WebhookEndpointCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Problem | WebhookEndpointCreated]:
    """Create

     Register an endpoint. The answer carries its signing `secret` — **the only time it is shown**.

    Deliveries follow [Standard Webhooks](https://www.standardwebhooks.com): `POST` with body
    `{"type", "timestamp", "data"}` (`data` = the event as `GET /v1/events` shows it) and headers
    `webhook-id` (stable across retries), `webhook-timestamp` and `webhook-signature` (`v1,<base64
    HMAC-SHA256>`); any `standardwebhooks` library verifies them with the secret. A non-2xx answer is
    retried
    with exponential backoff and jitter. `events` is a list of event types or `["*"]`. URLs must be
    `http(s)` and must not resolve to private, loopback, link-local or reserved addresses
    (422 `webhook_url_not_allowed`).

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (WebhookEndpointCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookEndpointCreated]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: WebhookEndpointCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Problem | WebhookEndpointCreated | None:
    """Create

     Register an endpoint. The answer carries its signing `secret` — **the only time it is shown**.

    Deliveries follow [Standard Webhooks](https://www.standardwebhooks.com): `POST` with body
    `{"type", "timestamp", "data"}` (`data` = the event as `GET /v1/events` shows it) and headers
    `webhook-id` (stable across retries), `webhook-timestamp` and `webhook-signature` (`v1,<base64
    HMAC-SHA256>`); any `standardwebhooks` library verifies them with the secret. A non-2xx answer is
    retried
    with exponential backoff and jitter. `events` is a list of event types or `["*"]`. URLs must be
    `http(s)` and must not resolve to private, loopback, link-local or reserved addresses
    (422 `webhook_url_not_allowed`).

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (WebhookEndpointCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookEndpointCreated
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed

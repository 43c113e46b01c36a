from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.callback_accepted import CallbackAccepted
from ...models.http_validation_error import HTTPValidationError
from ...models.problem import Problem
from ...models.provider_webhooks_fal_fal_callback import ProviderWebhooksFalFalCallback
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ProviderWebhooksFalFalCallback,
    job: None | str | Unset = UNSET,
    nonce: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    json_job: None | str | Unset
    if isinstance(job, Unset):
        json_job = UNSET
    else:
        json_job = job
    params["job"] = json_job

    json_nonce: None | str | Unset
    if isinstance(nonce, Unset):
        json_nonce = UNSET
    else:
        json_nonce = nonce
    params["nonce"] = json_nonce

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/provider-webhooks/fal",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CallbackAccepted | HTTPValidationError | Problem | None:
    if response.status_code == 200:
        response_200 = CallbackAccepted.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CallbackAccepted | HTTPValidationError | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ProviderWebhooksFalFalCallback,
    job: None | str | Unset = UNSET,
    nonce: None | str | Unset = UNSET,
) -> Response[CallbackAccepted | HTTPValidationError | Problem]:
    """Fal Callback

     Called by Fal when a request we submitted completes. Accepted only with a valid ED25519 signature
    (`X-Fal-Webhook-Request-Id`, `-User-Id`, `-Timestamp`, `-Signature`; keys from the configured JWKS)
    and a timestamp within ±300 s (401 `invalid_signature` / `stale_timestamp`). Fal re-delivers
    callbacks
    it did not see acknowledged: a second delivery of the same signed callback is acknowledged (200,
    `duplicate: true`) and changes nothing. A valid callback makes the job's next step run now
    (it then asks Fal for the outcome, as a poll would); an unknown request id is acknowledged and
    ignored,
    unless `job` and `nonce` (which our submissions put in the callback URL) show it is an orphan
    submission
    of that job: then it is canceled at Fal and its result is never used.

    Args:
        job (None | str | Unset): `<kind>:<id>` of the job that submitted
        nonce (None | str | Unset): The job's submission nonce
        body (ProviderWebhooksFalFalCallback): What Fal POSTs to the webhook URL when a queued
            request completes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CallbackAccepted | HTTPValidationError | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        job=job,
        nonce=nonce,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: ProviderWebhooksFalFalCallback,
    job: None | str | Unset = UNSET,
    nonce: None | str | Unset = UNSET,
) -> CallbackAccepted | HTTPValidationError | Problem | None:
    """Fal Callback

     Called by Fal when a request we submitted completes. Accepted only with a valid ED25519 signature
    (`X-Fal-Webhook-Request-Id`, `-User-Id`, `-Timestamp`, `-Signature`; keys from the configured JWKS)
    and a timestamp within ±300 s (401 `invalid_signature` / `stale_timestamp`). Fal re-delivers
    callbacks
    it did not see acknowledged: a second delivery of the same signed callback is acknowledged (200,
    `duplicate: true`) and changes nothing. A valid callback makes the job's next step run now
    (it then asks Fal for the outcome, as a poll would); an unknown request id is acknowledged and
    ignored,
    unless `job` and `nonce` (which our submissions put in the callback URL) show it is an orphan
    submission
    of that job: then it is canceled at Fal and its result is never used.

    Args:
        job (None | str | Unset): `<kind>:<id>` of the job that submitted
        nonce (None | str | Unset): The job's submission nonce
        body (ProviderWebhooksFalFalCallback): What Fal POSTs to the webhook URL when a queued
            request completes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CallbackAccepted | HTTPValidationError | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        job=job,
        nonce=nonce,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ProviderWebhooksFalFalCallback,
    job: None | str | Unset = UNSET,
    nonce: None | str | Unset = UNSET,
) -> Response[CallbackAccepted | HTTPValidationError | Problem]:
    """Fal Callback

     Called by Fal when a request we submitted completes. Accepted only with a valid ED25519 signature
    (`X-Fal-Webhook-Request-Id`, `-User-Id`, `-Timestamp`, `-Signature`; keys from the configured JWKS)
    and a timestamp within ±300 s (401 `invalid_signature` / `stale_timestamp`). Fal re-delivers
    callbacks
    it did not see acknowledged: a second delivery of the same signed callback is acknowledged (200,
    `duplicate: true`) and changes nothing. A valid callback makes the job's next step run now
    (it then asks Fal for the outcome, as a poll would); an unknown request id is acknowledged and
    ignored,
    unless `job` and `nonce` (which our submissions put in the callback URL) show it is an orphan
    submission
    of that job: then it is canceled at Fal and its result is never used.

    Args:
        job (None | str | Unset): `<kind>:<id>` of the job that submitted
        nonce (None | str | Unset): The job's submission nonce
        body (ProviderWebhooksFalFalCallback): What Fal POSTs to the webhook URL when a queued
            request completes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CallbackAccepted | HTTPValidationError | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        job=job,
        nonce=nonce,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ProviderWebhooksFalFalCallback,
    job: None | str | Unset = UNSET,
    nonce: None | str | Unset = UNSET,
) -> CallbackAccepted | HTTPValidationError | Problem | None:
    """Fal Callback

     Called by Fal when a request we submitted completes. Accepted only with a valid ED25519 signature
    (`X-Fal-Webhook-Request-Id`, `-User-Id`, `-Timestamp`, `-Signature`; keys from the configured JWKS)
    and a timestamp within ±300 s (401 `invalid_signature` / `stale_timestamp`). Fal re-delivers
    callbacks
    it did not see acknowledged: a second delivery of the same signed callback is acknowledged (200,
    `duplicate: true`) and changes nothing. A valid callback makes the job's next step run now
    (it then asks Fal for the outcome, as a poll would); an unknown request id is acknowledged and
    ignored,
    unless `job` and `nonce` (which our submissions put in the callback URL) show it is an orphan
    submission
    of that job: then it is canceled at Fal and its result is never used.

    Args:
        job (None | str | Unset): `<kind>:<id>` of the job that submitted
        nonce (None | str | Unset): The job's submission nonce
        body (ProviderWebhooksFalFalCallback): What Fal POSTs to the webhook URL when a queued
            request completes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CallbackAccepted | HTTPValidationError | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            job=job,
            nonce=nonce,
        )
    ).parsed

from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.stream_token_create import StreamTokenCreate
from ...models.stream_token_out import StreamTokenOut
from ...types import Response


def _get_kwargs(
    *,
    body: StreamTokenCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/stream-tokens",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | StreamTokenOut | None:
    if response.status_code == 201:
        response_201 = StreamTokenOut.from_dict(response.json())

        return response_201

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | StreamTokenOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: StreamTokenCreate,
) -> Response[Problem | StreamTokenOut]:
    """Create

     A short-lived (default 5 min, max 60), read-only token for the browser's `EventSource`, which cannot
    send an `Authorization` header: `new EventSource(".../v1/events/stream?token=...")`. It is scoped to
    your
    events, to one job's or to one character's (`character_id`: from the profile's creation on, before
    any
    training; a character's events carry its id as `job_id`), accepted **only** on `/stream` endpoints,
    and
    stateless (it cannot be revoked, it expires). Nothing is stored, so `Idempotency-Key` is not needed:
    minting again is harmless.

    Args:
        body (StreamTokenCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StreamTokenOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: StreamTokenCreate,
) -> Problem | StreamTokenOut | None:
    """Create

     A short-lived (default 5 min, max 60), read-only token for the browser's `EventSource`, which cannot
    send an `Authorization` header: `new EventSource(".../v1/events/stream?token=...")`. It is scoped to
    your
    events, to one job's or to one character's (`character_id`: from the profile's creation on, before
    any
    training; a character's events carry its id as `job_id`), accepted **only** on `/stream` endpoints,
    and
    stateless (it cannot be revoked, it expires). Nothing is stored, so `Idempotency-Key` is not needed:
    minting again is harmless.

    Args:
        body (StreamTokenCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StreamTokenOut
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: StreamTokenCreate,
) -> Response[Problem | StreamTokenOut]:
    """Create

     A short-lived (default 5 min, max 60), read-only token for the browser's `EventSource`, which cannot
    send an `Authorization` header: `new EventSource(".../v1/events/stream?token=...")`. It is scoped to
    your
    events, to one job's or to one character's (`character_id`: from the profile's creation on, before
    any
    training; a character's events carry its id as `job_id`), accepted **only** on `/stream` endpoints,
    and
    stateless (it cannot be revoked, it expires). Nothing is stored, so `Idempotency-Key` is not needed:
    minting again is harmless.

    Args:
        body (StreamTokenCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StreamTokenOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: StreamTokenCreate,
) -> Problem | StreamTokenOut | None:
    """Create

     A short-lived (default 5 min, max 60), read-only token for the browser's `EventSource`, which cannot
    send an `Authorization` header: `new EventSource(".../v1/events/stream?token=...")`. It is scoped to
    your
    events, to one job's or to one character's (`character_id`: from the profile's creation on, before
    any
    training; a character's events carry its id as `job_id`), accepted **only** on `/stream` endpoints,
    and
    stateless (it cannot be revoked, it expires). Nothing is stored, so `Idempotency-Key` is not needed:
    minting again is harmless.

    Args:
        body (StreamTokenCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StreamTokenOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed

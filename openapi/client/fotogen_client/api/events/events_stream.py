from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    job_id: None | str | Unset = UNSET,
    token: None | str | Unset = UNSET,
    last_event_id_query: None | str | Unset = UNSET,
    last_event_id_header: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id_header, Unset):
        headers["Last-Event-ID"] = last_event_id_header

    params: dict[str, Any] = {}

    json_job_id: None | str | Unset
    if isinstance(job_id, Unset):
        json_job_id = UNSET
    else:
        json_job_id = job_id
    params["job_id"] = json_job_id

    json_token: None | str | Unset
    if isinstance(token, Unset):
        json_token = UNSET
    else:
        json_token = token
    params["token"] = json_token

    json_last_event_id_query: None | str | Unset
    if isinstance(last_event_id_query, Unset):
        json_last_event_id_query = UNSET
    else:
        json_last_event_id_query = last_event_id_query
    params["last_event_id"] = json_last_event_id_query

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/events/stream",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Problem | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    job_id: None | str | Unset = UNSET,
    token: None | str | Unset = UNSET,
    last_event_id_query: None | str | Unset = UNSET,
    last_event_id_header: None | str | Unset = UNSET,
) -> Response[Any | Problem | str]:
    """Stream Owner Events

     All of your events as Server-Sent Events, live: from now on, or from after `Last-Event-ID` (header,
    or
    `?last_event_id=`) with no gap and no duplicate. Authenticate with the API key, or — for the
    browser's
    `EventSource` — with `?token=` from `POST /v1/stream-tokens` (a job-scoped token streams that job
    only).

    Args:
        job_id (None | str | Unset): Only this job's events.
        token (None | str | Unset): A stream token from `POST /v1/stream-tokens`, for clients that
            cannot send an `Authorization` header (the browser's `EventSource`). Accepted on stream
            endpoints only.
        last_event_id_query (None | str | Unset): Resume after this event id (for clients that
            cannot send the header).
        last_event_id_header (None | str | Unset): Resume after this event id (browsers send it
            when they reconnect).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | str]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        token=token,
        last_event_id_query=last_event_id_query,
        last_event_id_header=last_event_id_header,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    job_id: None | str | Unset = UNSET,
    token: None | str | Unset = UNSET,
    last_event_id_query: None | str | Unset = UNSET,
    last_event_id_header: None | str | Unset = UNSET,
) -> Any | Problem | str | None:
    """Stream Owner Events

     All of your events as Server-Sent Events, live: from now on, or from after `Last-Event-ID` (header,
    or
    `?last_event_id=`) with no gap and no duplicate. Authenticate with the API key, or — for the
    browser's
    `EventSource` — with `?token=` from `POST /v1/stream-tokens` (a job-scoped token streams that job
    only).

    Args:
        job_id (None | str | Unset): Only this job's events.
        token (None | str | Unset): A stream token from `POST /v1/stream-tokens`, for clients that
            cannot send an `Authorization` header (the browser's `EventSource`). Accepted on stream
            endpoints only.
        last_event_id_query (None | str | Unset): Resume after this event id (for clients that
            cannot send the header).
        last_event_id_header (None | str | Unset): Resume after this event id (browsers send it
            when they reconnect).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | str
    """

    return sync_detailed(
        client=client,
        job_id=job_id,
        token=token,
        last_event_id_query=last_event_id_query,
        last_event_id_header=last_event_id_header,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    job_id: None | str | Unset = UNSET,
    token: None | str | Unset = UNSET,
    last_event_id_query: None | str | Unset = UNSET,
    last_event_id_header: None | str | Unset = UNSET,
) -> Response[Any | Problem | str]:
    """Stream Owner Events

     All of your events as Server-Sent Events, live: from now on, or from after `Last-Event-ID` (header,
    or
    `?last_event_id=`) with no gap and no duplicate. Authenticate with the API key, or — for the
    browser's
    `EventSource` — with `?token=` from `POST /v1/stream-tokens` (a job-scoped token streams that job
    only).

    Args:
        job_id (None | str | Unset): Only this job's events.
        token (None | str | Unset): A stream token from `POST /v1/stream-tokens`, for clients that
            cannot send an `Authorization` header (the browser's `EventSource`). Accepted on stream
            endpoints only.
        last_event_id_query (None | str | Unset): Resume after this event id (for clients that
            cannot send the header).
        last_event_id_header (None | str | Unset): Resume after this event id (browsers send it
            when they reconnect).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | str]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        token=token,
        last_event_id_query=last_event_id_query,
        last_event_id_header=last_event_id_header,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    job_id: None | str | Unset = UNSET,
    token: None | str | Unset = UNSET,
    last_event_id_query: None | str | Unset = UNSET,
    last_event_id_header: None | str | Unset = UNSET,
) -> Any | Problem | str | None:
    """Stream Owner Events

     All of your events as Server-Sent Events, live: from now on, or from after `Last-Event-ID` (header,
    or
    `?last_event_id=`) with no gap and no duplicate. Authenticate with the API key, or — for the
    browser's
    `EventSource` — with `?token=` from `POST /v1/stream-tokens` (a job-scoped token streams that job
    only).

    Args:
        job_id (None | str | Unset): Only this job's events.
        token (None | str | Unset): A stream token from `POST /v1/stream-tokens`, for clients that
            cannot send an `Authorization` header (the browser's `EventSource`). Accepted on stream
            endpoints only.
        last_event_id_query (None | str | Unset): Resume after this event id (for clients that
            cannot send the header).
        last_event_id_header (None | str | Unset): Resume after this event id (browsers send it
            when they reconnect).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | str
    """

    return (
        await asyncio_detailed(
            client=client,
            job_id=job_id,
            token=token,
            last_event_id_query=last_event_id_query,
            last_event_id_header=last_event_id_header,
        )
    ).parsed

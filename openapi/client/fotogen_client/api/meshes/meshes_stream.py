from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    mesh_id: str,
    *,
    token: None | str | Unset = UNSET,
    last_event_id_query: None | str | Unset = UNSET,
    last_event_id_header: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id_header, Unset):
        headers["Last-Event-ID"] = last_event_id_header

    params: dict[str, Any] = {}

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
        "url": "/v1/meshes/{mesh_id}/stream".format(
            mesh_id=quote(str(mesh_id), safe=""),
        ),
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
    mesh_id: str,
    *,
    client: AuthenticatedClient,
    token: None | str | Unset = UNSET,
    last_event_id_query: None | str | Unset = UNSET,
    last_event_id_header: None | str | Unset = UNSET,
) -> Response[Any | Problem | str]:
    """Stream Mesh

     The job's events as Server-Sent Events: its history (after `Last-Event-ID` when given), then live,
    closed after the terminal event. Authenticate with the API key or `?token=` from `POST /v1/stream-
    tokens`.

    Args:
        mesh_id (str): Mesh job id (`msh_…`).
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
        mesh_id=mesh_id,
        token=token,
        last_event_id_query=last_event_id_query,
        last_event_id_header=last_event_id_header,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    mesh_id: str,
    *,
    client: AuthenticatedClient,
    token: None | str | Unset = UNSET,
    last_event_id_query: None | str | Unset = UNSET,
    last_event_id_header: None | str | Unset = UNSET,
) -> Any | Problem | str | None:
    """Stream Mesh

     The job's events as Server-Sent Events: its history (after `Last-Event-ID` when given), then live,
    closed after the terminal event. Authenticate with the API key or `?token=` from `POST /v1/stream-
    tokens`.

    Args:
        mesh_id (str): Mesh job id (`msh_…`).
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
        mesh_id=mesh_id,
        client=client,
        token=token,
        last_event_id_query=last_event_id_query,
        last_event_id_header=last_event_id_header,
    ).parsed


async def asyncio_detailed(
    mesh_id: str,
    *,
    client: AuthenticatedClient,
    token: None | str | Unset = UNSET,
    last_event_id_query: None | str | Unset = UNSET,
    last_event_id_header: None | str | Unset = UNSET,
) -> Response[Any | Problem | str]:
    """Stream Mesh

     The job's events as Server-Sent Events: its history (after `Last-Event-ID` when given), then live,
    closed after the terminal event. Authenticate with the API key or `?token=` from `POST /v1/stream-
    tokens`.

    Args:
        mesh_id (str): Mesh job id (`msh_…`).
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
        mesh_id=mesh_id,
        token=token,
        last_event_id_query=last_event_id_query,
        last_event_id_header=last_event_id_header,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    mesh_id: str,
    *,
    client: AuthenticatedClient,
    token: None | str | Unset = UNSET,
    last_event_id_query: None | str | Unset = UNSET,
    last_event_id_header: None | str | Unset = UNSET,
) -> Any | Problem | str | None:
    """Stream Mesh

     The job's events as Server-Sent Events: its history (after `Last-Event-ID` when given), then live,
    closed after the terminal event. Authenticate with the API key or `?token=` from `POST /v1/stream-
    tokens`.

    Args:
        mesh_id (str): Mesh job id (`msh_…`).
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
            mesh_id=mesh_id,
            client=client,
            token=token,
            last_event_id_query=last_event_id_query,
            last_event_id_header=last_event_id_header,
        )
    ).parsed

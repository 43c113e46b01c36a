from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.generation_out import GenerationOut
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    generation_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/generations/{generation_id}".format(
            generation_id=quote(str(generation_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GenerationOut | Problem | None:
    if response.status_code == 200:
        response_200 = GenerationOut.from_dict(response.json())

        return response_200

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
) -> Response[GenerationOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    generation_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[GenerationOut | Problem]:
    """Get Generation

     One generation; its image URLs are signed afresh on every read.

    Args:
        generation_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationOut | Problem]
    """

    kwargs = _get_kwargs(
        generation_id=generation_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    generation_id: str,
    *,
    client: AuthenticatedClient,
) -> GenerationOut | Problem | None:
    """Get Generation

     One generation; its image URLs are signed afresh on every read.

    Args:
        generation_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationOut | Problem
    """

    return sync_detailed(
        generation_id=generation_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    generation_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[GenerationOut | Problem]:
    """Get Generation

     One generation; its image URLs are signed afresh on every read.

    Args:
        generation_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationOut | Problem]
    """

    kwargs = _get_kwargs(
        generation_id=generation_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    generation_id: str,
    *,
    client: AuthenticatedClient,
) -> GenerationOut | Problem | None:
    """Get Generation

     One generation; its image URLs are signed afresh on every read.

    Args:
        generation_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationOut | Problem
    """

    return (
        await asyncio_detailed(
            generation_id=generation_id,
            client=client,
        )
    ).parsed

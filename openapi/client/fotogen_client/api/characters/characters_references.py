from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.generation_out import GenerationOut
from ...models.problem import Problem
from ...models.references_create import ReferencesCreate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    character_id: str,
    *,
    body: None | ReferencesCreate | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/characters/{character_id}/references".format(
            character_id=quote(str(character_id), safe=""),
        ),
    }

    if isinstance(body, ReferencesCreate):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GenerationOut | Problem | None:
    if response.status_code == 202:
        response_202 = GenerationOut.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

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
    character_id: str,
    *,
    client: AuthenticatedClient,
    body: None | ReferencesCreate | Unset = UNSET,
) -> Response[GenerationOut | Problem]:
    """Make References

     Reference candidates: a generation on the base model whose prompt is built from the profile
    (description, a reference framing, art style, modifiers). Call again to "try again": a new seed
    every
    time unless `seed` is given. Pick one with `POST /v1/characters/{id}/reference`.

    Args:
        character_id (str):
        body (None | ReferencesCreate | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationOut | Problem]
    """

    kwargs = _get_kwargs(
        character_id=character_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    character_id: str,
    *,
    client: AuthenticatedClient,
    body: None | ReferencesCreate | Unset = UNSET,
) -> GenerationOut | Problem | None:
    """Make References

     Reference candidates: a generation on the base model whose prompt is built from the profile
    (description, a reference framing, art style, modifiers). Call again to "try again": a new seed
    every
    time unless `seed` is given. Pick one with `POST /v1/characters/{id}/reference`.

    Args:
        character_id (str):
        body (None | ReferencesCreate | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationOut | Problem
    """

    return sync_detailed(
        character_id=character_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    character_id: str,
    *,
    client: AuthenticatedClient,
    body: None | ReferencesCreate | Unset = UNSET,
) -> Response[GenerationOut | Problem]:
    """Make References

     Reference candidates: a generation on the base model whose prompt is built from the profile
    (description, a reference framing, art style, modifiers). Call again to "try again": a new seed
    every
    time unless `seed` is given. Pick one with `POST /v1/characters/{id}/reference`.

    Args:
        character_id (str):
        body (None | ReferencesCreate | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationOut | Problem]
    """

    kwargs = _get_kwargs(
        character_id=character_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    character_id: str,
    *,
    client: AuthenticatedClient,
    body: None | ReferencesCreate | Unset = UNSET,
) -> GenerationOut | Problem | None:
    """Make References

     Reference candidates: a generation on the base model whose prompt is built from the profile
    (description, a reference framing, art style, modifiers). Call again to "try again": a new seed
    every
    time unless `seed` is given. Pick one with `POST /v1/characters/{id}/reference`.

    Args:
        character_id (str):
        body (None | ReferencesCreate | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationOut | Problem
    """

    return (
        await asyncio_detailed(
            character_id=character_id,
            client=client,
            body=body,
        )
    ).parsed

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.character_out import CharacterOut
from ...models.problem import Problem
from ...models.reference_pick import ReferencePick
from ...types import Response


def _get_kwargs(
    character_id: str,
    *,
    body: ReferencePick,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/characters/{character_id}/reference".format(
            character_id=quote(str(character_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CharacterOut | Problem | None:
    if response.status_code == 200:
        response_200 = CharacterOut.from_dict(response.json())

        return response_200

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
) -> Response[CharacterOut | Problem]:
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
    body: ReferencePick,
) -> Response[CharacterOut | Problem]:
    """Pick Reference

     Save an image of one of the character's generations as its reference (the generation's seed is
    kept) and copy it, server-side, into the character's own dataset (made now if needed; you may upload
    more photos into it). Status becomes `referenced`; event `character.referenced`. 404 for a
    generation
    that is not this character's or an image not in it; 422 `generation_not_succeeded`.

    Args:
        character_id (str):
        body (ReferencePick):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CharacterOut | Problem]
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
    body: ReferencePick,
) -> CharacterOut | Problem | None:
    """Pick Reference

     Save an image of one of the character's generations as its reference (the generation's seed is
    kept) and copy it, server-side, into the character's own dataset (made now if needed; you may upload
    more photos into it). Status becomes `referenced`; event `character.referenced`. 404 for a
    generation
    that is not this character's or an image not in it; 422 `generation_not_succeeded`.

    Args:
        character_id (str):
        body (ReferencePick):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CharacterOut | Problem
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
    body: ReferencePick,
) -> Response[CharacterOut | Problem]:
    """Pick Reference

     Save an image of one of the character's generations as its reference (the generation's seed is
    kept) and copy it, server-side, into the character's own dataset (made now if needed; you may upload
    more photos into it). Status becomes `referenced`; event `character.referenced`. 404 for a
    generation
    that is not this character's or an image not in it; 422 `generation_not_succeeded`.

    Args:
        character_id (str):
        body (ReferencePick):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CharacterOut | Problem]
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
    body: ReferencePick,
) -> CharacterOut | Problem | None:
    """Pick Reference

     Save an image of one of the character's generations as its reference (the generation's seed is
    kept) and copy it, server-side, into the character's own dataset (made now if needed; you may upload
    more photos into it). Status becomes `referenced`; event `character.referenced`. 404 for a
    generation
    that is not this character's or an image not in it; 422 `generation_not_succeeded`.

    Args:
        character_id (str):
        body (ReferencePick):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CharacterOut | Problem
    """

    return (
        await asyncio_detailed(
            character_id=character_id,
            client=client,
            body=body,
        )
    ).parsed

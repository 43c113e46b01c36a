from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.characters_list_metadata import CharactersListMetadata
from ...models.page_character_out import PageCharacterOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
    end_user: None | str | Unset = UNSET,
    metadata: CharactersListMetadata | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_after: None | str | Unset
    if isinstance(after, Unset):
        json_after = UNSET
    else:
        json_after = after
    params["after"] = json_after

    json_end_user: None | str | Unset
    if isinstance(end_user, Unset):
        json_end_user = UNSET
    else:
        json_end_user = end_user
    params["end_user"] = json_end_user

    json_metadata: dict[str, Any] | Unset = UNSET
    if not isinstance(metadata, Unset):
        json_metadata = metadata.to_dict()
    if not isinstance(json_metadata, Unset):
        params.update(json_metadata)

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/characters",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PageCharacterOut | Problem | None:
    if response.status_code == 200:
        response_200 = PageCharacterOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PageCharacterOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
    end_user: None | str | Unset = UNSET,
    metadata: CharactersListMetadata | Unset = UNSET,
) -> Response[PageCharacterOut | Problem]:
    """List Characters

     Your characters, newest first; `?metadata[key]=value` (exact, several AND) and `?end_user=` filter.

    Args:
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.
        end_user (None | str | Unset): Only resources of this end user.
        metadata (CharactersListMetadata | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageCharacterOut | Problem]
    """

    kwargs = _get_kwargs(
        limit=limit,
        after=after,
        end_user=end_user,
        metadata=metadata,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
    end_user: None | str | Unset = UNSET,
    metadata: CharactersListMetadata | Unset = UNSET,
) -> PageCharacterOut | Problem | None:
    """List Characters

     Your characters, newest first; `?metadata[key]=value` (exact, several AND) and `?end_user=` filter.

    Args:
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.
        end_user (None | str | Unset): Only resources of this end user.
        metadata (CharactersListMetadata | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageCharacterOut | Problem
    """

    return sync_detailed(
        client=client,
        limit=limit,
        after=after,
        end_user=end_user,
        metadata=metadata,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
    end_user: None | str | Unset = UNSET,
    metadata: CharactersListMetadata | Unset = UNSET,
) -> Response[PageCharacterOut | Problem]:
    """List Characters

     Your characters, newest first; `?metadata[key]=value` (exact, several AND) and `?end_user=` filter.

    Args:
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.
        end_user (None | str | Unset): Only resources of this end user.
        metadata (CharactersListMetadata | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageCharacterOut | Problem]
    """

    kwargs = _get_kwargs(
        limit=limit,
        after=after,
        end_user=end_user,
        metadata=metadata,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
    end_user: None | str | Unset = UNSET,
    metadata: CharactersListMetadata | Unset = UNSET,
) -> PageCharacterOut | Problem | None:
    """List Characters

     Your characters, newest first; `?metadata[key]=value` (exact, several AND) and `?end_user=` filter.

    Args:
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.
        end_user (None | str | Unset): Only resources of this end user.
        metadata (CharactersListMetadata | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageCharacterOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            after=after,
            end_user=end_user,
            metadata=metadata,
        )
    ).parsed

from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.models_list_category_type_0 import ModelsListCategoryType0
from ...models.models_list_type_type_0 import ModelsListTypeType0
from ...models.page_model_out import PageModelOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    type_: ModelsListTypeType0 | None | Unset = UNSET,
    category: ModelsListCategoryType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_type_: None | str | Unset
    if isinstance(type_, Unset):
        json_type_ = UNSET
    elif isinstance(type_, ModelsListTypeType0):
        json_type_ = type_.value
    else:
        json_type_ = type_
    params["type"] = json_type_

    json_category: None | str | Unset
    if isinstance(category, Unset):
        json_category = UNSET
    elif isinstance(category, ModelsListCategoryType0):
        json_category = category.value
    else:
        json_category = category
    params["category"] = json_category

    params["limit"] = limit

    json_after: None | str | Unset
    if isinstance(after, Unset):
        json_after = UNSET
    else:
        json_after = after
    params["after"] = json_after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/models",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> PageModelOut | Problem | None:
    if response.status_code == 200:
        response_200 = PageModelOut.from_dict(response.json())

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
) -> Response[PageModelOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    type_: ModelsListTypeType0 | None | Unset = UNSET,
    category: ModelsListCategoryType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
) -> Response[PageModelOut | Problem]:
    """List Models

     The base catalogue plus your trained models, newest first.

    Args:
        type_ (ModelsListTypeType0 | None | Unset): Filter by model type.
        category (ModelsListCategoryType0 | None | Unset): Filter by category.
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageModelOut | Problem]
    """

    kwargs = _get_kwargs(
        type_=type_,
        category=category,
        limit=limit,
        after=after,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    type_: ModelsListTypeType0 | None | Unset = UNSET,
    category: ModelsListCategoryType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
) -> PageModelOut | Problem | None:
    """List Models

     The base catalogue plus your trained models, newest first.

    Args:
        type_ (ModelsListTypeType0 | None | Unset): Filter by model type.
        category (ModelsListCategoryType0 | None | Unset): Filter by category.
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageModelOut | Problem
    """

    return sync_detailed(
        client=client,
        type_=type_,
        category=category,
        limit=limit,
        after=after,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    type_: ModelsListTypeType0 | None | Unset = UNSET,
    category: ModelsListCategoryType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
) -> Response[PageModelOut | Problem]:
    """List Models

     The base catalogue plus your trained models, newest first.

    Args:
        type_ (ModelsListTypeType0 | None | Unset): Filter by model type.
        category (ModelsListCategoryType0 | None | Unset): Filter by category.
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageModelOut | Problem]
    """

    kwargs = _get_kwargs(
        type_=type_,
        category=category,
        limit=limit,
        after=after,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    type_: ModelsListTypeType0 | None | Unset = UNSET,
    category: ModelsListCategoryType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
) -> PageModelOut | Problem | None:
    """List Models

     The base catalogue plus your trained models, newest first.

    Args:
        type_ (ModelsListTypeType0 | None | Unset): Filter by model type.
        category (ModelsListCategoryType0 | None | Unset): Filter by category.
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageModelOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            type_=type_,
            category=category,
            limit=limit,
            after=after,
        )
    ).parsed

from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.meshes_list_metadata import MeshesListMetadata
from ...models.meshes_list_status_type_0 import MeshesListStatusType0
from ...models.page_mesh_job_out import PageMeshJobOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    status: MeshesListStatusType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
    end_user: None | str | Unset = UNSET,
    metadata: MeshesListMetadata | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, MeshesListStatusType0):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

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
        "url": "/v1/meshes",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PageMeshJobOut | Problem | None:
    if response.status_code == 200:
        response_200 = PageMeshJobOut.from_dict(response.json())

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
) -> Response[PageMeshJobOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    status: MeshesListStatusType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
    end_user: None | str | Unset = UNSET,
    metadata: MeshesListMetadata | Unset = UNSET,
) -> Response[PageMeshJobOut | Problem]:
    """List Meshes

     Your mesh jobs, newest first; `?metadata[key]=value` and `?end_user=` filter them.

    Args:
        status (MeshesListStatusType0 | None | Unset): Only jobs in this status.
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.
        end_user (None | str | Unset): Only resources of this end user.
        metadata (MeshesListMetadata | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageMeshJobOut | Problem]
    """

    kwargs = _get_kwargs(
        status=status,
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
    status: MeshesListStatusType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
    end_user: None | str | Unset = UNSET,
    metadata: MeshesListMetadata | Unset = UNSET,
) -> PageMeshJobOut | Problem | None:
    """List Meshes

     Your mesh jobs, newest first; `?metadata[key]=value` and `?end_user=` filter them.

    Args:
        status (MeshesListStatusType0 | None | Unset): Only jobs in this status.
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.
        end_user (None | str | Unset): Only resources of this end user.
        metadata (MeshesListMetadata | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageMeshJobOut | Problem
    """

    return sync_detailed(
        client=client,
        status=status,
        limit=limit,
        after=after,
        end_user=end_user,
        metadata=metadata,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    status: MeshesListStatusType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
    end_user: None | str | Unset = UNSET,
    metadata: MeshesListMetadata | Unset = UNSET,
) -> Response[PageMeshJobOut | Problem]:
    """List Meshes

     Your mesh jobs, newest first; `?metadata[key]=value` and `?end_user=` filter them.

    Args:
        status (MeshesListStatusType0 | None | Unset): Only jobs in this status.
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.
        end_user (None | str | Unset): Only resources of this end user.
        metadata (MeshesListMetadata | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageMeshJobOut | Problem]
    """

    kwargs = _get_kwargs(
        status=status,
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
    status: MeshesListStatusType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
    end_user: None | str | Unset = UNSET,
    metadata: MeshesListMetadata | Unset = UNSET,
) -> PageMeshJobOut | Problem | None:
    """List Meshes

     Your mesh jobs, newest first; `?metadata[key]=value` and `?end_user=` filter them.

    Args:
        status (MeshesListStatusType0 | None | Unset): Only jobs in this status.
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.
        end_user (None | str | Unset): Only resources of this end user.
        metadata (MeshesListMetadata | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageMeshJobOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            status=status,
            limit=limit,
            after=after,
            end_user=end_user,
            metadata=metadata,
        )
    ).parsed

from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.meshes_items_files_get_kind import MeshesItemsFilesGetKind
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    mesh_id: str,
    item_id: str,
    kind: MeshesItemsFilesGetKind,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/meshes/{mesh_id}/items/{item_id}/files/{kind}".format(
            mesh_id=quote(str(mesh_id), safe=""),
            item_id=quote(str(item_id), safe=""),
            kind=quote(str(kind), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | None:
    if response.status_code == 302:
        response_302 = cast(Any, None)
        return response_302

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    mesh_id: str,
    item_id: str,
    kind: MeshesItemsFilesGetKind,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Problem]:
    """Get Item File

     Download one output of an item (302 to a signed URL). 404 `mesh_file_not_found` when the item has
    no such file (not finished, failed, or the provider did not return that kind).

    Args:
        mesh_id (str): Mesh job id (`msh_…`).
        item_id (str): Item id (`mit_…`).
        kind (MeshesItemsFilesGetKind): Which output: model_mesh, pbr_model, base_model,
            rendered_image.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        mesh_id=mesh_id,
        item_id=item_id,
        kind=kind,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    mesh_id: str,
    item_id: str,
    kind: MeshesItemsFilesGetKind,
    *,
    client: AuthenticatedClient,
) -> Any | Problem | None:
    """Get Item File

     Download one output of an item (302 to a signed URL). 404 `mesh_file_not_found` when the item has
    no such file (not finished, failed, or the provider did not return that kind).

    Args:
        mesh_id (str): Mesh job id (`msh_…`).
        item_id (str): Item id (`mit_…`).
        kind (MeshesItemsFilesGetKind): Which output: model_mesh, pbr_model, base_model,
            rendered_image.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        mesh_id=mesh_id,
        item_id=item_id,
        kind=kind,
        client=client,
    ).parsed


async def asyncio_detailed(
    mesh_id: str,
    item_id: str,
    kind: MeshesItemsFilesGetKind,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Problem]:
    """Get Item File

     Download one output of an item (302 to a signed URL). 404 `mesh_file_not_found` when the item has
    no such file (not finished, failed, or the provider did not return that kind).

    Args:
        mesh_id (str): Mesh job id (`msh_…`).
        item_id (str): Item id (`mit_…`).
        kind (MeshesItemsFilesGetKind): Which output: model_mesh, pbr_model, base_model,
            rendered_image.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        mesh_id=mesh_id,
        item_id=item_id,
        kind=kind,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    mesh_id: str,
    item_id: str,
    kind: MeshesItemsFilesGetKind,
    *,
    client: AuthenticatedClient,
) -> Any | Problem | None:
    """Get Item File

     Download one output of an item (302 to a signed URL). 404 `mesh_file_not_found` when the item has
    no such file (not finished, failed, or the provider did not return that kind).

    Args:
        mesh_id (str): Mesh job id (`msh_…`).
        item_id (str): Item id (`mit_…`).
        kind (MeshesItemsFilesGetKind): Which output: model_mesh, pbr_model, base_model,
            rendered_image.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            mesh_id=mesh_id,
            item_id=item_id,
            kind=kind,
            client=client,
        )
    ).parsed

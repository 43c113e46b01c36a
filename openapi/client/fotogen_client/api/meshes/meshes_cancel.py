from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.mesh_job_out import MeshJobOut
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    mesh_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/meshes/{mesh_id}/cancel".format(
            mesh_id=quote(str(mesh_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> MeshJobOut | Problem | None:
    if response.status_code == 202:
        response_202 = MeshJobOut.from_dict(response.json())

        return response_202

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[MeshJobOut | Problem]:
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
) -> Response[MeshJobOut | Problem]:
    """Cancel Mesh

     Stop a queued or running job: in-flight provider requests are canceled and every item that has not
    ended becomes `canceled` (items that already succeeded keep their files). A queued job is canceled
    at
    once; otherwise the answer shows it still running and `mesh.canceled` follows shortly.
    409 `job_already_terminal` once it ended.

    Args:
        mesh_id (str): Mesh job id (`msh_…`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MeshJobOut | Problem]
    """

    kwargs = _get_kwargs(
        mesh_id=mesh_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    mesh_id: str,
    *,
    client: AuthenticatedClient,
) -> MeshJobOut | Problem | None:
    """Cancel Mesh

     Stop a queued or running job: in-flight provider requests are canceled and every item that has not
    ended becomes `canceled` (items that already succeeded keep their files). A queued job is canceled
    at
    once; otherwise the answer shows it still running and `mesh.canceled` follows shortly.
    409 `job_already_terminal` once it ended.

    Args:
        mesh_id (str): Mesh job id (`msh_…`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MeshJobOut | Problem
    """

    return sync_detailed(
        mesh_id=mesh_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    mesh_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[MeshJobOut | Problem]:
    """Cancel Mesh

     Stop a queued or running job: in-flight provider requests are canceled and every item that has not
    ended becomes `canceled` (items that already succeeded keep their files). A queued job is canceled
    at
    once; otherwise the answer shows it still running and `mesh.canceled` follows shortly.
    409 `job_already_terminal` once it ended.

    Args:
        mesh_id (str): Mesh job id (`msh_…`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MeshJobOut | Problem]
    """

    kwargs = _get_kwargs(
        mesh_id=mesh_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    mesh_id: str,
    *,
    client: AuthenticatedClient,
) -> MeshJobOut | Problem | None:
    """Cancel Mesh

     Stop a queued or running job: in-flight provider requests are canceled and every item that has not
    ended becomes `canceled` (items that already succeeded keep their files). A queued job is canceled
    at
    once; otherwise the answer shows it still running and `mesh.canceled` follows shortly.
    409 `job_already_terminal` once it ended.

    Args:
        mesh_id (str): Mesh job id (`msh_…`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MeshJobOut | Problem
    """

    return (
        await asyncio_detailed(
            mesh_id=mesh_id,
            client=client,
        )
    ).parsed

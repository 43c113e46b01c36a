from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.mesh_job_created import MeshJobCreated
from ...models.meshes_create_body import MeshesCreateBody
from ...models.payment_problem import PaymentProblem
from ...models.problem import Problem
from ...models.too_many_requests_problem import TooManyRequestsProblem
from ...types import Response


def _get_kwargs(
    *,
    body: MeshesCreateBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/meshes",
    }

    _kwargs["files"] = body.to_multipart()

    headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> MeshJobCreated | PaymentProblem | Problem | TooManyRequestsProblem | None:
    if response.status_code == 202:
        response_202 = MeshJobCreated.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 402:
        response_402 = PaymentProblem.from_dict(response.json())

        return response_402

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = TooManyRequestsProblem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[MeshJobCreated | PaymentProblem | Problem | TooManyRequestsProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: MeshesCreateBody,
) -> Response[MeshJobCreated | PaymentProblem | Problem | TooManyRequestsProblem]:
    """Create

     Turn 1-25 photos into 3D meshes (`multipart/form-data`: `files` parts plus the optional fields
    `face_limit`, `texture`, `pbr`, `seed`,
    `metadata` as a JSON object, `end_user`). Each photo is validated like a dataset upload; refused
    files are
    listed in `rejected` and the others become the job's `items`. Answers 202 with the queued job;
    follow it
    with `GET /v1/meshes/{id}`. When no file is accepted: 422 `no_images_accepted` (every file in
    `errors`), or
    `no_files` when none was sent. `Idempotency-Key` is not supported on this multipart route.

    Args:
        body (MeshesCreateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MeshJobCreated | PaymentProblem | Problem | TooManyRequestsProblem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: MeshesCreateBody,
) -> MeshJobCreated | PaymentProblem | Problem | TooManyRequestsProblem | None:
    """Create

     Turn 1-25 photos into 3D meshes (`multipart/form-data`: `files` parts plus the optional fields
    `face_limit`, `texture`, `pbr`, `seed`,
    `metadata` as a JSON object, `end_user`). Each photo is validated like a dataset upload; refused
    files are
    listed in `rejected` and the others become the job's `items`. Answers 202 with the queued job;
    follow it
    with `GET /v1/meshes/{id}`. When no file is accepted: 422 `no_images_accepted` (every file in
    `errors`), or
    `no_files` when none was sent. `Idempotency-Key` is not supported on this multipart route.

    Args:
        body (MeshesCreateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MeshJobCreated | PaymentProblem | Problem | TooManyRequestsProblem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: MeshesCreateBody,
) -> Response[MeshJobCreated | PaymentProblem | Problem | TooManyRequestsProblem]:
    """Create

     Turn 1-25 photos into 3D meshes (`multipart/form-data`: `files` parts plus the optional fields
    `face_limit`, `texture`, `pbr`, `seed`,
    `metadata` as a JSON object, `end_user`). Each photo is validated like a dataset upload; refused
    files are
    listed in `rejected` and the others become the job's `items`. Answers 202 with the queued job;
    follow it
    with `GET /v1/meshes/{id}`. When no file is accepted: 422 `no_images_accepted` (every file in
    `errors`), or
    `no_files` when none was sent. `Idempotency-Key` is not supported on this multipart route.

    Args:
        body (MeshesCreateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MeshJobCreated | PaymentProblem | Problem | TooManyRequestsProblem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: MeshesCreateBody,
) -> MeshJobCreated | PaymentProblem | Problem | TooManyRequestsProblem | None:
    """Create

     Turn 1-25 photos into 3D meshes (`multipart/form-data`: `files` parts plus the optional fields
    `face_limit`, `texture`, `pbr`, `seed`,
    `metadata` as a JSON object, `end_user`). Each photo is validated like a dataset upload; refused
    files are
    listed in `rejected` and the others become the job's `items`. Answers 202 with the queued job;
    follow it
    with `GET /v1/meshes/{id}`. When no file is accepted: 422 `no_images_accepted` (every file in
    `errors`), or
    `no_files` when none was sent. `Idempotency-Key` is not supported on this multipart route.

    Args:
        body (MeshesCreateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MeshJobCreated | PaymentProblem | Problem | TooManyRequestsProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed

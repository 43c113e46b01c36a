from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.from_generation import FromGeneration
from ...models.problem import Problem
from ...models.upload_result import UploadResult
from ...types import Response


def _get_kwargs(
    dataset_id: str,
    *,
    body: FromGeneration,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/datasets/{dataset_id}/images/from-generation".format(
            dataset_id=quote(str(dataset_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | UploadResult | None:
    if response.status_code == 201:
        response_201 = UploadResult.from_dict(response.json())

        return response_201

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | UploadResult]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    dataset_id: str,
    *,
    client: AuthenticatedClient,
    body: FromGeneration,
) -> Response[Problem | UploadResult]:
    """Images From Generation

     Add a generation's images (all, or `image_ids`) to the dataset, server-side: no download and
    re-upload. They go through the same checks as uploaded photos (duplicates, the image cap, ...); the
    dataset image keeps the generation image's `sha256`, so adding it twice is refused as
    `duplicate_image`.
    **201** `{images, rejected}`; **422** `no_images_accepted` when nothing is accepted,
    `generation_not_succeeded` for a generation without images; **404** `dataset_not_found` /
    `generation_not_found` (unknown ids and other owners' alike).

    Args:
        dataset_id (str): Dataset id (`ds_…`).
        body (FromGeneration):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | UploadResult]
    """

    kwargs = _get_kwargs(
        dataset_id=dataset_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    dataset_id: str,
    *,
    client: AuthenticatedClient,
    body: FromGeneration,
) -> Problem | UploadResult | None:
    """Images From Generation

     Add a generation's images (all, or `image_ids`) to the dataset, server-side: no download and
    re-upload. They go through the same checks as uploaded photos (duplicates, the image cap, ...); the
    dataset image keeps the generation image's `sha256`, so adding it twice is refused as
    `duplicate_image`.
    **201** `{images, rejected}`; **422** `no_images_accepted` when nothing is accepted,
    `generation_not_succeeded` for a generation without images; **404** `dataset_not_found` /
    `generation_not_found` (unknown ids and other owners' alike).

    Args:
        dataset_id (str): Dataset id (`ds_…`).
        body (FromGeneration):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | UploadResult
    """

    return sync_detailed(
        dataset_id=dataset_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    dataset_id: str,
    *,
    client: AuthenticatedClient,
    body: FromGeneration,
) -> Response[Problem | UploadResult]:
    """Images From Generation

     Add a generation's images (all, or `image_ids`) to the dataset, server-side: no download and
    re-upload. They go through the same checks as uploaded photos (duplicates, the image cap, ...); the
    dataset image keeps the generation image's `sha256`, so adding it twice is refused as
    `duplicate_image`.
    **201** `{images, rejected}`; **422** `no_images_accepted` when nothing is accepted,
    `generation_not_succeeded` for a generation without images; **404** `dataset_not_found` /
    `generation_not_found` (unknown ids and other owners' alike).

    Args:
        dataset_id (str): Dataset id (`ds_…`).
        body (FromGeneration):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | UploadResult]
    """

    kwargs = _get_kwargs(
        dataset_id=dataset_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    dataset_id: str,
    *,
    client: AuthenticatedClient,
    body: FromGeneration,
) -> Problem | UploadResult | None:
    """Images From Generation

     Add a generation's images (all, or `image_ids`) to the dataset, server-side: no download and
    re-upload. They go through the same checks as uploaded photos (duplicates, the image cap, ...); the
    dataset image keeps the generation image's `sha256`, so adding it twice is refused as
    `duplicate_image`.
    **201** `{images, rejected}`; **422** `no_images_accepted` when nothing is accepted,
    `generation_not_succeeded` for a generation without images; **404** `dataset_not_found` /
    `generation_not_found` (unknown ids and other owners' alike).

    Args:
        dataset_id (str): Dataset id (`ds_…`).
        body (FromGeneration):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | UploadResult
    """

    return (
        await asyncio_detailed(
            dataset_id=dataset_id,
            client=client,
            body=body,
        )
    ).parsed

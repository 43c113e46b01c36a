from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.images_upload_body import ImagesUploadBody
from ...models.problem import Problem
from ...models.upload_result import UploadResult
from ...types import Response


def _get_kwargs(
    dataset_id: str,
    *,
    body: ImagesUploadBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/datasets/{dataset_id}/images".format(
            dataset_id=quote(str(dataset_id), safe=""),
        ),
    }

    _kwargs["files"] = body.to_multipart()

    headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | UploadResult | None:
    if response.status_code == 201:
        response_201 = UploadResult.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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
    body: ImagesUploadBody,
) -> Response[Problem | UploadResult]:
    """Upload Images

     Upload photos as `multipart/form-data`, one or more `files` parts (a `.txt` part named like an
    image, e.g. `me1.txt` for `me1.jpg`, is its caption).

    Each file is judged on its own bytes (JPEG, PNG or WebP, fully decodable, within the pixel, side and
    size limits, not already in the dataset, dataset not full), made upright and stripped of all
    metadata.
    **201** lists the accepted `images` and the `rejected` files with a `code` each; when nothing is
    accepted the answer is **422** `no_images_accepted` with every file in `errors`. A body over the
    request limit is refused with **413** while it streams; **503** `storage_unavailable` if storing
    fails
    (nothing of the request is kept).

    Args:
        dataset_id (str): Dataset id (`ds_…`).
        body (ImagesUploadBody):

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
    body: ImagesUploadBody,
) -> Problem | UploadResult | None:
    """Upload Images

     Upload photos as `multipart/form-data`, one or more `files` parts (a `.txt` part named like an
    image, e.g. `me1.txt` for `me1.jpg`, is its caption).

    Each file is judged on its own bytes (JPEG, PNG or WebP, fully decodable, within the pixel, side and
    size limits, not already in the dataset, dataset not full), made upright and stripped of all
    metadata.
    **201** lists the accepted `images` and the `rejected` files with a `code` each; when nothing is
    accepted the answer is **422** `no_images_accepted` with every file in `errors`. A body over the
    request limit is refused with **413** while it streams; **503** `storage_unavailable` if storing
    fails
    (nothing of the request is kept).

    Args:
        dataset_id (str): Dataset id (`ds_…`).
        body (ImagesUploadBody):

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
    body: ImagesUploadBody,
) -> Response[Problem | UploadResult]:
    """Upload Images

     Upload photos as `multipart/form-data`, one or more `files` parts (a `.txt` part named like an
    image, e.g. `me1.txt` for `me1.jpg`, is its caption).

    Each file is judged on its own bytes (JPEG, PNG or WebP, fully decodable, within the pixel, side and
    size limits, not already in the dataset, dataset not full), made upright and stripped of all
    metadata.
    **201** lists the accepted `images` and the `rejected` files with a `code` each; when nothing is
    accepted the answer is **422** `no_images_accepted` with every file in `errors`. A body over the
    request limit is refused with **413** while it streams; **503** `storage_unavailable` if storing
    fails
    (nothing of the request is kept).

    Args:
        dataset_id (str): Dataset id (`ds_…`).
        body (ImagesUploadBody):

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
    body: ImagesUploadBody,
) -> Problem | UploadResult | None:
    """Upload Images

     Upload photos as `multipart/form-data`, one or more `files` parts (a `.txt` part named like an
    image, e.g. `me1.txt` for `me1.jpg`, is its caption).

    Each file is judged on its own bytes (JPEG, PNG or WebP, fully decodable, within the pixel, side and
    size limits, not already in the dataset, dataset not full), made upright and stripped of all
    metadata.
    **201** lists the accepted `images` and the `rejected` files with a `code` each; when nothing is
    accepted the answer is **422** `no_images_accepted` with every file in `errors`. A body over the
    request limit is refused with **413** while it streams; **503** `storage_unavailable` if storing
    fails
    (nothing of the request is kept).

    Args:
        dataset_id (str): Dataset id (`ds_…`).
        body (ImagesUploadBody):

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

from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.upload_out import UploadOut
from ...models.uploads_create_body import UploadsCreateBody
from ...types import Response


def _get_kwargs(
    *,
    body: UploadsCreateBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/uploads",
    }

    _kwargs["files"] = body.to_multipart()

    headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | UploadOut | None:
    if response.status_code == 201:
        response_201 = UploadOut.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | UploadOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: UploadsCreateBody,
) -> Response[Problem | UploadOut]:
    """Create

     Upload one image (`multipart/form-data`, part `file`) to use as an input: an init image or a mask of
    a generation, the image of a video. It is judged and normalised exactly like a dataset image (format
    sniffed, fully decoded, pixel/side/size limits, made upright, metadata stripped). **Kept 24 h**
    unless a
    job uses it (then `expires_at` becomes null and it stays).

    422 `no_images_accepted` (the reason in `errors`: `unsupported_format`, `image_too_small`, ...),
    422 `one_file_expected` for no or several files, 413 for a body over the limit, 415 for a body that
    is
    not multipart. `Idempotency-Key` is not supported on this multipart route.

    Args:
        body (UploadsCreateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | UploadOut]
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
    body: UploadsCreateBody,
) -> Problem | UploadOut | None:
    """Create

     Upload one image (`multipart/form-data`, part `file`) to use as an input: an init image or a mask of
    a generation, the image of a video. It is judged and normalised exactly like a dataset image (format
    sniffed, fully decoded, pixel/side/size limits, made upright, metadata stripped). **Kept 24 h**
    unless a
    job uses it (then `expires_at` becomes null and it stays).

    422 `no_images_accepted` (the reason in `errors`: `unsupported_format`, `image_too_small`, ...),
    422 `one_file_expected` for no or several files, 413 for a body over the limit, 415 for a body that
    is
    not multipart. `Idempotency-Key` is not supported on this multipart route.

    Args:
        body (UploadsCreateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | UploadOut
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: UploadsCreateBody,
) -> Response[Problem | UploadOut]:
    """Create

     Upload one image (`multipart/form-data`, part `file`) to use as an input: an init image or a mask of
    a generation, the image of a video. It is judged and normalised exactly like a dataset image (format
    sniffed, fully decoded, pixel/side/size limits, made upright, metadata stripped). **Kept 24 h**
    unless a
    job uses it (then `expires_at` becomes null and it stays).

    422 `no_images_accepted` (the reason in `errors`: `unsupported_format`, `image_too_small`, ...),
    422 `one_file_expected` for no or several files, 413 for a body over the limit, 415 for a body that
    is
    not multipart. `Idempotency-Key` is not supported on this multipart route.

    Args:
        body (UploadsCreateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | UploadOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: UploadsCreateBody,
) -> Problem | UploadOut | None:
    """Create

     Upload one image (`multipart/form-data`, part `file`) to use as an input: an init image or a mask of
    a generation, the image of a video. It is judged and normalised exactly like a dataset image (format
    sniffed, fully decoded, pixel/side/size limits, made upright, metadata stripped). **Kept 24 h**
    unless a
    job uses it (then `expires_at` becomes null and it stays).

    422 `no_images_accepted` (the reason in `errors`: `unsupported_format`, `image_too_small`, ...),
    422 `one_file_expected` for no or several files, 413 for a body over the limit, 415 for a body that
    is
    not multipart. `Idempotency-Key` is not supported on this multipart route.

    Args:
        body (UploadsCreateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | UploadOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed

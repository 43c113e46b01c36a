from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.payment_problem import PaymentProblem
from ...models.problem import Problem
from ...models.too_many_requests_problem import TooManyRequestsProblem
from ...models.video_create import VideoCreate
from ...models.video_out import VideoOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: VideoCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/videos",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PaymentProblem | Problem | TooManyRequestsProblem | VideoOut | None:
    if response.status_code == 202:
        response_202 = VideoOut.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

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
) -> Response[PaymentProblem | Problem | TooManyRequestsProblem | VideoOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: VideoCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[PaymentProblem | Problem | TooManyRequestsProblem | VideoOut]:
    """Create

     Make a short video from an image with a video model (default `mdl_stable_video_diffusion`: 25 frames
    at 1024x576, at `fps`). `image` is an image reference: exactly one of `upload_id`,
    `dataset_image_id`,
    `generation_image_id`. Answers 202 with the queued video; follow it with `GET /v1/videos/{id}` or
    its
    stream. Once succeeded, `video` describes the stored MP4 (`frames`, `duration_s`, size) with signed
    `url` and `poster_url` (the first frame, WebP).

    422 `model_not_video`, `validation_error`; 404 `model_not_found`, `upload_not_found`,
    `image_not_found`, `generation_image_not_found` (unknown ids and other owners' alike).

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (VideoCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaymentProblem | Problem | TooManyRequestsProblem | VideoOut]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: VideoCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> PaymentProblem | Problem | TooManyRequestsProblem | VideoOut | None:
    """Create

     Make a short video from an image with a video model (default `mdl_stable_video_diffusion`: 25 frames
    at 1024x576, at `fps`). `image` is an image reference: exactly one of `upload_id`,
    `dataset_image_id`,
    `generation_image_id`. Answers 202 with the queued video; follow it with `GET /v1/videos/{id}` or
    its
    stream. Once succeeded, `video` describes the stored MP4 (`frames`, `duration_s`, size) with signed
    `url` and `poster_url` (the first frame, WebP).

    422 `model_not_video`, `validation_error`; 404 `model_not_found`, `upload_not_found`,
    `image_not_found`, `generation_image_not_found` (unknown ids and other owners' alike).

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (VideoCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaymentProblem | Problem | TooManyRequestsProblem | VideoOut
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: VideoCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[PaymentProblem | Problem | TooManyRequestsProblem | VideoOut]:
    """Create

     Make a short video from an image with a video model (default `mdl_stable_video_diffusion`: 25 frames
    at 1024x576, at `fps`). `image` is an image reference: exactly one of `upload_id`,
    `dataset_image_id`,
    `generation_image_id`. Answers 202 with the queued video; follow it with `GET /v1/videos/{id}` or
    its
    stream. Once succeeded, `video` describes the stored MP4 (`frames`, `duration_s`, size) with signed
    `url` and `poster_url` (the first frame, WebP).

    422 `model_not_video`, `validation_error`; 404 `model_not_found`, `upload_not_found`,
    `image_not_found`, `generation_image_not_found` (unknown ids and other owners' alike).

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (VideoCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaymentProblem | Problem | TooManyRequestsProblem | VideoOut]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: VideoCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> PaymentProblem | Problem | TooManyRequestsProblem | VideoOut | None:
    """Create

     Make a short video from an image with a video model (default `mdl_stable_video_diffusion`: 25 frames
    at 1024x576, at `fps`). `image` is an image reference: exactly one of `upload_id`,
    `dataset_image_id`,
    `generation_image_id`. Answers 202 with the queued video; follow it with `GET /v1/videos/{id}` or
    its
    stream. Once succeeded, `video` describes the stored MP4 (`frames`, `duration_s`, size) with signed
    `url` and `poster_url` (the first frame, WebP).

    422 `model_not_video`, `validation_error`; 404 `model_not_found`, `upload_not_found`,
    `image_not_found`, `generation_image_not_found` (unknown ids and other owners' alike).

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (VideoCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaymentProblem | Problem | TooManyRequestsProblem | VideoOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed

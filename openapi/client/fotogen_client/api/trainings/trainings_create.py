from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.payment_problem import PaymentProblem
from ...models.problem import Problem
from ...models.too_many_requests_problem import TooManyRequestsProblem
from ...models.training_create import TrainingCreate
from ...models.training_out import TrainingOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: TrainingCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/trainings",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PaymentProblem | Problem | TooManyRequestsProblem | TrainingOut | None:
    if response.status_code == 201:
        response_201 = TrainingOut.from_dict(response.json())

        return response_201

    if response.status_code == 202:
        response_202 = TrainingOut.from_dict(response.json())

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
) -> Response[PaymentProblem | Problem | TooManyRequestsProblem | TrainingOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: TrainingCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[PaymentProblem | Problem | TooManyRequestsProblem | TrainingOut]:
    """Create

     Start fine-tuning a LoRA of `base_model_id` on a dataset. Answers 202 with the queued training;
    follow it with `GET /v1/trainings/{id}`, its `/stream` (SSE) or a webhook. With `"start": false` it
    answers 201 with a `created` training that waits for `POST /v1/trainings/{id}/start`.

    `params` are the trainer's own inputs (`trainers[].params_schema` of the base model: Fal's schema
    and
    defaults); an unknown or out-of-range field → 422 `validation_error` naming it. A dataset below the
    trainer's minimum image count (4 for `fast`, 10 for `portrait` by default) → 422
    `dataset_too_small`.
    `resume_from_model_id` continues one of your LoRAs of the same base model: 422
    `trainer_cannot_resume`
    when the trainer has no resume input, 422 `model_not_resumable` for a model that is not your LoRA of
    this base model.

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (TrainingCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaymentProblem | Problem | TooManyRequestsProblem | TrainingOut]
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
    body: TrainingCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> PaymentProblem | Problem | TooManyRequestsProblem | TrainingOut | None:
    """Create

     Start fine-tuning a LoRA of `base_model_id` on a dataset. Answers 202 with the queued training;
    follow it with `GET /v1/trainings/{id}`, its `/stream` (SSE) or a webhook. With `"start": false` it
    answers 201 with a `created` training that waits for `POST /v1/trainings/{id}/start`.

    `params` are the trainer's own inputs (`trainers[].params_schema` of the base model: Fal's schema
    and
    defaults); an unknown or out-of-range field → 422 `validation_error` naming it. A dataset below the
    trainer's minimum image count (4 for `fast`, 10 for `portrait` by default) → 422
    `dataset_too_small`.
    `resume_from_model_id` continues one of your LoRAs of the same base model: 422
    `trainer_cannot_resume`
    when the trainer has no resume input, 422 `model_not_resumable` for a model that is not your LoRA of
    this base model.

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (TrainingCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaymentProblem | Problem | TooManyRequestsProblem | TrainingOut
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TrainingCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[PaymentProblem | Problem | TooManyRequestsProblem | TrainingOut]:
    """Create

     Start fine-tuning a LoRA of `base_model_id` on a dataset. Answers 202 with the queued training;
    follow it with `GET /v1/trainings/{id}`, its `/stream` (SSE) or a webhook. With `"start": false` it
    answers 201 with a `created` training that waits for `POST /v1/trainings/{id}/start`.

    `params` are the trainer's own inputs (`trainers[].params_schema` of the base model: Fal's schema
    and
    defaults); an unknown or out-of-range field → 422 `validation_error` naming it. A dataset below the
    trainer's minimum image count (4 for `fast`, 10 for `portrait` by default) → 422
    `dataset_too_small`.
    `resume_from_model_id` continues one of your LoRAs of the same base model: 422
    `trainer_cannot_resume`
    when the trainer has no resume input, 422 `model_not_resumable` for a model that is not your LoRA of
    this base model.

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (TrainingCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaymentProblem | Problem | TooManyRequestsProblem | TrainingOut]
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
    body: TrainingCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> PaymentProblem | Problem | TooManyRequestsProblem | TrainingOut | None:
    """Create

     Start fine-tuning a LoRA of `base_model_id` on a dataset. Answers 202 with the queued training;
    follow it with `GET /v1/trainings/{id}`, its `/stream` (SSE) or a webhook. With `"start": false` it
    answers 201 with a `created` training that waits for `POST /v1/trainings/{id}/start`.

    `params` are the trainer's own inputs (`trainers[].params_schema` of the base model: Fal's schema
    and
    defaults); an unknown or out-of-range field → 422 `validation_error` naming it. A dataset below the
    trainer's minimum image count (4 for `fast`, 10 for `portrait` by default) → 422
    `dataset_too_small`.
    `resume_from_model_id` continues one of your LoRAs of the same base model: 422
    `trainer_cannot_resume`
    when the trainer has no resume input, 422 `model_not_resumable` for a model that is not your LoRA of
    this base model.

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (TrainingCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaymentProblem | Problem | TooManyRequestsProblem | TrainingOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed

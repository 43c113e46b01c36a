from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.character_train import CharacterTrain
from ...models.problem import Problem
from ...models.training_out import TrainingOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    character_id: str,
    *,
    body: CharacterTrain | None | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/characters/{character_id}/train".format(
            character_id=quote(str(character_id), safe=""),
        ),
    }

    if isinstance(body, CharacterTrain):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | TrainingOut | None:
    if response.status_code == 202:
        response_202 = TrainingOut.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

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
) -> Response[Problem | TrainingOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    character_id: str,
    *,
    client: AuthenticatedClient,
    body: CharacterTrain | None | Unset = UNSET,
) -> Response[Problem | TrainingOut]:
    """Train Character

     Train the character's LoRA; answers 202 with the training (status `created` until its dataset is
    ready). When the dataset has fewer images than the trainer's minimum, image-to-image variations of
    the
    reference in other poses and framings are made first (`variations`, default: as many as lacking) and
    added to the dataset; then the training starts. On success the character's `model_id` is set and its
    status is `trained`. Events `character.training`, `character.progress`, `character.trained`,
    `character.failed`. Cancel with `POST /v1/trainings/{id}/cancel` (the variations still running are
    canceled too). 409 `character_not_referenced` before a reference is picked, `character_training`
    while a training runs; 422 as `POST /v1/trainings` (`trainer_not_available`, `validation_error`).

    Args:
        character_id (str):
        body (CharacterTrain | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TrainingOut]
    """

    kwargs = _get_kwargs(
        character_id=character_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    character_id: str,
    *,
    client: AuthenticatedClient,
    body: CharacterTrain | None | Unset = UNSET,
) -> Problem | TrainingOut | None:
    """Train Character

     Train the character's LoRA; answers 202 with the training (status `created` until its dataset is
    ready). When the dataset has fewer images than the trainer's minimum, image-to-image variations of
    the
    reference in other poses and framings are made first (`variations`, default: as many as lacking) and
    added to the dataset; then the training starts. On success the character's `model_id` is set and its
    status is `trained`. Events `character.training`, `character.progress`, `character.trained`,
    `character.failed`. Cancel with `POST /v1/trainings/{id}/cancel` (the variations still running are
    canceled too). 409 `character_not_referenced` before a reference is picked, `character_training`
    while a training runs; 422 as `POST /v1/trainings` (`trainer_not_available`, `validation_error`).

    Args:
        character_id (str):
        body (CharacterTrain | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TrainingOut
    """

    return sync_detailed(
        character_id=character_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    character_id: str,
    *,
    client: AuthenticatedClient,
    body: CharacterTrain | None | Unset = UNSET,
) -> Response[Problem | TrainingOut]:
    """Train Character

     Train the character's LoRA; answers 202 with the training (status `created` until its dataset is
    ready). When the dataset has fewer images than the trainer's minimum, image-to-image variations of
    the
    reference in other poses and framings are made first (`variations`, default: as many as lacking) and
    added to the dataset; then the training starts. On success the character's `model_id` is set and its
    status is `trained`. Events `character.training`, `character.progress`, `character.trained`,
    `character.failed`. Cancel with `POST /v1/trainings/{id}/cancel` (the variations still running are
    canceled too). 409 `character_not_referenced` before a reference is picked, `character_training`
    while a training runs; 422 as `POST /v1/trainings` (`trainer_not_available`, `validation_error`).

    Args:
        character_id (str):
        body (CharacterTrain | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TrainingOut]
    """

    kwargs = _get_kwargs(
        character_id=character_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    character_id: str,
    *,
    client: AuthenticatedClient,
    body: CharacterTrain | None | Unset = UNSET,
) -> Problem | TrainingOut | None:
    """Train Character

     Train the character's LoRA; answers 202 with the training (status `created` until its dataset is
    ready). When the dataset has fewer images than the trainer's minimum, image-to-image variations of
    the
    reference in other poses and framings are made first (`variations`, default: as many as lacking) and
    added to the dataset; then the training starts. On success the character's `model_id` is set and its
    status is `trained`. Events `character.training`, `character.progress`, `character.trained`,
    `character.failed`. Cancel with `POST /v1/trainings/{id}/cancel` (the variations still running are
    canceled too). 409 `character_not_referenced` before a reference is picked, `character_training`
    while a training runs; 422 as `POST /v1/trainings` (`trainer_not_available`, `validation_error`).

    Args:
        character_id (str):
        body (CharacterTrain | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TrainingOut
    """

    return (
        await asyncio_detailed(
            character_id=character_id,
            client=client,
            body=body,
        )
    ).parsed

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.training_out import TrainingOut
from ...types import Response


def _get_kwargs(
    training_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/trainings/{training_id}/cancel".format(
            training_id=quote(str(training_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | TrainingOut | None:
    if response.status_code == 202:
        response_202 = TrainingOut.from_dict(response.json())

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
) -> Response[Problem | TrainingOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    training_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | TrainingOut]:
    """Cancel Training

     Cancel a training that is created, queued, preparing or training (the provider is asked to cancel).
    A created or queued training is canceled at once; otherwise the answer shows the training still
    running
    and the `training.canceled` event follows shortly. A result the trainer delivers after the cancel is
    dropped: the training stays `canceled` and no model is made. 409 `job_already_terminal` once it
    ended,
    and 409 `job_not_cancelable` while it is `saving` (the weights exist and are being stored).

    Args:
        training_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TrainingOut]
    """

    kwargs = _get_kwargs(
        training_id=training_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    training_id: str,
    *,
    client: AuthenticatedClient,
) -> Problem | TrainingOut | None:
    """Cancel Training

     Cancel a training that is created, queued, preparing or training (the provider is asked to cancel).
    A created or queued training is canceled at once; otherwise the answer shows the training still
    running
    and the `training.canceled` event follows shortly. A result the trainer delivers after the cancel is
    dropped: the training stays `canceled` and no model is made. 409 `job_already_terminal` once it
    ended,
    and 409 `job_not_cancelable` while it is `saving` (the weights exist and are being stored).

    Args:
        training_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TrainingOut
    """

    return sync_detailed(
        training_id=training_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    training_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | TrainingOut]:
    """Cancel Training

     Cancel a training that is created, queued, preparing or training (the provider is asked to cancel).
    A created or queued training is canceled at once; otherwise the answer shows the training still
    running
    and the `training.canceled` event follows shortly. A result the trainer delivers after the cancel is
    dropped: the training stays `canceled` and no model is made. 409 `job_already_terminal` once it
    ended,
    and 409 `job_not_cancelable` while it is `saving` (the weights exist and are being stored).

    Args:
        training_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TrainingOut]
    """

    kwargs = _get_kwargs(
        training_id=training_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    training_id: str,
    *,
    client: AuthenticatedClient,
) -> Problem | TrainingOut | None:
    """Cancel Training

     Cancel a training that is created, queued, preparing or training (the provider is asked to cancel).
    A created or queued training is canceled at once; otherwise the answer shows the training still
    running
    and the `training.canceled` event follows shortly. A result the trainer delivers after the cancel is
    dropped: the training stays `canceled` and no model is made. 409 `job_already_terminal` once it
    ended,
    and 409 `job_not_cancelable` while it is `saving` (the weights exist and are being stored).

    Args:
        training_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TrainingOut
    """

    return (
        await asyncio_detailed(
            training_id=training_id,
            client=client,
        )
    ).parsed

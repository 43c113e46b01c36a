from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dataset_out import DatasetOut
from ...models.dataset_patch import DatasetPatch
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    dataset_id: str,
    *,
    body: DatasetPatch,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/datasets/{dataset_id}".format(
            dataset_id=quote(str(dataset_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DatasetOut | Problem | None:
    if response.status_code == 200:
        response_200 = DatasetOut.from_dict(response.json())

        return response_200

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DatasetOut | Problem]:
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
    body: DatasetPatch,
) -> Response[DatasetOut | Problem]:
    """Update Dataset

     Change the fields you send; `description`, `trigger_word` and `end_user` can be cleared with null.
    `metadata` merges: the keys you send are set, a key set to null is removed, the others are kept.

    Args:
        dataset_id (str): Dataset id (`ds_…`).
        body (DatasetPatch): Only the fields sent change; `description` and `trigger_word` may be
            set to null.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DatasetOut | Problem]
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
    body: DatasetPatch,
) -> DatasetOut | Problem | None:
    """Update Dataset

     Change the fields you send; `description`, `trigger_word` and `end_user` can be cleared with null.
    `metadata` merges: the keys you send are set, a key set to null is removed, the others are kept.

    Args:
        dataset_id (str): Dataset id (`ds_…`).
        body (DatasetPatch): Only the fields sent change; `description` and `trigger_word` may be
            set to null.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DatasetOut | Problem
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
    body: DatasetPatch,
) -> Response[DatasetOut | Problem]:
    """Update Dataset

     Change the fields you send; `description`, `trigger_word` and `end_user` can be cleared with null.
    `metadata` merges: the keys you send are set, a key set to null is removed, the others are kept.

    Args:
        dataset_id (str): Dataset id (`ds_…`).
        body (DatasetPatch): Only the fields sent change; `description` and `trigger_word` may be
            set to null.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DatasetOut | Problem]
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
    body: DatasetPatch,
) -> DatasetOut | Problem | None:
    """Update Dataset

     Change the fields you send; `description`, `trigger_word` and `end_user` can be cleared with null.
    `metadata` merges: the keys you send are set, a key set to null is removed, the others are kept.

    Args:
        dataset_id (str): Dataset id (`ds_…`).
        body (DatasetPatch): Only the fields sent change; `description` and `trigger_word` may be
            set to null.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DatasetOut | Problem
    """

    return (
        await asyncio_detailed(
            dataset_id=dataset_id,
            client=client,
            body=body,
        )
    ).parsed

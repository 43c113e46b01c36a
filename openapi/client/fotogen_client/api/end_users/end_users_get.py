from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.end_user_out import EndUserOut
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    end_user_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/end-users/{end_user_id}".format(
            end_user_id=quote(str(end_user_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> EndUserOut | Problem | None:
    if response.status_code == 200:
        response_200 = EndUserOut.from_dict(response.json())

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
) -> Response[EndUserOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[EndUserOut | Problem]:
    """Get End User

     Balance, current usage and the limits in force. 404 `end_user_not_found` until a job or a credit
    entry names the end user.

    Args:
        end_user_id (str): Your id for the person.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndUserOut | Problem]
    """

    kwargs = _get_kwargs(
        end_user_id=end_user_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
) -> EndUserOut | Problem | None:
    """Get End User

     Balance, current usage and the limits in force. 404 `end_user_not_found` until a job or a credit
    entry names the end user.

    Args:
        end_user_id (str): Your id for the person.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndUserOut | Problem
    """

    return sync_detailed(
        end_user_id=end_user_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[EndUserOut | Problem]:
    """Get End User

     Balance, current usage and the limits in force. 404 `end_user_not_found` until a job or a credit
    entry names the end user.

    Args:
        end_user_id (str): Your id for the person.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndUserOut | Problem]
    """

    kwargs = _get_kwargs(
        end_user_id=end_user_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
) -> EndUserOut | Problem | None:
    """Get End User

     Balance, current usage and the limits in force. 404 `end_user_not_found` until a job or a credit
    entry names the end user.

    Args:
        end_user_id (str): Your id for the person.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndUserOut | Problem
    """

    return (
        await asyncio_detailed(
            end_user_id=end_user_id,
            client=client,
        )
    ).parsed

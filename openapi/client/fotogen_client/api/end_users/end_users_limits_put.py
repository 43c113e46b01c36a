from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.end_user_out import EndUserOut
from ...models.limit_overrides import LimitOverrides
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    end_user_id: str,
    *,
    body: LimitOverrides,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/end-users/{end_user_id}/limits".format(
            end_user_id=quote(str(end_user_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
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
    body: LimitOverrides,
) -> Response[EndUserOut | Problem]:
    """Put Limits

     Replace the end user's limit overrides: a member given replaces the policy's limit (`null`:
    unlimited), a member left out inherits it; `{}` removes every override.

    Args:
        end_user_id (str): Your id for the person.
        body (LimitOverrides): An end user's own limits: a member given replaces the policy's
            (`null`: unlimited), a member left out
            inherits it. `PUT` replaces the whole object.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndUserOut | Problem]
    """

    kwargs = _get_kwargs(
        end_user_id=end_user_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
    body: LimitOverrides,
) -> EndUserOut | Problem | None:
    """Put Limits

     Replace the end user's limit overrides: a member given replaces the policy's limit (`null`:
    unlimited), a member left out inherits it; `{}` removes every override.

    Args:
        end_user_id (str): Your id for the person.
        body (LimitOverrides): An end user's own limits: a member given replaces the policy's
            (`null`: unlimited), a member left out
            inherits it. `PUT` replaces the whole object.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndUserOut | Problem
    """

    return sync_detailed(
        end_user_id=end_user_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
    body: LimitOverrides,
) -> Response[EndUserOut | Problem]:
    """Put Limits

     Replace the end user's limit overrides: a member given replaces the policy's limit (`null`:
    unlimited), a member left out inherits it; `{}` removes every override.

    Args:
        end_user_id (str): Your id for the person.
        body (LimitOverrides): An end user's own limits: a member given replaces the policy's
            (`null`: unlimited), a member left out
            inherits it. `PUT` replaces the whole object.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndUserOut | Problem]
    """

    kwargs = _get_kwargs(
        end_user_id=end_user_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
    body: LimitOverrides,
) -> EndUserOut | Problem | None:
    """Put Limits

     Replace the end user's limit overrides: a member given replaces the policy's limit (`null`:
    unlimited), a member left out inherits it; `{}` removes every override.

    Args:
        end_user_id (str): Your id for the person.
        body (LimitOverrides): An end user's own limits: a member given replaces the policy's
            (`null`: unlimited), a member left out
            inherits it. `PUT` replaces the whole object.

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
            body=body,
        )
    ).parsed

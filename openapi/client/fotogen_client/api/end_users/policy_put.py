from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.policy import Policy
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    *,
    body: Policy,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/policy",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Policy | Problem | None:
    if response.status_code == 200:
        response_200 = Policy.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Policy | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: Policy,
) -> Response[Policy | Problem]:
    """Put Policy

     Replace your policy. A member left out (at any depth) takes its default.

    - `prices`: credits per generated image, training, mesh item and video.
    - `credits_required`: jobs must name an `end_user` (422 `end_user_required`) with enough credits
      (402 `insufficient_credits`); credits are reserved at create, captured on success (generations:
    per
      image delivered) and refunded on failure or cancel. When false, no credits move.
    - `limits`: per end user, `null` = unlimited, UTC days and months; over a limit → 429
    `quota_exceeded`.
      Only jobs that name an `end_user` count; a failed or canceled job gives its count back.
    - `moderation`: `blocked_terms` refused in every prompt-like field (422 `prompt_blocked`), on top of
    a
      small built-in list that is always on; `force_safety_checker`; `withhold_nsfw_images`.

    Args:
        body (Policy):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Policy | Problem]
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
    body: Policy,
) -> Policy | Problem | None:
    """Put Policy

     Replace your policy. A member left out (at any depth) takes its default.

    - `prices`: credits per generated image, training, mesh item and video.
    - `credits_required`: jobs must name an `end_user` (422 `end_user_required`) with enough credits
      (402 `insufficient_credits`); credits are reserved at create, captured on success (generations:
    per
      image delivered) and refunded on failure or cancel. When false, no credits move.
    - `limits`: per end user, `null` = unlimited, UTC days and months; over a limit → 429
    `quota_exceeded`.
      Only jobs that name an `end_user` count; a failed or canceled job gives its count back.
    - `moderation`: `blocked_terms` refused in every prompt-like field (422 `prompt_blocked`), on top of
    a
      small built-in list that is always on; `force_safety_checker`; `withhold_nsfw_images`.

    Args:
        body (Policy):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Policy | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: Policy,
) -> Response[Policy | Problem]:
    """Put Policy

     Replace your policy. A member left out (at any depth) takes its default.

    - `prices`: credits per generated image, training, mesh item and video.
    - `credits_required`: jobs must name an `end_user` (422 `end_user_required`) with enough credits
      (402 `insufficient_credits`); credits are reserved at create, captured on success (generations:
    per
      image delivered) and refunded on failure or cancel. When false, no credits move.
    - `limits`: per end user, `null` = unlimited, UTC days and months; over a limit → 429
    `quota_exceeded`.
      Only jobs that name an `end_user` count; a failed or canceled job gives its count back.
    - `moderation`: `blocked_terms` refused in every prompt-like field (422 `prompt_blocked`), on top of
    a
      small built-in list that is always on; `force_safety_checker`; `withhold_nsfw_images`.

    Args:
        body (Policy):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Policy | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: Policy,
) -> Policy | Problem | None:
    """Put Policy

     Replace your policy. A member left out (at any depth) takes its default.

    - `prices`: credits per generated image, training, mesh item and video.
    - `credits_required`: jobs must name an `end_user` (422 `end_user_required`) with enough credits
      (402 `insufficient_credits`); credits are reserved at create, captured on success (generations:
    per
      image delivered) and refunded on failure or cancel. When false, no credits move.
    - `limits`: per end user, `null` = unlimited, UTC days and months; over a limit → 429
    `quota_exceeded`.
      Only jobs that name an `end_user` count; a failed or canceled job gives its count back.
    - `moderation`: `blocked_terms` refused in every prompt-like field (422 `prompt_blocked`), on top of
    a
      small built-in list that is always on; `force_safety_checker`; `withhold_nsfw_images`.

    Args:
        body (Policy):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Policy | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed

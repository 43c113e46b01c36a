from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.generation_out import GenerationOut
from ...models.problem import Problem
from ...models.scene_create import SceneCreate
from ...types import Response


def _get_kwargs(
    character_id: str,
    *,
    body: SceneCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/characters/{character_id}/scenes".format(
            character_id=quote(str(character_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GenerationOut | Problem | None:
    if response.status_code == 202:
        response_202 = GenerationOut.from_dict(response.json())

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

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[GenerationOut | Problem]:
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
    body: SceneCreate,
) -> Response[GenerationOut | Problem]:
    """Make Scene

     A picture of the character in a scene: a generation (202) with the character's LoRA once trained,
    else the base model with the reference's seed. The prompt is built in this order: trigger word (with
    the LoRA), description, scene, art style, style modifiers — within the prompt limit: modifiers, then
    the art style, then the end of the description are left out first; the scene is never cut (too long
    → 422 `scene_too_long`). The generation carries `character_id`, the built `prompt` and its `params`;
    `end_user` defaults to the character's. Tie it to your post with `metadata` (e.g. `{"post_id": …}`)
    and find it with `GET /v1/generations?metadata[post_id]=…` or `?character_id=`.

    Args:
        character_id (str):
        body (SceneCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationOut | Problem]
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
    body: SceneCreate,
) -> GenerationOut | Problem | None:
    """Make Scene

     A picture of the character in a scene: a generation (202) with the character's LoRA once trained,
    else the base model with the reference's seed. The prompt is built in this order: trigger word (with
    the LoRA), description, scene, art style, style modifiers — within the prompt limit: modifiers, then
    the art style, then the end of the description are left out first; the scene is never cut (too long
    → 422 `scene_too_long`). The generation carries `character_id`, the built `prompt` and its `params`;
    `end_user` defaults to the character's. Tie it to your post with `metadata` (e.g. `{"post_id": …}`)
    and find it with `GET /v1/generations?metadata[post_id]=…` or `?character_id=`.

    Args:
        character_id (str):
        body (SceneCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationOut | Problem
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
    body: SceneCreate,
) -> Response[GenerationOut | Problem]:
    """Make Scene

     A picture of the character in a scene: a generation (202) with the character's LoRA once trained,
    else the base model with the reference's seed. The prompt is built in this order: trigger word (with
    the LoRA), description, scene, art style, style modifiers — within the prompt limit: modifiers, then
    the art style, then the end of the description are left out first; the scene is never cut (too long
    → 422 `scene_too_long`). The generation carries `character_id`, the built `prompt` and its `params`;
    `end_user` defaults to the character's. Tie it to your post with `metadata` (e.g. `{"post_id": …}`)
    and find it with `GET /v1/generations?metadata[post_id]=…` or `?character_id=`.

    Args:
        character_id (str):
        body (SceneCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationOut | Problem]
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
    body: SceneCreate,
) -> GenerationOut | Problem | None:
    """Make Scene

     A picture of the character in a scene: a generation (202) with the character's LoRA once trained,
    else the base model with the reference's seed. The prompt is built in this order: trigger word (with
    the LoRA), description, scene, art style, style modifiers — within the prompt limit: modifiers, then
    the art style, then the end of the description are left out first; the scene is never cut (too long
    → 422 `scene_too_long`). The generation carries `character_id`, the built `prompt` and its `params`;
    `end_user` defaults to the character's. Tie it to your post with `metadata` (e.g. `{"post_id": …}`)
    and find it with `GET /v1/generations?metadata[post_id]=…` or `?character_id=`.

    Args:
        character_id (str):
        body (SceneCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationOut | Problem
    """

    return (
        await asyncio_detailed(
            character_id=character_id,
            client=client,
            body=body,
        )
    ).parsed

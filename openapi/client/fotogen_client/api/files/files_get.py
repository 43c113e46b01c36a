from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    key: str,
    *,
    expires: int,
    sig: str,
    download_name: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["expires"] = expires

    params["sig"] = sig

    json_download_name: None | str | Unset
    if isinstance(download_name, Unset):
        json_download_name = UNSET
    else:
        json_download_name = download_name
    params["download_name"] = json_download_name

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/files/{key}".format(
            key=quote(str(key), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    if response.status_code == 403:
        response_403 = cast(Any, None)
        return response_403

    if response.status_code == 404:
        response_404 = cast(Any, None)
        return response_404

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    key: str,
    *,
    client: AuthenticatedClient | Client,
    expires: int,
    sig: str,
    download_name: None | str | Unset = UNSET,
) -> Response[Any | HTTPValidationError]:
    """Download a stored file through a signed URL

    Args:
        key (str):
        expires (int): Unix time after which the URL is refused.
        sig (str): URL signature.
        download_name (None | str | Unset): Serve as an attachment with this name.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        key=key,
        expires=expires,
        sig=sig,
        download_name=download_name,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    key: str,
    *,
    client: AuthenticatedClient | Client,
    expires: int,
    sig: str,
    download_name: None | str | Unset = UNSET,
) -> Any | HTTPValidationError | None:
    """Download a stored file through a signed URL

    Args:
        key (str):
        expires (int): Unix time after which the URL is refused.
        sig (str): URL signature.
        download_name (None | str | Unset): Serve as an attachment with this name.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HTTPValidationError
    """

    return sync_detailed(
        key=key,
        client=client,
        expires=expires,
        sig=sig,
        download_name=download_name,
    ).parsed


async def asyncio_detailed(
    key: str,
    *,
    client: AuthenticatedClient | Client,
    expires: int,
    sig: str,
    download_name: None | str | Unset = UNSET,
) -> Response[Any | HTTPValidationError]:
    """Download a stored file through a signed URL

    Args:
        key (str):
        expires (int): Unix time after which the URL is refused.
        sig (str): URL signature.
        download_name (None | str | Unset): Serve as an attachment with this name.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        key=key,
        expires=expires,
        sig=sig,
        download_name=download_name,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    key: str,
    *,
    client: AuthenticatedClient | Client,
    expires: int,
    sig: str,
    download_name: None | str | Unset = UNSET,
) -> Any | HTTPValidationError | None:
    """Download a stored file through a signed URL

    Args:
        key (str):
        expires (int): Unix time after which the URL is refused.
        sig (str): URL signature.
        download_name (None | str | Unset): Serve as an attachment with this name.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HTTPValidationError
    """

    return (
        await asyncio_detailed(
            key=key,
            client=client,
            expires=expires,
            sig=sig,
            download_name=download_name,
        )
    ).parsed

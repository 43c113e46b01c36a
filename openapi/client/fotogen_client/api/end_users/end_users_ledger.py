from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.page_ledger_entry_out import PageLedgerEntryOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    end_user_id: str,
    *,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_after: None | str | Unset
    if isinstance(after, Unset):
        json_after = UNSET
    else:
        json_after = after
    params["after"] = json_after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/end-users/{end_user_id}/ledger".format(
            end_user_id=quote(str(end_user_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PageLedgerEntryOut | Problem | None:
    if response.status_code == 200:
        response_200 = PageLedgerEntryOut.from_dict(response.json())

        return response_200

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
) -> Response[PageLedgerEntryOut | Problem]:
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
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
) -> Response[PageLedgerEntryOut | Problem]:
    """Ledger

     Every change of the balance, newest first; the amounts sum to `balance`. Kinds: `grant`, `debit`,
    `reserve` (negative: a job was created), `capture` (0, the job delivered `quantity`), `refund`
    (positive).

    Args:
        end_user_id (str): Your id for the person.
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageLedgerEntryOut | Problem]
    """

    kwargs = _get_kwargs(
        end_user_id=end_user_id,
        limit=limit,
        after=after,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
) -> PageLedgerEntryOut | Problem | None:
    """Ledger

     Every change of the balance, newest first; the amounts sum to `balance`. Kinds: `grant`, `debit`,
    `reserve` (negative: a job was created), `capture` (0, the job delivered `quantity`), `refund`
    (positive).

    Args:
        end_user_id (str): Your id for the person.
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageLedgerEntryOut | Problem
    """

    return sync_detailed(
        end_user_id=end_user_id,
        client=client,
        limit=limit,
        after=after,
    ).parsed


async def asyncio_detailed(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
) -> Response[PageLedgerEntryOut | Problem]:
    """Ledger

     Every change of the balance, newest first; the amounts sum to `balance`. Kinds: `grant`, `debit`,
    `reserve` (negative: a job was created), `capture` (0, the job delivered `quantity`), `refund`
    (positive).

    Args:
        end_user_id (str): Your id for the person.
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageLedgerEntryOut | Problem]
    """

    kwargs = _get_kwargs(
        end_user_id=end_user_id,
        limit=limit,
        after=after,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    after: None | str | Unset = UNSET,
) -> PageLedgerEntryOut | Problem | None:
    """Ledger

     Every change of the balance, newest first; the amounts sum to `balance`. Kinds: `grant`, `debit`,
    `reserve` (negative: a job was created), `capture` (0, the job delivered `quantity`), `refund`
    (positive).

    Args:
        end_user_id (str): Your id for the person.
        limit (int | Unset): Page size. Default: 20.
        after (None | str | Unset): Cursor from a previous page's `next_cursor`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageLedgerEntryOut | Problem
    """

    return (
        await asyncio_detailed(
            end_user_id=end_user_id,
            client=client,
            limit=limit,
            after=after,
        )
    ).parsed

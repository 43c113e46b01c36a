from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.credits_create import CreditsCreate
from ...models.ledger_entry_out import LedgerEntryOut
from ...models.payment_problem import PaymentProblem
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    end_user_id: str,
    *,
    body: CreditsCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/end-users/{end_user_id}/credits".format(
            end_user_id=quote(str(end_user_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LedgerEntryOut | PaymentProblem | Problem | None:
    if response.status_code == 201:
        response_201 = LedgerEntryOut.from_dict(response.json())

        return response_201

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 409:
        response_409 = PaymentProblem.from_dict(response.json())

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
) -> Response[LedgerEntryOut | PaymentProblem | Problem]:
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
    body: CreditsCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[LedgerEntryOut | PaymentProblem | Problem]:
    """Add Credits

     Grant (`amount` > 0) or debit (`amount` < 0) credits; answers the ledger entry. A debit past the
    balance → 409 `insufficient_credits` (with `balance` and `required`). Names the end user into being.

    Args:
        end_user_id (str): Your id for the person.
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (CreditsCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LedgerEntryOut | PaymentProblem | Problem]
    """

    kwargs = _get_kwargs(
        end_user_id=end_user_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
    body: CreditsCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> LedgerEntryOut | PaymentProblem | Problem | None:
    """Add Credits

     Grant (`amount` > 0) or debit (`amount` < 0) credits; answers the ledger entry. A debit past the
    balance → 409 `insufficient_credits` (with `balance` and `required`). Names the end user into being.

    Args:
        end_user_id (str): Your id for the person.
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (CreditsCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LedgerEntryOut | PaymentProblem | Problem
    """

    return sync_detailed(
        end_user_id=end_user_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
    body: CreditsCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[LedgerEntryOut | PaymentProblem | Problem]:
    """Add Credits

     Grant (`amount` > 0) or debit (`amount` < 0) credits; answers the ledger entry. A debit past the
    balance → 409 `insufficient_credits` (with `balance` and `required`). Names the end user into being.

    Args:
        end_user_id (str): Your id for the person.
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (CreditsCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LedgerEntryOut | PaymentProblem | Problem]
    """

    kwargs = _get_kwargs(
        end_user_id=end_user_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    end_user_id: str,
    *,
    client: AuthenticatedClient,
    body: CreditsCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> LedgerEntryOut | PaymentProblem | Problem | None:
    """Add Credits

     Grant (`amount` > 0) or debit (`amount` < 0) credits; answers the ledger entry. A debit past the
    balance → 409 `insufficient_credits` (with `balance` and `required`). Names the end user into being.

    Args:
        end_user_id (str): Your id for the person.
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (CreditsCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LedgerEntryOut | PaymentProblem | Problem
    """

    return (
        await asyncio_detailed(
            end_user_id=end_user_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed

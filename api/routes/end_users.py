"""``/v1/end-users``: your app's users as FotoGen counts them — credits, usage, limits and the ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import JSONResponse

from api.deps import AfterQuery, LimitQuery, PrincipalDep, RedisDep, ScopeDep, SessionDep
from api.idempotency import IdempotencyKeyHeader, idempotent_create
from api.problems import AUTHED, PaymentProblem, problems
from shared.billing import service
from shared.billing.schemas import CreditsCreate, EndUserOut, LedgerEntryOut, LimitOverrides
from shared.pagination import DEFAULT_LIMIT, Page
from shared.queue import commit

router = APIRouter(prefix="/v1/end-users", tags=["end users"])

EndUserId = Annotated[
    str,
    Path(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$", description="Your id for the person."),
]


@router.get("", operation_id="end-users-list", responses=problems(*AUTHED, 400))
async def list_end_users(
    scope: ScopeDep, limit: LimitQuery = DEFAULT_LIMIT, after: AfterQuery = None
) -> Page[EndUserOut]:
    """End users seen so far (named by a job or a credit entry), newest first."""
    return await service.list_end_users(scope, limit=limit, after=after)


@router.get("/{end_user_id}", operation_id="end-users-get", responses=problems(*AUTHED, 404))
async def get_end_user(end_user_id: EndUserId, scope: ScopeDep) -> EndUserOut:
    """Balance, current usage and the limits in force. 404 `end_user_not_found` until a job or a credit
    entry names the end user."""
    return await service.get_end_user(scope, end_user_id)


@router.put("/{end_user_id}/limits", operation_id="end-users-limits-put", responses=problems(*AUTHED, 404))
async def put_limits(end_user_id: EndUserId, body: LimitOverrides, scope: ScopeDep, redis: RedisDep) -> EndUserOut:
    """Replace the end user's limit overrides: a member given replaces the policy's limit (`null`:
    unlimited), a member left out inherits it; `{}` removes every override."""
    out = await service.set_limits(scope, end_user_id, body)
    await commit(scope.session, redis)
    return out


@router.post(
    "/{end_user_id}/credits",
    operation_id="end-users-credits-create",
    status_code=201,
    response_model=LedgerEntryOut,
    responses=problems(*AUTHED, 409, models={409: PaymentProblem}),
)
async def add_credits(
    request: Request,
    end_user_id: EndUserId,
    body: CreditsCreate,
    session: SessionDep,
    redis: RedisDep,
    principal: PrincipalDep,
    scope: ScopeDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Grant (`amount` > 0) or debit (`amount` < 0) credits; answers the ledger entry. A debit past the
    balance → 409 `insufficient_credits` (with `balance` and `required`). Names the end user into being."""

    async def _create() -> tuple[int, LedgerEntryOut]:
        return 201, await service.add_credits(scope, end_user_id, body)

    return await idempotent_create(
        request, session, redis, owner_id=principal.owner_id, key=idempotency_key, body=body, create=_create
    )


@router.get("/{end_user_id}/ledger", operation_id="end-users-ledger", responses=problems(*AUTHED, 400, 404))
async def ledger(
    end_user_id: EndUserId, scope: ScopeDep, limit: LimitQuery = DEFAULT_LIMIT, after: AfterQuery = None
) -> Page[LedgerEntryOut]:
    """Every change of the balance, newest first; the amounts sum to `balance`. Kinds: `grant`, `debit`,
    `reserve` (negative: a job was created), `capture` (0, the job delivered `quantity`), `refund` (positive)."""
    return await service.list_ledger(scope, end_user_id, limit=limit, after=after)

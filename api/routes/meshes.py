"""``/v1/meshes``: image to 3D — a batch of photos, one mesh per photo, through Fal's Tripo3D."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from sse_starlette import EventSourceResponse
from starlette.responses import RedirectResponse

from api.deps import AfterQuery, JobEnvDep, LimitQuery, RedisDep, ScopeDep, SettingsDep, StorageDep
from api.problems import AUTHED, problems
from api.sse import SSE_RESPONSES, LastEventIdDep, job_event_stream
from api.stream_auth import StreamPrincipalDep
from api.tags import TagFilterDep
from api.uploads import LimiterDep, read_multipart, upload_limits
from shared.events.schemas import EventOut
from shared.events.service import list_job_events
from shared.meshes.schemas import (
    DEFAULT_FACE_LIMIT,
    MAX_FACE_LIMIT,
    MESH_FILE_KINDS,
    MIN_FACE_LIMIT,
    MeshFileKind,
    MeshJobCreated,
    MeshJobOut,
    MeshJobStatus,
)
from shared.meshes.service import (
    cancel_mesh_job,
    create_mesh_job,
    item_file_key,
    list_mesh_jobs,
    render_job,
    render_jobs,
)
from shared.metadata import END_USER_DESCRIPTION, MAX_END_USER_CHARS, METADATA_DESCRIPTION, METADATA_QUERY
from shared.models import MeshJob
from shared.pagination import DEFAULT_LIMIT, Page
from shared.queue import commit
from shared.uploads import commit_or_delete

router = APIRouter(prefix="/v1/meshes", tags=["meshes"])

MeshId = Annotated[str, Path(max_length=40, description="Mesh job id (`msh_…`).")]

_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["files"],
                "properties": {
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "minItems": 1,
                        "maxItems": 25,
                        "description": "1-25 photos (JPEG, PNG or WebP; validated like dataset uploads). "
                        "Each accepted photo becomes one item.",
                    },
                    "face_limit": {
                        "type": "integer",
                        "minimum": MIN_FACE_LIMIT,
                        "maximum": MAX_FACE_LIMIT,
                        "default": DEFAULT_FACE_LIMIT,
                        "description": "Upper bound on each mesh's triangle count.",
                    },
                    "texture": {"type": "string", "enum": ["no", "standard", "HD"], "default": "standard"},
                    "pbr": {"type": "boolean", "default": False, "description": "Also produce `pbr_model`."},
                    "seed": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
                    "metadata": {
                        "type": "string",
                        "contentMediaType": "application/json",
                        "description": "A JSON object of string → string: " + METADATA_DESCRIPTION,
                    },
                    "end_user": {
                        "type": "string",
                        "maxLength": MAX_END_USER_CHARS,
                        "description": END_USER_DESCRIPTION,
                    },
                },
            },
            "encoding": {"files": {"contentType": "image/jpeg, image/png, image/webp"}},
        }
    },
}


@router.post(
    "",
    operation_id="meshes-create",
    status_code=202,
    response_model=MeshJobCreated,
    responses=problems(*AUTHED, 400, 402, 413, 415, 429),
    openapi_extra={"requestBody": _REQUEST_BODY},
)
async def create(
    request: Request, scope: ScopeDep, redis: RedisDep, storage: StorageDep, settings: SettingsDep, limiter: LimiterDep
) -> MeshJobCreated:
    """Turn 1-25 photos into 3D meshes (`multipart/form-data`: `files` parts plus the optional fields
    `face_limit`, `texture`, `pbr`, `seed`,
    `metadata` as a JSON object, `end_user`). Each photo is validated like a dataset upload; refused files are
    listed in `rejected` and the others become the job's `items`. Answers 202 with the queued job; follow it
    with `GET /v1/meshes/{id}`. When no file is accepted: 422 `no_images_accepted` (every file in `errors`), or
    `no_files` when none was sent. `Idempotency-Key` is not supported on this multipart route."""
    await scope.session.rollback()  # hand the connection back while the body streams and photos are checked
    async with await read_multipart(request, upload_limits(settings), settings.tmp_dir) as batch:
        created = await create_mesh_job(scope, storage, settings, limiter, batch, request.state.request_id)
        await commit_or_delete(scope.session, redis, storage, created.stored_keys)
    job = await render_job(scope.session, created.row, storage, settings.signed_url_ttl)
    return MeshJobCreated(**job.model_dump(), rejected=created.rejected)


@router.get("", operation_id="meshes-list", responses=problems(*AUTHED, 400), openapi_extra=METADATA_QUERY)
async def list_meshes(
    scope: ScopeDep,
    tags: TagFilterDep,
    storage: StorageDep,
    settings: SettingsDep,
    status: Annotated[MeshJobStatus | None, Query(description="Only jobs in this status.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: AfterQuery = None,
) -> Page[MeshJobOut]:
    """Your mesh jobs, newest first; `?metadata[key]=value` and `?end_user=` filter them."""
    rows = await list_mesh_jobs(scope, status, tags, limit=limit, after=after)
    data = await render_jobs(scope.session, rows.items, storage, settings.signed_url_ttl)
    return Page(data=data, has_more=rows.has_more, next_cursor=rows.next_cursor)


@router.get("/{mesh_id}", operation_id="meshes-get", responses=problems(*AUTHED, 404))
async def get_mesh(mesh_id: MeshId, scope: ScopeDep, storage: StorageDep, settings: SettingsDep) -> MeshJobOut:
    """A mesh job with every item's status, error and files (signed, short-lived URLs)."""
    row = await scope.get(MeshJob, mesh_id, "mesh")
    return await render_job(scope.session, row, storage, settings.signed_url_ttl)


@router.post(
    "/{mesh_id}/cancel",
    operation_id="meshes-cancel",
    status_code=202,
    responses=problems(*AUTHED, 404, 409),
)
async def cancel_mesh(
    mesh_id: MeshId, scope: ScopeDep, redis: RedisDep, storage: StorageDep, settings: SettingsDep, env: JobEnvDep
) -> MeshJobOut:
    """Stop a queued or running job: in-flight provider requests are canceled and every item that has not
    ended becomes `canceled` (items that already succeeded keep their files). A queued job is canceled at
    once; otherwise the answer shows it still running and `mesh.canceled` follows shortly.
    409 `job_already_terminal` once it ended."""
    row = await cancel_mesh_job(scope, env, mesh_id)
    await commit(scope.session, redis)
    return await render_job(scope.session, row, storage, settings.signed_url_ttl)


@router.get(
    "/{mesh_id}/items/{item_id}/files/{kind}",
    operation_id="meshes-items-files-get",
    status_code=302,
    response_class=RedirectResponse,
    responses={
        302: {"description": "Redirect to a short-lived signed URL of the file."},
        **problems(*AUTHED, 404),
    },
)
async def get_item_file(
    mesh_id: MeshId,
    item_id: Annotated[str, Path(max_length=40, description="Item id (`mit_…`).")],
    kind: Annotated[MeshFileKind, Path(description="Which output: " + ", ".join(MESH_FILE_KINDS) + ".")],
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
) -> RedirectResponse:
    """Download one output of an item (302 to a signed URL). 404 `mesh_file_not_found` when the item has
    no such file (not finished, failed, or the provider did not return that kind)."""
    key = await item_file_key(scope, mesh_id, item_id, kind)
    url = await storage.signed_url(key, settings.signed_url_ttl)
    return RedirectResponse(url, status_code=302)


@router.get("/{mesh_id}/events", operation_id="meshes-events", responses=problems(*AUTHED, 400, 404))
async def list_mesh_events(
    mesh_id: MeshId,
    scope: ScopeDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: Annotated[
        str | None, Query(max_length=200, description="An event id: the page starts after it (`next_cursor`).")
    ] = None,
) -> Page[EventOut]:
    """The job's events, **oldest first** (a history to replay): `mesh.queued`, `mesh.started`, one
    `mesh.progress` per item change (`data.item` names the item, `data.job.items` has every item's status),
    then `mesh.succeeded`, `mesh.failed` or `mesh.canceled`."""
    await scope.get(MeshJob, mesh_id, "mesh")
    return await list_job_events(scope.session, scope.owner_id, mesh_id, limit=limit, after=after)


@router.get(
    "/{mesh_id}/stream",
    operation_id="meshes-stream",
    response_class=EventSourceResponse,
    responses=SSE_RESPONSES,
)
async def stream_mesh(
    request: Request, mesh_id: MeshId, principal: StreamPrincipalDep, last_event_id: LastEventIdDep = None
) -> Response:
    """The job's events as Server-Sent Events: its history (after `Last-Event-ID` when given), then live,
    closed after the terminal event. Authenticate with the API key or `?token=` from `POST /v1/stream-tokens`."""
    return await job_event_stream(request, principal.owner_id, "mesh", mesh_id, last_event_id)

"""``/v1/uploads``: one image on its own (an init image, a mask), validated like dataset images."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from api.deps import RedisDep, ScopeDep, SettingsDep, StorageDep
from api.problems import AUTHED, problems
from api.uploads import LimiterDep, read_multipart, upload_limits
from shared.models import Upload
from shared.uploads import commit_or_delete
from shared.uploads.single import UPLOAD_FIELD, UploadOut, create_upload, upload_out

router = APIRouter(prefix="/v1/uploads", tags=["uploads"])

_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [UPLOAD_FIELD],
                "properties": {
                    UPLOAD_FIELD: {
                        "type": "string",
                        "format": "binary",
                        "description": "One JPEG, PNG or WebP image (validated and normalised like dataset images).",
                    }
                },
            },
            "encoding": {UPLOAD_FIELD: {"contentType": "image/jpeg, image/png, image/webp"}},
        }
    },
}


@router.post(
    "",
    operation_id="uploads-create",
    status_code=201,
    response_model=UploadOut,
    responses=problems(*AUTHED, 400, 413, 415, 503),
    openapi_extra={"requestBody": _REQUEST_BODY},
)
async def create(
    request: Request, scope: ScopeDep, redis: RedisDep, storage: StorageDep, settings: SettingsDep, limiter: LimiterDep
) -> JSONResponse:
    """Upload one image (`multipart/form-data`, part `file`) to use as an input: an init image or a mask of
    a generation, the image of a video. It is judged and normalised exactly like a dataset image (format
    sniffed, fully decoded, pixel/side/size limits, made upright, metadata stripped). **Kept 24 h** unless a
    job uses it (then `expires_at` becomes null and it stays).

    422 `no_images_accepted` (the reason in `errors`: `unsupported_format`, `image_too_small`, ...),
    422 `one_file_expected` for no or several files, 413 for a body over the limit, 415 for a body that is
    not multipart. `Idempotency-Key` is not supported on this multipart route."""
    await scope.session.rollback()  # hand the connection back while the body streams
    async with await read_multipart(request, upload_limits(settings), settings.tmp_dir) as batch:
        created = await create_upload(scope, storage, settings, batch, limiter)
        await commit_or_delete(scope.session, redis, storage, created.stored_keys)
    return JSONResponse(upload_out(created.row).model_dump(mode="json"), status_code=201)


@router.get("/{upload_id}", operation_id="uploads-get", responses=problems(*AUTHED, 404))
async def get_upload(upload_id: str, scope: ScopeDep) -> UploadOut:
    """One of your uploads (404 `upload_not_found` once it expired)."""
    return upload_out(await scope.get(Upload, upload_id, "upload"))

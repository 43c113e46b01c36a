"""Datasets and their images (ARCHITECTURE §4 "Dataset", "Image"). Thin: the work is in ``shared.datasets``."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import RedirectResponse
from starlette.responses import JSONResponse

from api.deps import AfterQuery, LimitQuery, RedisDep, ScopeDep, SettingsDep, StorageDep
from api.problems import AUTHED, problems
from api.uploads import UploadLimits, read_multipart
from shared.config import Settings
from shared.datasets import service
from shared.datasets.schemas import (
    DatasetCreate,
    DatasetOut,
    DatasetPatch,
    ImageOut,
    ImagePatch,
    RejectedFile,
    UploadResult,
)
from shared.errors import ValidationFailed
from shared.models import Dataset, Image
from shared.pagination import DEFAULT_LIMIT, Page, paginate
from shared.queue import commit

router = APIRouter(prefix="/v1/datasets")

IMAGE_THREADS = 2  # this deployment's CPU count: image decoding never takes more threads than that


async def _dataset_id(dataset_id: Annotated[str, Path(description="Dataset id (`ds_…`).")]) -> str:
    return service.checked_id(dataset_id, "dataset")


async def _image_id(image_id: Annotated[str, Path(description="Image id (`img_…`).")]) -> str:
    return service.checked_id(image_id, "image")


# Ids that cannot exist (NUL bytes, 300 characters, ...) answer 404 like any unknown id, before a query.
DatasetId = Annotated[str, Depends(_dataset_id)]
ImageId = Annotated[str, Depends(_image_id)]


async def get_image_limiter(request: Request) -> anyio.CapacityLimiter:
    """One limiter per process: concurrent uploads share the same image-processing threads."""
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "image_limiter", None)
    if limiter is None:
        limiter = anyio.CapacityLimiter(IMAGE_THREADS)
        request.app.state.image_limiter = limiter
    return limiter


LimiterDep = Annotated[anyio.CapacityLimiter, Depends(get_image_limiter)]


def upload_limits(settings: Settings) -> UploadLimits:
    return UploadLimits(
        max_files=settings.max_files_per_request,
        max_parts=2 * settings.max_files_per_request + 10,
        max_file_bytes=settings.max_file_bytes,
        max_request_bytes=settings.max_request_bytes,
    )


# ---------------------------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------------------------


@router.post("", operation_id="datasets-create", status_code=201, tags=["datasets"], responses=problems(*AUTHED))
async def create_dataset(body: DatasetCreate, scope: ScopeDep, redis: RedisDep) -> DatasetOut:
    """Create an empty dataset; add photos with `POST /v1/datasets/{id}/images`."""
    ds = await service.create_dataset(scope, body)
    await commit(scope.session, redis)
    return service.dataset_out(ds)


@router.get("", operation_id="datasets-list", tags=["datasets"], responses=problems(*AUTHED, 400))
async def list_datasets(
    scope: ScopeDep, limit: LimitQuery = DEFAULT_LIMIT, after: AfterQuery = None
) -> Page[DatasetOut]:
    """Your datasets, newest first."""
    rows = await paginate(scope.session, scope.select(Dataset), Dataset.id, limit=limit, after=after)
    return Page(data=[service.dataset_out(d) for d in rows.items], has_more=rows.has_more, next_cursor=rows.next_cursor)


@router.get("/{dataset_id}", operation_id="datasets-get", tags=["datasets"], responses=problems(*AUTHED, 404))
async def get_dataset(dataset_id: DatasetId, scope: ScopeDep) -> DatasetOut:
    return service.dataset_out(await scope.get(Dataset, dataset_id, "dataset"))


@router.patch("/{dataset_id}", operation_id="datasets-update", tags=["datasets"], responses=problems(*AUTHED, 404))
async def update_dataset(dataset_id: DatasetId, body: DatasetPatch, scope: ScopeDep, redis: RedisDep) -> DatasetOut:
    """Change the fields you send; `description` and `trigger_word` can be cleared with null."""
    ds = await service.update_dataset(scope, dataset_id, body)
    await commit(scope.session, redis)
    return service.dataset_out(ds)


@router.delete(
    "/{dataset_id}",
    operation_id="datasets-delete",
    status_code=204,
    tags=["datasets"],
    responses=problems(*AUTHED, 404, 409),
)
async def delete_dataset(dataset_id: DatasetId, scope: ScopeDep, storage: StorageDep, redis: RedisDep) -> Response:
    """Delete the dataset, its images and their stored files. 409 `dataset_in_use` while a training that
    uses it has not finished."""
    prefix = await service.delete_dataset(scope, dataset_id)
    await commit(scope.session, redis)
    await service.purge_prefix(storage, prefix)
    return Response(status_code=204)


# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------

_UPLOAD_BODY: dict[str, Any] = {
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
                        "description": "JPEG, PNG or WebP photos; a `.txt` part with an image's stem is its caption.",
                    }
                },
            }
        }
    },
}


@router.post(
    "/{dataset_id}/images",
    operation_id="images-upload",
    status_code=201,
    tags=["images"],
    response_model=UploadResult,
    responses=problems(*AUTHED, 400, 404, 413, 415, 503),
    openapi_extra={"requestBody": _UPLOAD_BODY},
)
async def upload_images(
    request: Request,
    dataset_id: DatasetId,
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    redis: RedisDep,
    limiter: LimiterDep,
) -> JSONResponse:
    """Upload photos as `multipart/form-data`, one or more `files` parts (a `.txt` part named like an
    image, e.g. `me1.txt` for `me1.jpg`, is its caption).

    Each file is judged on its own bytes (JPEG, PNG or WebP, fully decodable, within the pixel, side and
    size limits, not already in the dataset, dataset not full), made upright and stripped of all metadata.
    **201** lists the accepted `images` and the `rejected` files with a `code` each; when nothing is
    accepted the answer is **422** `no_images_accepted` with every file in `errors`. A body over the
    request limit is refused with **413** while it streams; **503** `storage_unavailable` if storing fails
    (nothing of the request is kept)."""
    await scope.get(Dataset, dataset_id, "dataset")  # 404 before reading a byte of the body
    await scope.session.rollback()  # hand the connection back while the body streams
    parsed = await read_multipart(request, upload_limits(settings), settings.tmp_dir)
    async with parsed:
        files = [
            service.IncomingFile(display_name=f.display_name, stem=f.stem, path=f.path, field_name=f.field_name)
            for f in parsed.files
        ]
        early = [RejectedFile(filename=r.filename, code=r.code, detail=r.detail) for r in parsed.rejected]
        if not files and not early and not parsed.captions:
            raise ValidationFailed("Send one or more `files` parts.", code="no_files")
        outcome = await service.upload_images(
            scope, storage, settings, dataset_id, files, parsed.captions, early, limiter
        )
        try:
            await commit(scope.session, redis)
        except BaseException:
            await service.delete_objects(storage, outcome.stored_keys)
            raise
    ttl = settings.signed_url_ttl
    result = UploadResult(
        images=[await service.image_out(img, storage, ttl) for img in outcome.images], rejected=outcome.rejected
    )
    return JSONResponse(result.model_dump(mode="json"), status_code=201)


@router.get("/{dataset_id}/images", operation_id="images-list", tags=["images"], responses=problems(*AUTHED, 400, 404))
async def list_images(
    dataset_id: DatasetId,
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: AfterQuery = None,
) -> Page[ImageOut]:
    """The dataset's images, newest first, each with a short-lived signed `url`."""
    await scope.get(Dataset, dataset_id, "dataset")
    stmt = scope.select(Image).where(Image.dataset_id == dataset_id)
    rows = await paginate(scope.session, stmt, Image.id, limit=limit, after=after)
    ttl = settings.signed_url_ttl
    return Page(
        data=[await service.image_out(i, storage, ttl) for i in rows.items],
        has_more=rows.has_more,
        next_cursor=rows.next_cursor,
    )


@router.get(
    "/{dataset_id}/images/{image_id}", operation_id="images-get", tags=["images"], responses=problems(*AUTHED, 404)
)
async def get_image(
    dataset_id: DatasetId, image_id: ImageId, scope: ScopeDep, storage: StorageDep, settings: SettingsDep
) -> ImageOut:
    img = await service.get_image(scope, dataset_id, image_id)
    return await service.image_out(img, storage, settings.signed_url_ttl)


@router.patch(
    "/{dataset_id}/images/{image_id}",
    operation_id="images-update",
    tags=["images"],
    responses=problems(*AUTHED, 404),
)
async def update_image(
    dataset_id: DatasetId,
    image_id: ImageId,
    body: ImagePatch,
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    redis: RedisDep,
) -> ImageOut:
    """Set or clear (null or empty) the image's caption."""
    img = await service.update_caption(scope, dataset_id, image_id, body)
    await commit(scope.session, redis)
    return await service.image_out(img, storage, settings.signed_url_ttl)


@router.delete(
    "/{dataset_id}/images/{image_id}",
    operation_id="images-delete",
    status_code=204,
    tags=["images"],
    responses=problems(*AUTHED, 404, 409),
)
async def delete_image(
    dataset_id: DatasetId, image_id: ImageId, scope: ScopeDep, storage: StorageDep, redis: RedisDep
) -> Response:
    """Delete the image and its stored file. 409 `dataset_in_use` while a training is collecting the
    dataset's images."""
    key = await service.delete_image(scope, dataset_id, image_id)
    await commit(scope.session, redis)
    await service.delete_objects(storage, [key])
    return Response(status_code=204)


@router.get(
    "/{dataset_id}/images/{image_id}/content",
    operation_id="images-content",
    tags=["images"],
    status_code=302,
    response_class=RedirectResponse,
    responses={
        302: {"description": "Redirect to a short-lived signed URL of the stored image."},
        **problems(*AUTHED, 404),
    },
)
async def image_content(
    dataset_id: DatasetId, image_id: ImageId, scope: ScopeDep, storage: StorageDep, settings: SettingsDep
) -> RedirectResponse:
    """Redirect (302) to a short-lived signed URL of the stored image."""
    img = await service.get_image(scope, dataset_id, image_id)
    url = await storage.signed_url(img.storage_key, settings.signed_url_ttl)
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})

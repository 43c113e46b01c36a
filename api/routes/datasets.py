"""Datasets and their images. Thin: the work is in ``shared.datasets`` (``crud``, ``uploads``, ``render``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import RedirectResponse
from starlette.responses import JSONResponse

from api.deps import AfterQuery, LimitQuery, RedisDep, ScopeDep, SettingsDep, StorageDep
from api.problems import AUTHED, problems
from api.tags import TagFilterDep
from api.uploads import LimiterDep, read_multipart, upload_limits
from shared.datasets import crud
from shared.datasets.from_generation import FromGeneration, add_from_generation
from shared.datasets.keys import checked_id
from shared.datasets.render import dataset_out, image_out, images_out, upload_result_out
from shared.datasets.schemas import DatasetCreate, DatasetOut, DatasetPatch, ImageOut, ImagePatch, UploadResult
from shared.datasets.uploads import add_images
from shared.metadata import METADATA_QUERY
from shared.pagination import DEFAULT_LIMIT, Page
from shared.queue import commit
from shared.uploads import ImagePipeline, commit_or_delete, delete_objects, image_limits, purge_prefix

router = APIRouter(prefix="/v1/datasets")


async def _dataset_id(dataset_id: Annotated[str, Path(description="Dataset id (`ds_…`).")]) -> str:
    return checked_id(dataset_id, "dataset")


async def _image_id(image_id: Annotated[str, Path(description="Image id (`img_…`).")]) -> str:
    return checked_id(image_id, "image")


# Ids that cannot exist (NUL bytes, 300 characters, ...) answer 404 like any unknown id, before a query.
DatasetId = Annotated[str, Depends(_dataset_id)]
ImageId = Annotated[str, Depends(_image_id)]


# ---------------------------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------------------------


@router.post("", operation_id="datasets-create", status_code=201, tags=["datasets"], responses=problems(*AUTHED))
async def create_dataset(body: DatasetCreate, scope: ScopeDep, redis: RedisDep) -> DatasetOut:
    """Create an empty dataset; add photos with `POST /v1/datasets/{id}/images`."""
    ds = await crud.create_dataset(scope, body)
    await commit(scope.session, redis)
    return dataset_out(ds)


@router.get(
    "",
    operation_id="datasets-list",
    tags=["datasets"],
    responses=problems(*AUTHED, 400),
    openapi_extra=METADATA_QUERY,
)
async def list_datasets(
    scope: ScopeDep, tags: TagFilterDep, limit: LimitQuery = DEFAULT_LIMIT, after: AfterQuery = None
) -> Page[DatasetOut]:
    """Your datasets, newest first; `?metadata[key]=value` and `?end_user=` filter them."""
    rows = await crud.list_datasets(scope, tags, limit=limit, after=after)
    return Page(data=[dataset_out(d) for d in rows.items], has_more=rows.has_more, next_cursor=rows.next_cursor)


@router.get("/{dataset_id}", operation_id="datasets-get", tags=["datasets"], responses=problems(*AUTHED, 404))
async def get_dataset(dataset_id: DatasetId, scope: ScopeDep) -> DatasetOut:
    return dataset_out(await crud.get_dataset(scope, dataset_id))


@router.patch("/{dataset_id}", operation_id="datasets-update", tags=["datasets"], responses=problems(*AUTHED, 404))
async def update_dataset(dataset_id: DatasetId, body: DatasetPatch, scope: ScopeDep, redis: RedisDep) -> DatasetOut:
    """Change the fields you send; `description`, `trigger_word` and `end_user` can be cleared with null.
    `metadata` merges: the keys you send are set, a key set to null is removed, the others are kept."""
    ds = await crud.update_dataset(scope, dataset_id, body)
    await commit(scope.session, redis)
    return dataset_out(ds)


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
    prefix = await crud.delete_dataset(scope, dataset_id)
    await commit(scope.session, redis)
    await purge_prefix(storage, prefix)
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
    dataset = await crud.get_dataset(scope, dataset_id)  # 404 before reading a byte of the body
    full = dataset.image_count >= settings.max_images_per_dataset  # then no CPU is spent on its files
    await scope.session.rollback()  # hand the connection back while the body streams
    # Each photo is processed as soon as its part is on disk, while the rest of the body is still arriving.
    async with ImagePipeline(image_limits(settings), settings.tmp_dir, limiter) as pipeline:
        on_file = None if full else pipeline.prefetch
        async with await read_multipart(request, upload_limits(settings), settings.tmp_dir, on_file) as batch:
            outcome = await add_images(scope, storage, settings, dataset_id, batch, limiter, pipeline)
            await commit_or_delete(scope.session, redis, storage, outcome.stored_keys)
    result = await upload_result_out(outcome.images, outcome.rejected, storage, settings.signed_url_ttl)
    return JSONResponse(result.model_dump(mode="json"), status_code=201)


@router.post(
    "/{dataset_id}/images/from-generation",
    operation_id="images-from-generation",
    status_code=201,
    tags=["images"],
    response_model=UploadResult,
    responses=problems(*AUTHED, 404, 503),
)
async def images_from_generation(
    dataset_id: DatasetId,
    body: FromGeneration,
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    redis: RedisDep,
    limiter: LimiterDep,
) -> JSONResponse:
    """Add a generation's images (all, or `image_ids`) to the dataset, server-side: no download and
    re-upload. They go through the same checks as uploaded photos (duplicates, the image cap, ...); the
    dataset image keeps the generation image's `sha256`, so adding it twice is refused as `duplicate_image`.
    **201** `{images, rejected}`; **422** `no_images_accepted` when nothing is accepted,
    `generation_not_succeeded` for a generation without images; **404** `dataset_not_found` /
    `generation_not_found` (unknown ids and other owners' alike)."""
    outcome = await add_from_generation(scope, storage, settings, dataset_id, body, limiter)
    await commit_or_delete(scope.session, redis, storage, outcome.stored_keys)
    result = await upload_result_out(outcome.images, outcome.rejected, storage, settings.signed_url_ttl)
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
    rows = await crud.list_images(scope, dataset_id, limit=limit, after=after)
    data = await images_out(rows.items, storage, settings.signed_url_ttl)
    return Page(data=data, has_more=rows.has_more, next_cursor=rows.next_cursor)


@router.get(
    "/{dataset_id}/images/{image_id}", operation_id="images-get", tags=["images"], responses=problems(*AUTHED, 404)
)
async def get_image(
    dataset_id: DatasetId, image_id: ImageId, scope: ScopeDep, storage: StorageDep, settings: SettingsDep
) -> ImageOut:
    img = await crud.get_image(scope, dataset_id, image_id)
    return await image_out(img, storage, settings.signed_url_ttl)


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
    img = await crud.update_caption(scope, dataset_id, image_id, body)
    await commit(scope.session, redis)
    return await image_out(img, storage, settings.signed_url_ttl)


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
    key = await crud.delete_image(scope, dataset_id, image_id)
    await commit(scope.session, redis)
    await delete_objects(storage, [key])
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
    img = await crud.get_image(scope, dataset_id, image_id)
    url = await storage.signed_url(img.storage_key, settings.signed_url_ttl)
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})

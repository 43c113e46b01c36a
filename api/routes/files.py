"""``GET /v1/files/{key}``: serves local-storage objects behind the HMAC-signed URLs that
:meth:`shared.storage.LocalStorage.signed_url` issues (the local stand-in for GCS V4 signed URLs).

With any other storage backend the route answers 404: signed URLs point at the bucket instead.
"""

from __future__ import annotations

import math
import mimetypes
import time

import anyio
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse

from shared.storage import InvalidKey, LocalStorage

router = APIRouter(tags=["files"])


@router.get(
    "/v1/files/{key:path}",
    operation_id="files-get",
    include_in_schema=True,
    response_class=FileResponse,
    summary="Download a stored file through a signed URL",
    responses={
        200: {"description": "The file.", "content": {"application/octet-stream": {}}},
        403: {"description": "Missing, invalid or expired signature."},
        404: {"description": "No such file, or file serving is disabled (GCS storage)."},
    },
)
async def get_file(
    request: Request,
    key: str,
    expires: int = Query(..., description="Unix time after which the URL is refused."),
    sig: str = Query(..., description="URL signature."),
    download_name: str | None = Query(None, description="Serve as an attachment with this name."),
) -> FileResponse:
    storage = request.app.state.storage
    if not isinstance(storage, LocalStorage):
        raise HTTPException(status_code=404, detail="Not found.")
    try:
        path = storage.path_for(key)
    except InvalidKey:
        raise HTTPException(status_code=404, detail="Not found.") from None
    now = time.time()
    if not storage.verify_signature(key, expires, sig, download_name=download_name, now=now):
        raise HTTPException(status_code=403, detail="Invalid or expired signature.")
    if not await anyio.Path(path).is_file():
        raise HTTPException(status_code=404, detail="Not found.")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    max_age = max(0, math.floor(expires - now))
    return FileResponse(
        path,
        media_type=media_type,
        filename=download_name,
        content_disposition_type="attachment",
        headers={"Cache-Control": f"private, max-age={max_age}"},
    )

"""Streaming ``multipart/form-data`` reader with limits, and the upload dependencies routes share.

:func:`read_multipart` feeds ``request.stream()`` chunk by chunk into python-multipart's low-level
:class:`~python_multipart.MultipartParser`; the body is never buffered as a whole:

* file parts go straight to temporary files in ``tmp_dir`` (written from a worker thread in batches
  of ~1 MiB, so one request holds at most ~1 MiB + one chunk of file data in memory);
* text parts (form fields and ``.txt`` captions) are kept in memory up to their own limits.

Limits (:class:`UploadLimits`) and what breaking them does:

=====================================  ==========================================================
``Content-Length`` > max_request_bytes  :class:`PayloadTooLarge` (413 ``payload_too_large``)
                                        before a byte of the body is read
streamed bytes > max_request_bytes      :class:`PayloadTooLarge`, raised the moment the running
                                        count passes the limit (chunked bodies included)
one file > max_file_bytes               **not** fatal: that part's data is dropped, its temp file
                                        deleted, and a :class:`~shared.uploads.RejectedFile` ``file_too_large`` is
                                        recorded; the other files of the request are kept
one caption > max_caption_bytes         not fatal: :class:`~shared.uploads.RejectedFile` ``caption_too_large``
caption not valid UTF-8                 not fatal: :class:`~shared.uploads.RejectedFile` ``invalid_caption``
form field > max_field_bytes            :class:`PayloadTooLarge` (413 ``field_too_large``)
more than max_files file parts or       :class:`TooManyParts` (413 ``too_many_files``), raised when
more than max_parts parts in total      the first part over the limit starts
not multipart/form-data or no boundary  :class:`UnsupportedMediaType` (415
                                        ``unsupported_media_type``)
malformed body (bad boundary, bad       :class:`MalformedMultipart` (400 ``malformed_multipart``)
headers, missing Content-Disposition
name, missing closing boundary)
=====================================  ==========================================================

All errors are :class:`shared.errors.FotogenError` subclasses, so the API renders them as
problem+json. On any error (and on cancellation/client disconnect) every temp file already written
is deleted before the exception propagates. On success the caller owns the temp files: use
``async with batch:`` or call :meth:`~shared.uploads.IncomingBatch.cleanup`.

Part classification: a part with a ``filename`` parameter is a file. In the field ``files`` a file
whose name ends in ``.txt`` is a caption (keyed by the stem of its sanitised name, matching the image
with the same stem). Every other file part counts against ``max_files`` and lands in
:attr:`~shared.uploads.IncomingBatch.files` — the format is not judged here (``shared.imaging`` sniffs it). A file part
with an empty filename and no content (what browsers send for an empty file input) is ignored (it
still counts against the limits).
Parts without a filename are form fields (UTF-8; the last value of a repeated name wins).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Final

from fastapi import Depends, Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header

from api.multipart import MalformedMultipart, MultipartReader, TooManyParts, UploadLimits
from shared.config import Settings
from shared.errors import PayloadTooLarge, UnsupportedMediaType
from shared.uploads import ImageWorkers, IncomingBatch, IncomingFile

__all__ = [
    "IMAGE_THREADS",
    "LimiterDep",
    "MalformedMultipart",
    "PayloadTooLarge",
    "TooManyParts",
    "UnsupportedMediaType",
    "UploadLimits",
    "get_image_limiter",
    "read_multipart",
    "upload_limits",
]

_FEED_SLICE: Final = 1024 * 1024  # very large ASGI chunks are fed (and flushed) in slices of this size
IMAGE_THREADS = 2  # without the lifespan's ImageWorkers (settings.image_workers): this many threads


def upload_limits(settings: Settings) -> UploadLimits:
    """The limits of every photo upload route: a file and a caption per photo, plus a few form fields."""
    return UploadLimits(
        max_files=settings.max_files_per_request,
        max_parts=2 * settings.max_files_per_request + 10,
        max_file_bytes=settings.max_file_bytes,
        max_request_bytes=settings.max_request_bytes,
    )


async def get_image_limiter(request: Request) -> ImageWorkers:
    """One per process (built in the lifespan): concurrent uploads share the same image workers."""
    workers: ImageWorkers | None = getattr(request.app.state, "image_workers", None)
    if workers is None:  # an app used without its lifespan
        workers = ImageWorkers.threads(IMAGE_THREADS)
        request.app.state.image_workers = workers
    return workers


LimiterDep = Annotated[ImageWorkers, Depends(get_image_limiter)]


async def read_multipart(
    request: Request, limits: UploadLimits, tmp_dir: Path, on_file: Callable[[IncomingFile], None] | None = None
) -> IncomingBatch:
    """Stream a ``multipart/form-data`` request body into a :class:`~shared.uploads.IncomingBatch` (see module doc);
    ``on_file`` is told of each file as soon as it is complete on disk."""
    content_type, params = parse_options_header(request.headers.get("content-type"))
    if content_type != b"multipart/form-data":
        raise UnsupportedMediaType("The request body must be multipart/form-data.", code="unsupported_media_type")
    boundary = params.get(b"boundary")
    if not boundary:
        raise UnsupportedMediaType(
            "The multipart/form-data Content-Type has no boundary parameter.", code="unsupported_media_type"
        )
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            declared_len = int(declared)
        except ValueError:
            raise MalformedMultipart("Invalid Content-Length header.") from None
        if declared_len > limits.max_request_bytes:
            raise PayloadTooLarge(f"The request body is larger than {limits.max_request_bytes:,} bytes.")

    reader = MultipartReader(limits, tmp_dir, on_file)
    try:
        parser = MultipartParser(boundary, reader.callbacks())
    except FormParserError as exc:
        raise MalformedMultipart(f"Invalid multipart boundary: {exc}") from None

    received = 0
    try:
        try:
            async for chunk in request.stream():
                if not chunk:
                    continue
                received += len(chunk)
                if received > limits.max_request_bytes:
                    raise PayloadTooLarge(f"The request body is larger than {limits.max_request_bytes:,} bytes.")
                if len(chunk) <= _FEED_SLICE:
                    parser.write(chunk)
                    await reader.flush()
                else:
                    for offset in range(0, len(chunk), _FEED_SLICE):
                        parser.write(chunk[offset : offset + _FEED_SLICE])
                        await reader.flush()
            if parser.state != MultipartState.END:
                raise MalformedMultipart("The multipart body ended before its closing boundary.")
            await reader.flush()
        except FormParserError as exc:  # MultipartParseError and friends
            raise MalformedMultipart(f"Malformed multipart body: {exc}") from None
    except BaseException:
        reader.discard_all()
        raise
    return reader.result

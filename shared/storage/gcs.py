"""Google Cloud Storage backend on the official ``google-cloud-storage`` client.

Every client call blocks, so each runs in a worker thread (``run_sync``).

* **Create-only**: uploads carry ``ifGenerationMatch=0``; GCS answers 412 if the object exists,
  which we raise as :class:`ObjectExists`. We also ``stat`` first, to refuse before consuming the
  stream (and because emulators such as ``gcp-storage-emulator`` ignore preconditions).
* **Streamed upload**: an object that fits in one upload chunk (default 8 MiB) goes up in a single
  multipart request with its sha256 in the custom metadata. A bigger one goes through a resumable
  upload session (``BlobWriter``), one chunk at a time; its sha256 is only known at the end and is
  added with a metadata PATCH. If that PATCH is lost (crash), ``stat`` recomputes and re-adds it.
  A failed or cancelled upload is never finalised (the session is cancelled), so nothing appears.
* **Streamed download**: ranged GETs of ``chunk_size`` pinned to the generation we looked up.
* **Signed URLs**: V4, https://cloud.google.com/storage/docs/access-control/signed-urls. Signing
  needs a key: pass ``signing_credentials`` (e.g. service-account credentials), or run with
  service-account credentials; otherwise (workload identity / metadata-server credentials) we sign
  through the IAM ``signBlob`` API with the credentials' token, which needs
  ``roles/iam.serviceAccountTokenCreator`` on that service account.

Emulator: ``GCSStorage(bucket, api_endpoint="http://127.0.0.1:9023")`` uses anonymous
credentials and also points signed URLs at the emulator; it still needs ``signing_credentials``
that can sign locally (any service-account key; the emulator does not check signatures).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import AsyncGenerator, AsyncIterable
from datetime import timedelta
from typing import Any, NoReturn

import google.auth.transport.requests
from google.api_core import exceptions as gexc
from google.auth.credentials import AnonymousCredentials, Credentials, Signing
from google.cloud import storage as gcs
from google.cloud.storage.exceptions import InvalidResponse
from google.cloud.storage.fileio import BlobWriter

from shared.storage.base import (
    CHUNK_SIZE,
    Storage,
    StoredObject,
    content_disposition,
    run_sync,
    validate_key,
    validate_prefix,
)
from shared.storage.errors import ObjectExists, ObjectNotFound, StorageError

DEFAULT_UPLOAD_CHUNK_SIZE = 8 * 1024 * 1024  # must be a multiple of 256 KiB
_SHA256_METADATA_KEY = "sha256"
_DEFAULT_SIGNED_URL_ENDPOINT = "https://storage.googleapis.com"


class GCSStorage(Storage):
    def __init__(
        self,
        bucket: str,
        *,
        project: str | None = None,
        credentials: Credentials | None = None,
        api_endpoint: str | None = None,
        signing_credentials: Credentials | None = None,
        signed_url_endpoint: str | None = None,
        upload_chunk_size: int = DEFAULT_UPLOAD_CHUNK_SIZE,
    ) -> None:
        """Build the client (credential discovery may block: call from a thread if that matters).

        ``api_endpoint`` (e.g. an emulator URL) also becomes the default ``signed_url_endpoint``,
        and with no ``credentials`` implies anonymous credentials.
        """
        if upload_chunk_size <= 0 or upload_chunk_size % (256 * 1024):
            raise ValueError("upload_chunk_size must be a positive multiple of 256 KiB")
        if api_endpoint is not None and credentials is None:
            credentials = AnonymousCredentials()  # type: ignore[no-untyped-call]
        client_options = {"api_endpoint": api_endpoint} if api_endpoint else None
        self._client = gcs.Client(project=project, credentials=credentials, client_options=client_options)
        self._bucket = self._client.bucket(bucket)
        self._signing_credentials = signing_credentials
        self._signed_url_endpoint = (signed_url_endpoint or api_endpoint or _DEFAULT_SIGNED_URL_ENDPOINT).rstrip("/")
        self._upload_chunk_size = upload_chunk_size

    @property
    def bucket_name(self) -> str:
        return str(self._bucket.name)

    # -- writes ----------------------------------------------------------------------------------

    async def put(self, key: str, chunks: AsyncIterable[bytes], content_type: str) -> StoredObject:
        validate_key(key)
        if await run_sync(self._get_blob, key) is not None:
            raise ObjectExists(key)
        digest = hashlib.sha256()
        size = 0
        pending: list[bytes] = []
        pending_size = 0
        writer: BlobWriter | None = None
        blob = self._bucket.blob(key)
        try:
            async for chunk in chunks:
                if not chunk:
                    continue
                digest.update(chunk)
                size += len(chunk)
                pending.append(chunk)
                pending_size += len(chunk)
                if pending_size >= self._upload_chunk_size:
                    if writer is None:
                        writer = BlobWriter(
                            blob,
                            chunk_size=self._upload_chunk_size,
                            content_type=content_type,
                            if_generation_match=0,
                        )
                    await run_sync(_write_all, writer, pending)
                    pending, pending_size = [], 0
            sha256 = digest.hexdigest()
            if writer is None:
                # Fits in one chunk: one request, metadata included, atomic.
                blob.metadata = {_SHA256_METADATA_KEY: sha256}
                await run_sync(_upload_small, blob, b"".join(pending), content_type)
            else:
                if pending:
                    await run_sync(_write_all, writer, pending)
                await run_sync(writer.close)  # finalises the upload
                writer = None
                blob.metadata = {_SHA256_METADATA_KEY: sha256}
                await run_sync(_patch, blob)
        except BaseException as exc:
            if writer is not None:
                await run_sync(_terminate_quietly, writer)
            _reraise(key, exc)
        return StoredObject(key=key, size=size, sha256=sha256, content_type=content_type)

    async def delete(self, key: str) -> bool:
        validate_key(key)
        return await run_sync(self._delete, key)

    def _delete(self, key: str) -> bool:
        try:
            self._bucket.blob(key).delete()
        except gexc.NotFound:
            return False
        except gexc.GoogleAPICallError as exc:
            raise StorageError(f"could not delete {key!r}: {exc}") from exc
        return True

    async def delete_prefix(self, prefix: str) -> int:
        validate_prefix(prefix)
        return await run_sync(self._delete_prefix, prefix)

    def _delete_prefix(self, prefix: str) -> int:
        deleted = 0
        try:
            for blob in self._client.list_blobs(self._bucket, prefix=prefix):
                try:
                    blob.delete()
                except gexc.NotFound:
                    continue
                deleted += 1
        except gexc.GoogleAPICallError as exc:
            raise StorageError(f"could not delete prefix {prefix!r}: {exc}") from exc
        return deleted

    # -- reads -----------------------------------------------------------------------------------

    async def stat(self, key: str) -> StoredObject | None:
        validate_key(key)
        blob = await run_sync(self._get_blob, key)
        if blob is None:
            return None
        sha256 = (blob.metadata or {}).get(_SHA256_METADATA_KEY)
        if not sha256:
            sha256 = await self._heal_sha256(key, blob)
        return StoredObject(
            key=key,
            size=int(blob.size or 0),
            sha256=str(sha256),
            content_type=str(blob.content_type or "application/octet-stream"),
        )

    def _get_blob(self, key: str) -> Any:
        try:
            return self._bucket.get_blob(key)
        except gexc.GoogleAPICallError as exc:
            raise StorageError(f"could not stat {key!r}: {exc}") from exc

    async def _heal_sha256(self, key: str, blob: Any) -> str:
        """The post-upload metadata PATCH was lost: hash the object and add it now."""
        digest = hashlib.sha256()
        async for chunk in self._read(key, blob):
            digest.update(chunk)
        sha256 = digest.hexdigest()
        pinned = self._bucket.blob(key, generation=blob.generation)
        pinned.metadata = {_SHA256_METADATA_KEY: sha256}
        with contextlib.suppress(StorageError):  # best effort: the answer is right either way
            await run_sync(_patch, pinned)
        return sha256

    async def open(self, key: str, chunk_size: int = CHUNK_SIZE) -> AsyncGenerator[bytes, None]:
        validate_key(key)
        blob = await run_sync(self._get_blob, key)
        if blob is None:
            raise ObjectNotFound(key)
        async for chunk in self._read(key, blob, chunk_size):
            yield chunk

    async def _read(self, key: str, blob: Any, chunk_size: int = CHUNK_SIZE) -> AsyncGenerator[bytes, None]:
        # Pin the generation so a concurrent delete+recreate cannot splice two objects together.
        pinned = self._bucket.blob(key, generation=blob.generation)
        size = int(blob.size or 0)
        start = 0
        while start < size:
            end = min(start + chunk_size, size) - 1
            data = await run_sync(_download_range, pinned, start, end)
            if not data:
                raise StorageError(f"{key!r} ended early at byte {start} of {size}")
            yield data
            start += len(data)

    # -- signed URLs -----------------------------------------------------------------------------

    async def signed_url(self, key: str, ttl: timedelta, *, download_name: str | None = None) -> str:
        validate_key(key)
        if ttl.total_seconds() <= 0:
            raise ValueError("ttl must be positive")
        return await run_sync(self._sign, key, ttl, download_name)

    def _sign(self, key: str, ttl: timedelta, download_name: str | None) -> str:
        kwargs: dict[str, Any] = {
            "version": "v4",
            "method": "GET",
            "expiration": ttl,
            "api_access_endpoint": self._signed_url_endpoint,
        }
        if download_name is not None:
            kwargs["response_disposition"] = content_disposition(download_name)
        credentials = self._signing_credentials or self._client._credentials
        if isinstance(credentials, Signing):
            kwargs["credentials"] = credentials
        else:
            # No local key (metadata-server credentials): sign through IAM signBlob.
            if not credentials.valid:
                credentials.refresh(google.auth.transport.requests.Request())
            kwargs["service_account_email"] = getattr(credentials, "service_account_email", None)
            kwargs["access_token"] = credentials.token
        return str(self._bucket.blob(key).generate_signed_url(**kwargs))

    # -- lifecycle -------------------------------------------------------------------------------

    async def ping(self) -> None:
        await run_sync(self._ping)

    def _ping(self) -> None:
        # Listing needs only storage.objects.list, which an object-admin role has (buckets.get not).
        try:
            next(iter(self._client.list_blobs(self._bucket, max_results=1)), None)
        except gexc.GoogleAPICallError as exc:
            raise StorageError(f"bucket {self.bucket_name!r} is not usable: {exc}") from exc

    async def aclose(self) -> None:
        await run_sync(self._client.close)


def _write_all(writer: BlobWriter, chunks: list[bytes]) -> None:
    for chunk in chunks:
        writer.write(chunk)


def _upload_small(blob: Any, data: bytes, content_type: str) -> None:
    blob.upload_from_file(io.BytesIO(data), size=len(data), content_type=content_type, if_generation_match=0)


def _patch(blob: Any) -> None:
    try:
        blob.patch()
    except gexc.GoogleAPICallError as exc:
        raise StorageError(f"could not update metadata of {blob.name!r}: {exc}") from exc


def _download_range(blob: Any, start: int, end: int) -> bytes:
    try:
        return bytes(blob.download_as_bytes(start=start, end=end, checksum=None))
    except gexc.NotFound:
        raise ObjectNotFound(str(blob.name)) from None
    except gexc.GoogleAPICallError as exc:
        raise StorageError(f"could not read {blob.name!r}: {exc}") from exc


def _terminate_quietly(writer: BlobWriter) -> None:
    # Cancel the resumable session so a partial object is never finalised. Best effort: an
    # abandoned session expires on its own.
    with contextlib.suppress(Exception):
        writer.terminate()


def _reraise(key: str, exc: BaseException) -> NoReturn:
    if isinstance(exc, InvalidResponse):
        status = getattr(exc.response, "status_code", None)
        if status == 412:
            raise ObjectExists(key) from None
        raise StorageError(f"could not upload {key!r}: HTTP {status}: {exc}") from exc
    if isinstance(exc, gexc.PreconditionFailed):
        raise ObjectExists(key) from None
    if isinstance(exc, gexc.GoogleAPICallError):
        raise StorageError(f"could not upload {key!r}: {exc}") from exc
    raise exc

"""Local-disk backend: objects are plain files under ``root`` (``root/<key>``).

Crash safety: a put streams into a hidden temp file in the target directory, fsyncs it, then
``os.link``s it to the final name. ``link`` fails with ``EEXIST`` instead of replacing, which gives
an atomic create-only commit; a crash at any point leaves either no object or the whole object
(plus maybe a stray ``.<name>.*.tmp`` file, never visible as a key).

Metadata (size, sha256, content type) lives in a hidden sidecar ``.<name>.meta.json`` next to the
object. It is written after the object is linked; if a crash loses it, ``stat`` recomputes it from
the file. Keys cannot contain segments starting with ``.`` (see ``validate_key``), so hidden files
never collide with objects.

Signed URLs point at the API's own ``GET /v1/files/{key}`` route (``api/routes/files.py``) and
carry ``expires`` (unix seconds) and ``sig`` = urlsafe-base64(HMAC-SHA256) over key, expiry and
the optional download name, with a key derived from the app's secret key.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import hmac
import io
import json
import math
import mimetypes
import os
import time
from collections.abc import AsyncGenerator, AsyncIterable
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

from shared.storage.base import (
    CHUNK_SIZE,
    Storage,
    StoredObject,
    run_sync,
    temp_file_beside,
    validate_key,
    validate_prefix,
)
from shared.storage.errors import ObjectExists, ObjectNotFound, StorageError

_SIGNING_CONTEXT = b"fotogen/storage/local-signed-url/v1"


class LocalStorage(Storage):
    def __init__(self, root: Path, public_url: str, secret_key: str) -> None:
        if not secret_key:
            raise ValueError("LocalStorage needs a non-empty secret_key to sign URLs")
        self.root = Path(root).absolute()
        self.public_url = public_url.rstrip("/")
        # A key of our own, so a signature here is useless anywhere else the secret is used.
        self._signing_key = hmac.new(secret_key.encode(), _SIGNING_CONTEXT, hashlib.sha256).digest()

    # -- paths -----------------------------------------------------------------------------------

    def path_for(self, key: str) -> Path:
        """The file holding ``key`` (which may not exist). Raises ``InvalidKey``."""
        return self.root / validate_key(key)

    @staticmethod
    def _meta_path(path: Path) -> Path:
        return path.with_name(f".{path.name}.meta.json")

    # -- writes ----------------------------------------------------------------------------------

    async def put(self, key: str, chunks: AsyncIterable[bytes], content_type: str) -> StoredObject:
        path = self.path_for(key)
        # Cheap early refusal before consuming the stream; the link below is the real guarantee.
        if await run_sync(os.path.lexists, path):
            raise ObjectExists(key)
        fd, tmp = await run_sync(temp_file_beside, path)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb", buffering=0) as fh:
                pending: list[bytes] = []
                pending_size = 0
                async for chunk in chunks:
                    if not chunk:
                        continue
                    pending.append(chunk)
                    pending_size += len(chunk)
                    if pending_size >= CHUNK_SIZE:
                        await run_sync(_write_all, fh, digest, pending)
                        size += pending_size
                        pending, pending_size = [], 0
                if pending:
                    await run_sync(_write_all, fh, digest, pending)
                    size += pending_size
                await run_sync(os.fsync, fh.fileno())
            obj = StoredObject(key=key, size=size, sha256=digest.hexdigest(), content_type=content_type)
            await run_sync(self._commit, tmp, path, obj)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return obj

    async def put_file(self, key: str, path: Path, content_type: str, *, consume: bool = False) -> StoredObject:
        """A local file in: the same steps as :meth:`put` (temp file, hash, fsync, link), in one worker thread
        rather than a thread hop per step and per chunk (uploads store a few dozen files per request). With
        ``consume`` the file itself is hashed, fsynced and linked into place (no copy) when it is on this disk."""
        target = self.path_for(key)
        return await run_sync(self._put_file_sync, key, target, Path(path), content_type, consume)

    def _put_file_sync(self, key: str, target: Path, src: Path, content_type: str, consume: bool) -> StoredObject:
        if os.path.lexists(target):
            raise ObjectExists(key)
        if consume:
            moved = self._move_in(key, target, src, content_type)
            if moved is not None:
                return moved
        fd, tmp = temp_file_beside(target)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb", buffering=0) as fh, src.open("rb") as source:
                while chunk := source.read(CHUNK_SIZE):
                    _write_all(fh, digest, [chunk])
                    size += len(chunk)
                os.fsync(fh.fileno())
            obj = StoredObject(key=key, size=size, sha256=digest.hexdigest(), content_type=content_type)
            self._commit(tmp, target, obj)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return obj

    def _move_in(self, key: str, target: Path, src: Path, content_type: str) -> StoredObject | None:
        """``src`` becomes the object: hashed and fsynced where it is, then linked into place (the same
        create-only commit as a copy's temp file); None when it is on another file system (copy it then)."""
        digest = hashlib.sha256()
        size = 0
        with src.open("rb") as fh:
            while chunk := fh.read(CHUNK_SIZE):
                digest.update(chunk)
                size += len(chunk)
            os.fsync(fh.fileno())  # its writer (an image worker) left it to whoever keeps it
        obj = StoredObject(key=key, size=size, sha256=digest.hexdigest(), content_type=content_type)
        try:
            self._commit(src, target, obj)
        except OSError as exc:
            if exc.errno == errno.EXDEV:
                return None
            raise
        src.unlink(missing_ok=True)
        return obj

    def _commit(self, tmp: Path, path: Path, obj: StoredObject) -> None:
        meta_fd, meta_tmp = temp_file_beside(self._meta_path(path))
        try:
            with os.fdopen(meta_fd, "wb") as fh:
                fh.write(_encode_meta(obj))
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise ObjectExists(obj.key) from None
            # Overwrites any sidecar left by a crashed delete or written by a concurrent stat().
            os.replace(meta_tmp, self._meta_path(path))
        finally:
            with contextlib.suppress(FileNotFoundError):
                meta_tmp.unlink()

    async def delete(self, key: str) -> bool:
        path = self.path_for(key)
        return await run_sync(self._delete_path, path)

    def _delete_path(self, path: Path) -> bool:
        try:
            path.unlink()
        except FileNotFoundError:
            existed = False
        else:
            existed = True
        with contextlib.suppress(FileNotFoundError):
            self._meta_path(path).unlink()
        return existed

    async def delete_prefix(self, prefix: str) -> int:
        validate_prefix(prefix)
        return await run_sync(self._delete_prefix, prefix)

    def _delete_prefix(self, prefix: str) -> int:
        # Walk the deepest directory that can contain matches, then filter by string prefix.
        top = self.root / prefix if prefix.endswith("/") else (self.root / prefix).parent
        if not top.is_dir():
            return 0
        deleted = 0
        for dirpath, dirnames, filenames in os.walk(top, topdown=False):
            directory = Path(dirpath)
            for name in filenames:
                if name.startswith("."):
                    continue  # sidecars and in-flight temp files
                path = directory / name
                if path.relative_to(self.root).as_posix().startswith(prefix) and self._delete_path(path):
                    deleted += 1
            for name in dirnames:
                sub = directory / name
                if sub.relative_to(self.root).as_posix().startswith(prefix):
                    with contextlib.suppress(OSError):
                        sub.rmdir()  # only if empty; a concurrent put retries its mkdir
        if prefix.endswith("/") and top != self.root:
            with contextlib.suppress(OSError):
                top.rmdir()
        return deleted

    async def delete_partials(self, prefix: str, *, older_than_seconds: float) -> int:
        if prefix:
            validate_prefix(prefix)
        return await run_sync(self._delete_partials, prefix, older_than_seconds)

    def _delete_partials(self, prefix: str, older_than_seconds: float) -> int:
        # A put's temp file is ``.<name>.<random>.tmp`` beside the object (see ``temp_file_beside``).
        top = self.root / prefix if prefix.endswith("/") or not prefix else (self.root / prefix).parent
        if not top.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        deleted = 0
        for dirpath, _, filenames in os.walk(top):
            for name in filenames:
                path = Path(dirpath) / name
                if not (name.startswith(".") and name.endswith(".tmp")):
                    continue
                if not path.relative_to(self.root).as_posix().startswith(prefix):
                    continue
                with contextlib.suppress(FileNotFoundError):
                    if path.stat().st_mtime <= cutoff:
                        path.unlink()
                        deleted += 1
        return deleted

    # -- reads -----------------------------------------------------------------------------------

    async def stat(self, key: str) -> StoredObject | None:
        path = self.path_for(key)
        return await run_sync(self._stat, key, path)

    def _stat(self, key: str, path: Path) -> StoredObject | None:
        try:
            size = path.stat().st_size
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not path.is_file():
            return None
        try:
            meta = json.loads(self._meta_path(path).read_bytes())
            obj = StoredObject(
                key=key,
                size=int(meta["size"]),
                sha256=str(meta["sha256"]),
                content_type=str(meta["content_type"]),
            )
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            obj = None
        if obj is not None and obj.size == size:
            return obj
        return self._rebuild_meta(key, path)

    def _rebuild_meta(self, key: str, path: Path) -> StoredObject | None:
        """The sidecar is missing (crash between link and sidecar write): recompute it."""
        digest = hashlib.sha256()
        size = 0
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(CHUNK_SIZE):
                    digest.update(chunk)
                    size += len(chunk)
        except FileNotFoundError:
            return None
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        obj = StoredObject(key=key, size=size, sha256=digest.hexdigest(), content_type=content_type)
        meta_path = self._meta_path(path)
        fd, tmp = temp_file_beside(meta_path)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_encode_meta(obj))
            # Create-only: never clobber the authoritative sidecar a concurrent put() just wrote.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, meta_path)
        finally:
            tmp.unlink()
        return obj

    async def open(self, key: str, chunk_size: int = CHUNK_SIZE) -> AsyncGenerator[bytes, None]:
        path = self.path_for(key)
        try:
            fh = await run_sync(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None
        try:
            while chunk := await run_sync(fh.read, chunk_size):
                yield chunk
        finally:
            fh.close()

    # -- signed URLs -----------------------------------------------------------------------------

    def _signature(self, key: str, expires: int, download_name: str | None) -> str:
        message = "\n".join(("GET", key, str(expires), download_name or "")).encode()
        mac = hmac.new(self._signing_key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    async def signed_url(self, key: str, ttl: timedelta, *, download_name: str | None = None) -> str:
        validate_key(key)
        if ttl.total_seconds() <= 0:
            raise ValueError("ttl must be positive")
        expires = math.ceil(time.time() + ttl.total_seconds())
        params: dict[str, str | int] = {
            "expires": expires,
            "sig": self._signature(key, expires, download_name),
        }
        if download_name is not None:
            params["download_name"] = download_name
        return f"{self.public_url}/v1/files/{quote(key, safe='/')}?{urlencode(params)}"

    def verify_signature(
        self,
        key: str,
        expires: int,
        sig: str,
        *,
        download_name: str | None = None,
        now: float | None = None,
    ) -> bool:
        """True if ``sig`` was made by :meth:`signed_url` for these values and has not expired."""
        if (time.time() if now is None else now) >= expires:
            return False
        expected = self._signature(key, expires, download_name)
        return hmac.compare_digest(expected.encode(), sig.encode("utf-8", "replace"))

    # -- lifecycle -------------------------------------------------------------------------------

    async def ping(self) -> None:
        await run_sync(self._ping)

    def _ping(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"storage root {self.root} is not usable: {exc}") from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageError(f"storage root {self.root} is not writable")


def _write_all(fh: io.FileIO, digest: hashlib._Hash, chunks: list[bytes]) -> None:
    for chunk in chunks:
        digest.update(chunk)
        view = memoryview(chunk)
        while view:  # unbuffered FileIO may write short
            written = fh.write(view)
            view = view[written or 0 :]


def _encode_meta(obj: StoredObject) -> bytes:
    return json.dumps({"size": obj.size, "sha256": obj.sha256, "content_type": obj.content_type}).encode()

"""The storage interface (handbook ARCHITECTURE.md section 5) and what both backends share.

Semantics every backend follows:

* ``put`` is **streamed** and **create-only**: it never holds more than about one chunk of the
  object in memory, computes size and sha256 on the way through, and raises :class:`ObjectExists`
  if the key already exists. It is strict even for a retried put of identical content: we cannot
  know the content matches without consuming the whole stream, and tasks that want to be safe to
  repeat should ``stat()`` first (or catch ``ObjectExists`` and ``stat()``) and compare ``sha256``.
* A failed or cancelled ``put`` leaves nothing behind under the key.
* ``open`` is an async generator: a missing key raises :class:`ObjectNotFound` on the first
  iteration. Close it early with ``contextlib.aclosing`` if you do not read to the end.
* Keys are ``/``-separated relative paths, checked by :func:`validate_key`.
"""

from __future__ import annotations

import abc
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, TypeVar, TypeVarTuple, Unpack
from urllib.parse import quote

import anyio.to_thread

from shared.storage.errors import InvalidKey

CHUNK_SIZE = 1024 * 1024  # 1 MiB: the unit of file I/O handed to a thread
MAX_KEY_BYTES = 1024  # GCS object-name limit; we apply it to every backend
T = TypeVar("T")
Ts = TypeVarTuple("Ts")
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x1f\x7f\\]")


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    sha256: str  # lowercase hex
    content_type: str


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe object key, else raise :class:`InvalidKey`.

    Rules: non-empty, at most 1024 UTF-8 bytes, relative (no leading ``/``), no trailing ``/``, no
    empty segments (``a//b``), no backslash or control characters, and no segment starting with
    ``.`` (that rules out ``.`` and ``..`` and keeps the local backend's hidden sidecar and temp
    files out of the key space).
    """
    if not isinstance(key, str) or not key:
        raise InvalidKey(str(key), "empty")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise InvalidKey(key, f"longer than {MAX_KEY_BYTES} bytes")
    if _FORBIDDEN_CHARS.search(key):
        raise InvalidKey(key, "contains a backslash or control character")
    if key.startswith("/"):
        raise InvalidKey(key, "must be relative")
    if key.endswith("/"):
        raise InvalidKey(key, "must not end with '/'")
    for segment in key.split("/"):
        if not segment:
            raise InvalidKey(key, "empty path segment")
        if segment.startswith("."):
            raise InvalidKey(key, "path segments must not start with '.'")
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidKey(key, "not valid UTF-8") from None
    return key


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the RFC 6266 / RFC 8187 ``filename*`` form."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback or 'download'}\"; filename*=UTF-8''{quote(filename, safe='')}"


def validate_prefix(prefix: str) -> str:
    """A prefix for ``delete_prefix``: like a key, but a trailing ``/`` is allowed (and advised)."""
    validate_key(prefix.removesuffix("/"))
    return prefix


class Storage(abc.ABC):
    """Object storage. Build one per process (FastAPI lifespan / arq on_startup), ``aclose()`` it."""

    @abc.abstractmethod
    async def put(self, key: str, chunks: AsyncIterable[bytes], content_type: str) -> StoredObject:
        """Stream ``chunks`` into a new object; raise ``ObjectExists`` if ``key`` exists."""

    async def put_file(self, key: str, path: Path, content_type: str, *, consume: bool = False) -> StoredObject:
        """Stream a local file into a new object (create-only, like :meth:`put`). ``consume``: the file is the
        caller's temporary copy and goes once stored (a backend on the same disk may move it instead of copying)."""
        obj = await self.put(key, read_file_chunks(path), content_type)
        if consume:
            await run_sync(Path(path).unlink, True)
        return obj

    @abc.abstractmethod
    async def stat(self, key: str) -> StoredObject | None:
        """Metadata of ``key``, or ``None`` if it does not exist."""

    @abc.abstractmethod
    def open(self, key: str, chunk_size: int = CHUNK_SIZE) -> AsyncGenerator[bytes, None]:
        """Stream the object's bytes; raises ``ObjectNotFound`` on first iteration if missing.

        An async generator (an ``AsyncIterator[bytes]`` that can also be ``aclose()``d).
        """

    async def download_to(self, key: str, path: Path) -> StoredObject:
        """Stream the object into ``path`` (written to a temp file, then renamed into place).

        Returns the object's metadata, with size and sha256 as actually received.
        """
        path = Path(path)
        fd, tmp = await run_sync(temp_file_beside, path)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as fh:
                async with contextlib.aclosing(self.open(key)) as stream:
                    async for chunk in stream:
                        await run_sync(_write_and_hash, fh, digest, chunk)
                        size += len(chunk)
            await run_sync(os.replace, tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        meta = await self.stat(key)
        content_type = meta.content_type if meta else "application/octet-stream"
        return StoredObject(key=key, size=size, sha256=digest.hexdigest(), content_type=content_type)

    @abc.abstractmethod
    async def delete(self, key: str) -> bool:
        """Delete ``key``; ``True`` if it existed."""

    @abc.abstractmethod
    async def delete_prefix(self, prefix: str) -> int:
        """Delete every object whose key starts with ``prefix`` (plain string prefix, so pass
        ``owners/1/`` rather than ``owners/1``); return how many were deleted."""

    async def delete_partials(self, prefix: str, *, older_than_seconds: float) -> int:
        """Delete what interrupted writes under ``prefix`` left behind (e.g. a worker killed mid-upload), if
        untouched for ``older_than_seconds``; return how many. Backends whose writes leave nothing return 0."""
        return 0

    @abc.abstractmethod
    async def signed_url(self, key: str, ttl: timedelta, *, download_name: str | None = None) -> str:
        """An absolute URL that lets anyone GET ``key`` for ``ttl``. ``download_name`` makes the
        response an attachment with that file name. Does not check that the object exists."""

    @abc.abstractmethod
    async def ping(self) -> None:
        """Readiness check: return if the backend is usable, raise otherwise."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release clients/connections."""


async def run_sync(func: Callable[[Unpack[Ts]], T], *args: *Ts) -> T:
    """Run blocking I/O in a worker thread.

    Unlike ``asyncio.to_thread``, a cancelled caller waits for the thread to finish, so a file or
    upload handle is never closed or reused while a thread is still working on it.
    """
    return await anyio.to_thread.run_sync(func, *args)


def temp_file_beside(path: Path) -> tuple[int, Path]:
    """Create (exclusively) a hidden temp file in ``path``'s directory, creating the directory.

    Same directory, so the final rename/link is atomic. Retries if a concurrent cleanup removes
    the (empty) directory between ``mkdir`` and creating the file.
    """
    for _ in range(5):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        except FileNotFoundError:
            continue
        return fd, Path(name)
    raise FileNotFoundError(f"directory {path.parent} keeps disappearing")


def _write_and_hash(fh: IO[bytes], digest: hashlib._Hash, data: bytes) -> None:
    digest.update(data)
    fh.write(data)


async def read_file_chunks(path: Path, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
    """Read a local file in chunks, each read in a worker thread."""
    fh = await run_sync(Path(path).open, "rb")
    try:
        while chunk := await run_sync(fh.read, chunk_size):
            yield chunk
    finally:
        fh.close()

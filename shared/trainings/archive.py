"""Streamed ZIP of a dataset snapshot: ``0001.jpg`` + ``0001.txt`` …, ZIP_STORED.

Arcnames are ours (never from user input). The archive is produced chunk by chunk while the images are
read from storage, and written straight into storage: one read of every image, one write of the archive,
nothing buffered beyond a chunk. ``zipfile`` writes data descriptors on a non-seekable sink; CRC32 of a
1 MiB chunk costs well under a millisecond, so it runs on the loop.
"""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterator
from typing import Any

from shared.storage import Storage

_FIXED_DATE = (2020, 1, 1, 0, 0, 0)


class _Sink:
    """A write-only, non-seekable file object collecting what zipfile writes."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        if data:
            self._chunks.append(data if isinstance(data, bytes) else bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> list[bytes]:
        out, self._chunks = self._chunks, []
        return out


def arcname(index: int, ext: str) -> str:
    return f"{index:04d}.{ext}"


async def zip_snapshot(storage: Storage, snapshot: list[dict[str, Any]]) -> AsyncIterator[bytes]:
    """Yield the ZIP of ``snapshot`` entries ``{key, ext, size_bytes, caption}``."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:  # type: ignore[call-overload]
        for index, entry in enumerate(snapshot, start=1):
            info = zipfile.ZipInfo(arcname(index, entry["ext"]), date_time=_FIXED_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = int(entry["size_bytes"])
            with zf.open(info, "w", force_zip64=info.file_size > 0x7FFFFFFF) as dst:
                async for chunk in storage.open(entry["key"]):
                    dst.write(chunk)
                    for out in sink.drain():
                        yield out
            if entry.get("caption"):
                caption = zipfile.ZipInfo(arcname(index, "txt"), date_time=_FIXED_DATE)
                zf.writestr(caption, entry["caption"].encode())
            for out in sink.drain():
                yield out
    for out in sink.drain():
        yield out

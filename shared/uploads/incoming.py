"""What the upload pipeline takes: files already on local disk, each with a display name.

An :class:`IncomingFile` is produced by the streaming multipart reader (``api.uploads.read_multipart``) or
by :meth:`IncomingFile.from_storage` (an image already stored, downloaded to a temp file, e.g. to copy it
into a dataset). An :class:`IncomingBatch` is one request's worth: the files, the ``.txt`` captions, the
form fields and the files refused before any processing (``file_too_large`` while streaming, ...). The
batch owns its temp files: ``async with batch:`` deletes them.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Final

from shared.imaging import sanitize_filename
from shared.storage import Storage
from shared.uploads.schemas import RejectedFile

IMAGE_FIELD: Final = "files"  # the form field that carries photos (and their `.txt` captions)


def name_stem(name: str) -> str:
    """``"me1"`` for ``"me1.jpg"``: how a caption file finds its image."""
    stem, dot, _ext = name.rpartition(".")
    return stem if dot and stem else name


@dataclass(frozen=True)
class IncomingFile:
    field_name: str
    filename: str  # raw, as the client (or the stored row) named it — never trust, never use as a key
    display_name: str  # shared.imaging.sanitize_filename(filename): what clients see and rows store
    declared_content_type: str | None  # what the sender claimed; shared.imaging sniffs the real format
    path: Path  # a temp file holding exactly the file's bytes
    size: int
    # An object we stored already normalised (a generation output): validated like any file, but kept
    # byte for byte, so its sha256 (and duplicate detection) stays that of the stored original.
    verbatim: bool = False

    @property
    def stem(self) -> str:
        return name_stem(self.display_name)

    @classmethod
    async def from_storage(
        cls, storage: Storage, key: str, filename: str, tmp_dir: Path, *, verbatim: bool = False
    ) -> IncomingFile:
        """Download a stored object to a temp file in ``tmp_dir`` (the caller owns it, see
        :meth:`IncomingBatch.cleanup`), so it goes through the pipeline like an uploaded file (``verbatim``:
        the object is already normalised; keep its bytes)."""
        path = tmp_dir / f"copy-{uuid.uuid4().hex}.part"
        await asyncio.to_thread(tmp_dir.mkdir, parents=True, exist_ok=True)
        stored = await storage.download_to(key, path)
        display = sanitize_filename(filename)
        return cls(IMAGE_FIELD, filename, display, stored.content_type, path, stored.size, verbatim)


@dataclass
class IncomingBatch:
    files: list[IncomingFile] = field(default_factory=list)
    captions: dict[str, str] = field(default_factory=dict)  # display-name stem -> caption
    fields: dict[str, str] = field(default_factory=dict)
    rejected: list[RejectedFile] = field(default_factory=list)  # refused before any processing

    def caption_for(self, file: IncomingFile) -> str | None:
        return self.captions.get(file.stem)

    def cleanup(self) -> None:
        """Delete every temp file (idempotent)."""
        for f in self.files:
            f.path.unlink(missing_ok=True)

    async def aclose(self) -> None:
        await asyncio.to_thread(self.cleanup)

    async def __aenter__(self) -> IncomingBatch:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

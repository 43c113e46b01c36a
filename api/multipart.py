"""The parser callbacks of the streaming multipart reader (``api.uploads.read_multipart``): part by part,
files go to temp files, captions and form fields stay in memory, each within its limit."""

from __future__ import annotations

import asyncio
import contextlib
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final, Literal

from python_multipart.multipart import parse_options_header

from shared.errors import BadRequest, PayloadTooLarge
from shared.imaging import sanitize_filename
from shared.uploads import IMAGE_FIELD, IncomingBatch, IncomingFile, RejectedFile, name_stem

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

_MIB: Final = 1024 * 1024
_WRITE_BATCH: Final = _MIB  # accumulate this much file data before one threaded write


class MalformedMultipart(BadRequest):
    default_code = "malformed_multipart"
    default_title = "Malformed multipart body"


class TooManyParts(PayloadTooLarge):
    default_code = "too_many_files"
    default_title = "Too many files"


@dataclass(frozen=True)
class UploadLimits:
    max_files: int = 25
    max_parts: int = 60
    max_file_bytes: int = 20 * _MIB
    max_request_bytes: int = 25 * 20 * _MIB + 2 * _MIB
    max_field_bytes: int = 64 * 1024
    max_caption_bytes: int = 4 * 1024


_Kind = Literal["file", "caption", "field"]


class _Part:
    __slots__ = (
        "buf",
        "ctype",
        "display",
        "done",
        "dropped",
        "fh",
        "filename",
        "kind",
        "name",
        "path",
        "size",
    )

    def __init__(self, kind: _Kind, name: str, filename: str | None, ctype: str | None, path: Path | None) -> None:
        self.kind: _Kind = kind
        self.name = name
        self.filename = filename
        self.display = sanitize_filename(filename) if filename is not None else ""
        self.ctype = ctype
        self.path = path
        self.buf = bytearray()
        self.size = 0
        self.done = False
        self.dropped = False
        self.fh: BinaryIO | None = None


def _write_batch(part: _Part, data: bytearray, close: bool) -> None:
    """Runs in a worker thread: append ``data`` to the part's temp file (creating it), maybe close."""
    assert part.path is not None
    if part.fh is None:
        try:
            part.fh = part.path.open("xb")
        except FileNotFoundError:
            part.path.parent.mkdir(parents=True, exist_ok=True)
            part.fh = part.path.open("xb")
    if data:
        part.fh.write(data)
    if close:
        part.fh.close()
        part.fh = None


def _discard(part: _Part) -> None:
    """Runs in a worker thread (or synchronously on error): close and delete a part's temp file."""
    if part.fh is not None:
        with contextlib.suppress(OSError, ValueError):
            part.fh.close()
        part.fh = None
    if part.path is not None:
        part.path.unlink(missing_ok=True)


class MultipartReader:
    def __init__(
        self, limits: UploadLimits, tmp_dir: Path, on_file: Callable[[IncomingFile], None] | None = None
    ) -> None:
        self.limits = limits
        self.tmp_dir = tmp_dir
        self.on_file = on_file  # told of each file as soon as it is complete on disk (e.g. to start processing it)
        self.result = IncomingBatch()
        self.part: _Part | None = None
        self.headers: dict[bytes, bytes] = {}
        self.header_field = bytearray()
        self.header_value = bytearray()
        self.n_parts = 0
        self.n_files = 0
        self.pending: list[_Part] = []  # file parts with data to write or a file to close/delete
        self.file_parts: list[_Part] = []  # every file part ever started (for cleanup on error)

    # -- parser callbacks (synchronous, on the event loop; no I/O here) --------------------------

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self.headers = {}
        self.part = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[bytes(self.header_field).strip().lower()] = bytes(self.header_value).strip()
        self.header_field.clear()
        self.header_value.clear()

    def on_headers_finished(self) -> None:
        limits = self.limits
        self.n_parts += 1
        if self.n_parts > limits.max_parts:
            raise TooManyParts(f"A request may have at most {limits.max_parts} parts.")
        disposition, params = parse_options_header(self.headers.get(b"content-disposition"))
        if disposition != b"form-data" or b"name" not in params:
            raise MalformedMultipart(f"Part {self.n_parts} lacks a 'Content-Disposition: form-data; name=...' header.")
        name = params[b"name"].decode("utf-8", errors="replace")
        raw_filename = params.get(b"filename")
        ctype_raw = self.headers.get(b"content-type")
        ctype = ctype_raw.decode("latin-1") if ctype_raw else None
        if raw_filename is None:
            self.part = _Part("field", name, None, ctype, None)
            return
        filename = raw_filename.decode("utf-8", errors="replace")
        if name == IMAGE_FIELD and filename.lower().endswith(".txt"):
            self.part = _Part("caption", name, filename, ctype, None)
            return
        self.n_files += 1
        if self.n_files > limits.max_files:
            raise TooManyParts(f"A request may carry at most {limits.max_files} files.")
        part = _Part("file", name, filename, ctype, self.tmp_dir / f"upload-{uuid.uuid4().hex}.part")
        self.part = part
        self.file_parts.append(part)
        self.pending.append(part)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.part
        if part is None or part.dropped:
            return
        part.size += end - start
        kind = part.kind
        if kind == "file":
            if part.size > self.limits.max_file_bytes:
                part.dropped = True
                part.buf = bytearray()
                self.result.rejected.append(
                    RejectedFile(
                        filename=part.display,
                        code="file_too_large",
                        detail=f"File is larger than the limit of {self.limits.max_file_bytes:,} bytes.",
                    )
                )
            else:
                part.buf += memoryview(data)[start:end]
        elif kind == "caption":
            if part.size > self.limits.max_caption_bytes:
                part.dropped = True
                part.buf = bytearray()
                self.result.rejected.append(
                    RejectedFile(
                        filename=part.display,
                        code="caption_too_large",
                        detail=f"Caption is larger than the limit of {self.limits.max_caption_bytes:,} bytes.",
                    )
                )
            else:
                part.buf += memoryview(data)[start:end]
        elif kind == "field":
            if part.size > self.limits.max_field_bytes:
                raise PayloadTooLarge(
                    f"Form field {part.name!r} is larger than {self.limits.max_field_bytes:,} bytes.",
                    code="field_too_large",
                )
            part.buf += memoryview(data)[start:end]

    def on_part_end(self) -> None:
        part = self.part
        self.part = None
        if part is None:
            return
        part.done = True
        if part.kind == "field":
            try:
                self.result.fields[part.name] = part.buf.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedMultipart(f"Form field {part.name!r} is not valid UTF-8.") from None
        elif part.kind == "caption" and not part.dropped:
            self._add_caption(part)

    def _add_caption(self, part: _Part) -> None:
        try:
            text = part.buf.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.result.rejected.append(
                RejectedFile(filename=part.display, code="invalid_caption", detail="Caption is not valid UTF-8.")
            )
            return
        text = unicodedata.normalize("NFC", text).strip()
        if "\x00" in text:
            self.result.rejected.append(
                RejectedFile(filename=part.display, code="invalid_caption", detail="Caption contains NUL characters.")
            )
            return
        stem = name_stem(part.display)
        if stem in self.result.captions:
            self.result.rejected.append(
                RejectedFile(
                    filename=part.display, code="duplicate_caption", detail=f"Another caption for {stem!r} came first."
                )
            )
            return
        self.result.captions[stem] = text

    # -- async side -------------------------------------------------------------------------------

    async def flush(self) -> None:
        """Write batched file data, close finished files, delete dropped ones (in worker threads)."""
        still_pending: list[_Part] = []
        for part in self.pending:
            if part.dropped:
                if part.fh is not None:
                    await asyncio.to_thread(_discard, part)
                continue  # the file was never created or has just been deleted
            if part.done and part.size == 0 and part.filename == "" and part.fh is None:
                continue  # an empty file input, as browsers send it: ignore (no temp file was created)
            if part.done:
                data, part.buf = part.buf, bytearray()
                await asyncio.to_thread(_write_batch, part, data, True)
                assert part.path is not None
                assert part.filename is not None
                incoming = IncomingFile(part.name, part.filename, part.display, part.ctype, part.path, part.size)
                self.result.files.append(incoming)
                if self.on_file is not None:
                    self.on_file(incoming)
                continue
            if len(part.buf) >= _WRITE_BATCH:
                data, part.buf = part.buf, bytearray()
                await asyncio.to_thread(_write_batch, part, data, False)
            still_pending.append(part)
        self.pending = still_pending

    def discard_all(self) -> None:
        """Synchronous on purpose: must also work while the task is being cancelled."""
        for part in self.file_parts:
            _discard(part)

"""Hand-built multipart/form-data bodies (including broken ones) for upload tests.

Import with ``from support.multipart import ...``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

BOUNDARY = "fotogen-test-boundary-7MA4YWxkTrZu0gW"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


@dataclass(frozen=True)
class Part:
    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None


def file_part(filename: str, data: bytes, content_type: str = "image/jpeg", name: str = "files") -> Part:
    return Part(name=name, data=data, filename=filename, content_type=content_type)


def caption_part(filename: str, text: str | bytes) -> Part:
    data = text.encode() if isinstance(text, str) else text
    return Part(name="files", data=data, filename=filename, content_type="text/plain")


def field_part(name: str, value: str | bytes) -> Part:
    return Part(name=name, data=value.encode() if isinstance(value, str) else value)


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "%0D").replace("\n", "%0A")


def part_head(part: Part, boundary: str = BOUNDARY) -> bytes:
    disposition = f'form-data; name="{_quote(part.name)}"'
    if part.filename is not None:
        disposition += f'; filename="{_quote(part.filename)}"'
    lines = [f"--{boundary}", f"Content-Disposition: {disposition}"]
    if part.content_type:
        lines.append(f"Content-Type: {part.content_type}")
    # Header values travel as raw UTF-8 bytes, as browsers send them.
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def encode(parts: Iterable[Part], boundary: str = BOUNDARY) -> bytes:
    out = bytearray()
    for part in parts:
        out += part_head(part, boundary) + part.data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


class CountingStream:
    """An async body that yields ``body`` in ``chunk_size`` pieces and counts what was pulled."""

    def __init__(self, body: bytes, chunk_size: int = 64 * 1024) -> None:
        self.body = body
        self.chunk_size = chunk_size
        self.pulled = 0
        self.chunks = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for offset in range(0, len(self.body), self.chunk_size):
            chunk = self.body[offset : offset + self.chunk_size]
            self.pulled += len(chunk)
            self.chunks += 1
            yield chunk

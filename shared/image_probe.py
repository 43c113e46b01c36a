"""Container probes: what a JPEG, PNG or WebP file declares, read from its bytes before anything decodes it.

Step 2 and 3 of :func:`shared.imaging.process_image` (see its module docstring for the whole pipeline): the
magic bytes, a header-only parse of the container that yields the declared size and frame count, and the
refusals that need no decoder — broken or truncated containers, animations and polyglots (files that are
also a ZIP, or carry HTML/script markup).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final


class ImageRejected(Exception):
    """One file refused. ``code`` is a stable snake_case identifier, ``detail`` a human message.

    Codes: ``unsupported_format``, ``corrupt_image``, ``image_too_large``, ``image_too_small``,
    ``file_too_large``, ``unsupported_image_mode``.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    def __reduce__(self) -> tuple[type[ImageRejected], tuple[str, str]]:  # raised in a pool process
        return (type(self), (self.code, self.detail))


# --------------------------------------------------------------------------------------------
# Sniffing and container probing
# --------------------------------------------------------------------------------------------

_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC: Final = b"\xff\xd8\xff"


# Markup that makes a file render/execute as a document when it is (mis)served as one.
_MARKUP: Final = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|meta|\?php|!doctype\s+html)[\s>/]", re.IGNORECASE
)
_PADDING: Final = b"\x00\r\n\t "


def sniff_format(head: bytes) -> str | None:
    """``"jpeg"``, ``"png"`` or ``"webp"`` from a file's first bytes (12 suffice), else ``None``."""
    if head.startswith(_JPEG_MAGIC):
        return "jpeg"
    if head.startswith(_PNG_MAGIC):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass(frozen=True)
class _Probe:
    width: int
    height: int
    lossless: bool = False


def corrupt(detail: str) -> ImageRejected:
    return ImageRejected("corrupt_image", detail)


def _polyglot(detail: str) -> ImageRejected:
    return ImageRejected("unsupported_format", f"File is also another format ({detail}).")


def _check_zip_trailer(data: bytes) -> None:
    """A ZIP end-of-central-directory record that a ZIP reader would find at the end of the file."""
    tail_start = max(0, len(data) - (22 + 0xFFFF))
    idx = data.rfind(b"PK\x05\x06", tail_start)
    while idx >= 0:
        comment_len = int.from_bytes(data[idx + 20 : idx + 22], "little")
        if idx + 22 <= len(data) and comment_len == len(data) - idx - 22:
            raise _polyglot("a ZIP archive is embedded")
        idx = data.rfind(b"PK\x05\x06", tail_start, idx)


def _check_markup(segment: bytes, where: str) -> None:
    if _MARKUP.search(segment):
        raise _polyglot(f"HTML/script markup in {where}")


_SOF_MARKERS: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _probe_jpeg(data: bytes) -> _Probe:
    n = len(data)
    pos = 2
    size: tuple[int, int] | None = None
    while True:
        if pos + 4 > n:
            raise corrupt("JPEG header is truncated.")
        if data[pos] != 0xFF:
            raise corrupt("JPEG marker structure is broken.")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # standalone markers
            pos += 2
            continue
        if marker == 0xD9:
            raise corrupt("JPEG ends before any image data.")
        seg_len = int.from_bytes(data[pos + 2 : pos + 4], "big")
        seg_end = pos + 2 + seg_len
        if seg_len < 2 or seg_end > n:
            raise corrupt("JPEG segment is truncated.")
        if marker in _SOF_MARKERS:
            if seg_len < 8:
                raise corrupt("JPEG frame header is truncated.")
            h = int.from_bytes(data[pos + 5 : pos + 7], "big")
            w = int.from_bytes(data[pos + 7 : pos + 9], "big")
            size = (w, h)
        elif marker == 0xFE or 0xE0 <= marker <= 0xEF:
            _check_markup(data[pos + 4 : seg_end], "a JPEG comment/application segment")
        elif marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        pos = seg_end
    if size is None:
        raise corrupt("JPEG has no frame header.")
    eoi = data.find(b"\xff\xd9", seg_end)
    if eoi < 0:
        raise corrupt("JPEG is truncated (no end-of-image marker).")
    trailer = data[eoi + 2 :]
    if trailer.strip(_PADDING):
        _check_markup(trailer, "data after the JPEG end-of-image marker")
    return _Probe(*size)


def _probe_png(data: bytes) -> _Probe:
    n = len(data)
    pos = 8
    size: tuple[int, int] | None = None
    first = True
    while True:
        if pos + 12 > n:
            raise corrupt("PNG is truncated (no IEND chunk).")
        length = int.from_bytes(data[pos : pos + 4], "big")
        ctype = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > n:
            raise corrupt("PNG chunk is truncated.")
        if first:
            if ctype != b"IHDR" or length < 13:
                raise corrupt("PNG does not start with an IHDR chunk.")
            size = (
                int.from_bytes(data[pos + 8 : pos + 12], "big"),
                int.from_bytes(data[pos + 12 : pos + 16], "big"),
            )
            first = False
        elif ctype == b"acTL":
            if length >= 4 and int.from_bytes(data[pos + 8 : pos + 12], "big") > 1:
                raise ImageRejected("unsupported_format", "Animated PNG (APNG) is not supported.")
        elif ctype in (b"tEXt", b"iTXt"):
            _check_markup(data[pos + 8 : end - 4], "a PNG text chunk")
        elif ctype == b"IEND":
            break
        pos = end
    if data[end:].strip(_PADDING):
        raise _polyglot("data after the PNG IEND chunk")
    assert size is not None
    return _Probe(*size)


def _probe_webp(data: bytes) -> _Probe:
    n = len(data)
    total = int.from_bytes(data[4:8], "little") + 8
    if total > n or total < 20:
        raise corrupt("WebP is truncated.")
    if data[total:].strip(_PADDING):
        raise _polyglot("data after the WebP RIFF payload")
    pos = 12
    size: tuple[int, int] | None = None
    lossless = False
    lossy = False
    while pos + 8 <= total:
        fourcc = data[pos : pos + 4]
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = pos + 8
        if body + length > total:
            raise corrupt("WebP chunk is truncated.")
        if fourcc == b"VP8X":
            if length < 10:
                raise corrupt("WebP VP8X chunk is truncated.")
            if data[body] & 0x02:
                raise ImageRejected("unsupported_format", "Animated WebP is not supported.")
            size = (
                1 + int.from_bytes(data[body + 4 : body + 7], "little"),
                1 + int.from_bytes(data[body + 7 : body + 10], "little"),
            )
        elif fourcc in (b"ANIM", b"ANMF"):
            raise ImageRejected("unsupported_format", "Animated WebP is not supported.")
        elif fourcc == b"VP8L":
            lossless = True
            if size is None:
                if length < 5 or data[body] != 0x2F:
                    raise corrupt("WebP lossless header is broken.")
                bits = int.from_bytes(data[body + 1 : body + 5], "little")
                size = ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        elif fourcc == b"VP8 ":
            lossy = True
            if size is None:
                if length < 10 or data[body + 3 : body + 6] != b"\x9d\x01\x2a":
                    raise corrupt("WebP lossy header is broken.")
                size = (
                    int.from_bytes(data[body + 6 : body + 8], "little") & 0x3FFF,
                    int.from_bytes(data[body + 8 : body + 10], "little") & 0x3FFF,
                )
        pos = body + length + (length & 1)
    if size is None or not (lossy or lossless):
        raise corrupt("WebP has no image data.")
    return _Probe(size[0], size[1], lossless=lossless and not lossy)


PROBES: Final = {"jpeg": _probe_jpeg, "png": _probe_png, "webp": _probe_webp}


def probe(fmt: str, data: bytes) -> _Probe:
    """The container's declared size and frames; refuses broken containers, animations and polyglots."""
    found = PROBES[fmt](data)
    _check_zip_trailer(data)
    return found


# --------------------------------------------------------------------------------------------
# Lossless JPEG metadata strip
# --------------------------------------------------------------------------------------------

# Segments a baseline/extended/progressive Huffman JPEG needs to decode: quantisation and Huffman tables, the
# restart interval, its one frame header. APPn (EXIF, XMP, ICC, JFIF, MPF, ...) and COM are dropped; anything else
# (arithmetic coding, lossless or hierarchical frames, DNL, an Adobe colour-transform segment) makes the caller
# re-encode from pixels instead.
_JPEG_TABLES: Final = frozenset({0xDB, 0xC4, 0xDD})
_JPEG_FRAMES: Final = frozenset({0xC0, 0xC1, 0xC2})
_ADOBE_APP14: Final = 0xEE
# In entropy-coded data 0xFF is followed by 0x00 (stuffing), a restart marker or another 0xFF (fill): the first
# 0xFF followed by anything else is the next marker.
_NEXT_MARKER: Final = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def strip_jpeg(data: bytes) -> bytes | None:
    """The JPEG's own compressed image with every APPn and COM segment and everything after its end-of-image
    marker left out (no pixel is decoded or re-encoded), or None when it holds anything this does not keep."""
    out = bytearray(b"\xff\xd8")
    n, pos, frames, scans = len(data), 2, 0, 0
    while True:
        if pos + 2 > n or data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:
            if frames != 1 or not scans:
                return None
            out += b"\xff\xd9"
            return bytes(out)
        if pos + 4 > n:
            return None
        seg_end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if seg_end > n or seg_end < pos + 4:
            return None
        if marker == _ADOBE_APP14:
            return None  # its transform flag changes how the components are read: re-encode from pixels
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            pos = seg_end  # metadata: left out
            continue
        if marker in _JPEG_FRAMES:
            frames += 1
        elif marker != 0xDA and marker not in _JPEG_TABLES:
            return None
        out += data[pos:seg_end]
        pos = seg_end
        if marker == 0xDA:
            scans += 1
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                return None
            out += data[pos : found.start()]
            pos = found.start()

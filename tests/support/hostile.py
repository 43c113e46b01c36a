"""A hostile-upload corpus for tests, built on demand in a temporary directory.

Import with ``from support.hostile import ...`` (``tests/`` is on ``pythonpath``).

Every builder takes a directory and returns the path it wrote. :func:`build_corpus` builds them all
and returns :class:`Case` records carrying the upload filename, the declared content type and the
``shared.imaging`` rejection code the file must get (``None``: the file must be accepted).
:data:`HOSTILE_FILENAMES` holds hostile upload names with their expected sanitised display names.
"""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "images"
ASTRONAUT = FIXTURES / "astronaut.png"
ASTRONAUT_EXIF = FIXTURES / "astronaut_exif_orientation6_gps.jpg"
CAMERA = FIXTURES / "camera.png"  # grayscale
CHELSEA = FIXTURES / "chelsea.png"
COFFEE = FIXTURES / "coffee.png"
ROCKET = FIXTURES / "rocket.jpg"
VALID_PHOTOS = (ASTRONAUT, ASTRONAUT_EXIF, CAMERA, CHELSEA, COFFEE, ROCKET)

DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024


# ---------------------------------------------------------------------------------------------
# Low-level helpers
# ---------------------------------------------------------------------------------------------


def png_chunk(ctype: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload)) + ctype + payload + struct.pack(">I", zlib.crc32(ctype + payload) & 0xFFFFFFFF)
    )


def png_ihdr(width: int, height: int, bit_depth: int = 8, color_type: int = 0) -> bytes:
    return png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_IEND = png_chunk(b"IEND", b"")


def _save(im: Image.Image, path: Path, fmt: str, **params: object) -> Path:
    im.save(path, fmt, **params)
    return path


def _insert_after_soi(jpeg: bytes, segment: bytes) -> bytes:
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + segment + jpeg[2:]


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


# ---------------------------------------------------------------------------------------------
# Rejected files
# ---------------------------------------------------------------------------------------------


def truncated_jpeg(d: Path) -> Path:
    data = ROCKET.read_bytes()
    return _write(d / "truncated.jpg", data[: len(data) * 6 // 10])


def truncated_png(d: Path) -> Path:
    data = COFFEE.read_bytes()
    return _write(d / "truncated.png", data[: len(data) // 2])


def jpeg_magic_garbage(d: Path) -> Path:
    """Right magic bytes, nothing decodable behind them."""
    return _write(d / "garbage.jpg", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40)


def png_bad_idat(d: Path) -> Path:
    """Well-formed chunk structure, but the IDAT is not a zlib stream."""
    data = PNG_SIGNATURE + png_ihdr(300, 300) + png_chunk(b"IDAT", b"not zlib at all" * 50) + PNG_IEND
    return _write(d / "bad_idat.png", data)


def text_as_jpg(d: Path) -> Path:
    return _write(d / "notes.jpg", b"Just some text pretending to be a photo.\n" * 20)


def svg_as_png(d: Path) -> Path:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="300" height="300"/></svg>'
    return _write(d / "vector.png", svg)


def gif_image(d: Path) -> Path:
    return _save(Image.open(COFFEE).convert("P"), d / "photo.gif", "GIF")


def empty_file(d: Path) -> Path:
    return _write(d / "empty.jpg", b"")


def png_zip_polyglot(d: Path) -> Path:
    """A valid PNG followed by a ZIP archive (opens as both)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("payload.html", "<script>alert(1)</script>")
    return _write(d / "polyglot_zip.png", COFFEE.read_bytes() + buf.getvalue())


def jpeg_zip_polyglot(d: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("run.sh", "echo pwned")
    return _write(d / "polyglot_zip.jpg", ROCKET.read_bytes() + buf.getvalue())


def html_jpeg_polyglot(d: Path) -> Path:
    """A decodable JPEG whose COM segment is an HTML document with a script."""
    html = b"<html><body><script>alert(document.domain)</script></body></html>"
    return _write(d / "polyglot_html.jpg", _insert_after_soi(ROCKET.read_bytes(), jpeg_segment(0xFE, html)))


def html_after_jpeg_eoi(d: Path) -> Path:
    html = b"\n<!DOCTYPE html><html><script>alert(1)</script></html>\n"
    return _write(d / "polyglot_html_tail.jpg", ROCKET.read_bytes() + html)


def png_html_text_chunk(d: Path) -> Path:
    data = COFFEE.read_bytes()
    chunk = png_chunk(b"tEXt", b"Comment\x00<script>alert(1)</script>")
    return _write(d / "polyglot_text.png", data[:33] + chunk + data[33:])


def png_trailing_junk(d: Path) -> Path:
    return _write(d / "trailing.png", COFFEE.read_bytes() + b"MZ\x90\x00 this is not image data" * 10)


def animated_png(d: Path) -> Path:
    a = Image.open(COFFEE).convert("RGB")
    b = a.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return _save(a, d / "animated.png", "PNG", save_all=True, append_images=[b], duration=100)


def animated_webp(d: Path) -> Path:
    a = Image.open(COFFEE).convert("RGB")
    b = a.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return _save(a, d / "animated.webp", "WEBP", save_all=True, append_images=[b], duration=100)


def png_bomb_header(d: Path) -> Path:
    """Tiny hand-made PNG declaring 100000 x 100000 pixels (10 GB as 8-bit gray)."""
    idat = zlib.compress(b"\x00" * (1 << 20), 9)
    data = PNG_SIGNATURE + png_ihdr(100_000, 100_000) + png_chunk(b"IDAT", idat) + PNG_IEND
    return _write(d / "bomb_header.png", data)


def png_bomb_real(d: Path, side: int = 10_000) -> Path:
    """A *complete* ~100 KB PNG that decodes to side x side gray pixels (100 MB at the default)."""
    comp = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    parts = [comp.compress(row) for _ in range(side)]
    parts.append(comp.flush())
    data = PNG_SIGNATURE + png_ihdr(side, side) + png_chunk(b"IDAT", b"".join(parts)) + PNG_IEND
    return _write(d / "bomb_real.png", data)


def jpeg_bomb_header(d: Path) -> Path:
    """rocket.jpg with its frame header patched to claim 60000 x 60000."""
    data = bytearray(ROCKET.read_bytes())
    pos = 2
    while True:
        marker = data[pos + 1]
        seg_len = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if 0xC0 <= marker <= 0xC2:
            data[pos + 5 : pos + 9] = struct.pack(">HH", 60_000, 60_000)
            break
        pos += 2 + seg_len
    return _write(d / "bomb_header.jpg", bytes(data))


def webp_bomb_header(d: Path) -> Path:
    """A VP8X canvas of 16000 x 16000 (256 MP) around a tiny lossless bitstream."""
    small = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(small, "WEBP", lossless=True)
    vp8l = small.getvalue()[12:]  # the VP8L chunk
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (15999).to_bytes(3, "little") * 2
    body = b"WEBP" + vp8x + vp8l
    return _write(d / "bomb_header.webp", b"RIFF" + struct.pack("<I", len(body)) + body)


def too_small(d: Path) -> Path:
    return _save(Image.open(COFFEE).resize((300, 200)), d / "small.png", "PNG")


def oversize_png(d: Path, limit: int = DEFAULT_MAX_FILE_BYTES) -> Path:
    """A valid PNG made larger than ``limit`` by a private ancillary chunk."""
    data = COFFEE.read_bytes()
    filler = png_chunk(b"prVt", b"\x00" * (limit + 1 - len(data)))
    return _write(d / "oversize.png", data[:33] + filler + data[33:])


# ---------------------------------------------------------------------------------------------
# Accepted but needing normalisation
# ---------------------------------------------------------------------------------------------


def cmyk_jpeg(d: Path) -> Path:
    return _save(Image.open(CHELSEA).convert("RGB").convert("CMYK"), d / "cmyk.jpg", "JPEG", quality=95)


def palette_png_transparent(d: Path) -> Path:
    """Palette PNG; index 0 is fully transparent and fills the top-left 100x100 block."""
    im = Image.open(COFFEE).convert("RGB").quantize(colors=64)
    palette = im.getpalette() or []
    palette[0:3] = [0, 0, 0]
    im.putpalette(palette)
    im.paste(0, (0, 0, 100, 100))
    return _save(im, d / "palette_transparent.png", "PNG", transparency=0)


def png_16bit_gray(d: Path) -> Path:
    src = Image.open(CAMERA).convert("L")
    im = src.convert("I").point(lambda v: v * 257)
    im16 = im.convert("I;16")
    return _save(im16, d / "gray16.png", "PNG")


def rgba_png(d: Path) -> Path:
    """Coffee with a fully transparent left half (must become white) and an opaque right half."""
    im = Image.open(COFFEE).convert("RGBA")
    alpha = Image.new("L", im.size, 255)
    alpha.paste(0, (0, 0, im.width // 2, im.height))
    im.putalpha(alpha)
    return _save(im, d / "rgba.png", "PNG")


def la_png(d: Path) -> Path:
    im = Image.open(CAMERA).convert("LA")
    alpha = Image.new("L", im.size, 255)
    alpha.paste(0, (0, 0, 100, 100))
    im.putalpha(alpha)
    return _save(im, d / "la.png", "PNG")


def webp_lossy_with_metadata(d: Path) -> Path:
    im = Image.open(COFFEE).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "HostileCam"  # Make
    exif[0x0112] = 1
    icc = Image.open(ROCKET).info["icc_profile"]
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    return _save(im, d / "meta.webp", "WEBP", quality=90, exif=exif.tobytes(), icc_profile=icc, xmp=xmp)


def webp_lossless(d: Path) -> Path:
    return _save(Image.open(CHELSEA).convert("RGB"), d / "lossless.webp", "WEBP", lossless=True)


def png_with_text_and_exif(d: Path) -> Path:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Secret Person")
    info.add_itxt("Description", "Taken at home", zip=True)
    exif = Image.Exif()
    exif[0x010F] = "HostileCam"
    return _save(Image.open(COFFEE), d / "text_exif.png", "PNG", pnginfo=info, exif=exif.tobytes())


def duplicate_of(d: Path, src: Path = ROCKET, name: str = "duplicate.jpg") -> Path:
    return Path(shutil.copyfile(src, d / name))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------
# Filenames
# ---------------------------------------------------------------------------------------------

LONG_NAME = "ä" * 200 + ".jpg"  # 404 bytes of UTF-8

# raw upload filename -> expected display name (shared.imaging.sanitize_filename)
HOSTILE_FILENAMES: dict[str, str] = {
    "../../etc/passwd.jpg": "passwd.jpg",
    "..\\..\\Windows\\System32\\evil.jpg": "evil.jpg",
    "/absolute/path/photo.png": "photo.png",
    "bad\x00na\x1bme\r\n.jpg": "badname .jpg",
    "photo\u202egpj.exe": "photogpj.exe",
    "\u2066invoice\u2069 \u200bfinal.jpg": "invoice final.jpg",
    "  many   \t spaces .jpg": "many spaces .jpg",
    ".htaccess": "htaccess",
    "...": "upload",
    "": "upload",
    "/": "upload",
    "e\u0301te\u0301.jpg": "\u00e9t\u00e9.jpg",
    LONG_NAME: "ä" * 125 + ".jpg",
}


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    path: Path
    filename: str  # the name to upload it under
    content_type: str  # the declared type (often a lie)
    code: str | None  # expected shared.imaging rejection code; None = accepted


_BUILDERS: list[tuple[str, Callable[[Path], Path], str, str, str | None]] = [
    ("truncated_jpeg", truncated_jpeg, "truncated.jpg", "image/jpeg", "corrupt_image"),
    ("truncated_png", truncated_png, "truncated.png", "image/png", "corrupt_image"),
    ("jpeg_magic_garbage", jpeg_magic_garbage, "garbage.jpg", "image/jpeg", "corrupt_image"),
    ("png_bad_idat", png_bad_idat, "bad_idat.png", "image/png", "corrupt_image"),
    ("text_as_jpg", text_as_jpg, "notes.jpg", "image/jpeg", "unsupported_format"),
    ("svg_as_png", svg_as_png, "vector.png", "image/png", "unsupported_format"),
    ("gif", gif_image, "photo.gif", "image/gif", "unsupported_format"),
    ("empty", empty_file, "empty.jpg", "image/jpeg", "unsupported_format"),
    ("png_zip_polyglot", png_zip_polyglot, "polyglot.png", "image/png", "unsupported_format"),
    ("jpeg_zip_polyglot", jpeg_zip_polyglot, "polyglot.jpg", "image/jpeg", "unsupported_format"),
    ("html_jpeg_polyglot", html_jpeg_polyglot, "polyglot.jpg", "image/jpeg", "unsupported_format"),
    ("html_after_jpeg_eoi", html_after_jpeg_eoi, "tail.jpg", "image/jpeg", "unsupported_format"),
    ("png_html_text_chunk", png_html_text_chunk, "text.png", "image/png", "unsupported_format"),
    ("png_trailing_junk", png_trailing_junk, "trailing.png", "image/png", "unsupported_format"),
    ("animated_png", animated_png, "animated.png", "image/png", "unsupported_format"),
    ("animated_webp", animated_webp, "animated.webp", "image/webp", "unsupported_format"),
    ("png_bomb_header", png_bomb_header, "bomb.png", "image/png", "image_too_large"),
    ("png_bomb_real", png_bomb_real, "bomb2.png", "image/png", "image_too_large"),
    ("jpeg_bomb_header", jpeg_bomb_header, "bomb.jpg", "image/jpeg", "image_too_large"),
    ("webp_bomb_header", webp_bomb_header, "bomb.webp", "image/webp", "image_too_large"),
    ("too_small", too_small, "small.png", "image/png", "image_too_small"),
    ("oversize_png", oversize_png, "oversize.png", "image/png", "file_too_large"),
    ("cmyk_jpeg", cmyk_jpeg, "cmyk.jpg", "image/jpeg", None),
    ("palette_png_transparent", palette_png_transparent, "palette.png", "image/png", None),
    ("png_16bit_gray", png_16bit_gray, "gray16.png", "image/png", None),
    ("rgba_png", rgba_png, "rgba.png", "image/png", None),
    ("la_png", la_png, "la.png", "image/png", None),
    ("webp_lossy_with_metadata", webp_lossy_with_metadata, "meta.webp", "image/webp", None),
    ("webp_lossless", webp_lossless, "lossless.webp", "image/webp", None),
    ("png_with_text_and_exif", png_with_text_and_exif, "text_exif.png", "image/png", None),
    ("duplicate", duplicate_of, "duplicate.jpg", "image/jpeg", None),
]

CASE_IDS = [b[0] for b in _BUILDERS]
REJECTED_IDS = [b[0] for b in _BUILDERS if b[4] is not None]
ACCEPTED_IDS = [b[0] for b in _BUILDERS if b[4] is None]


def build_case(case_id: str, d: Path) -> Case:
    for cid, builder, filename, ctype, code in _BUILDERS:
        if cid == case_id:
            d.mkdir(parents=True, exist_ok=True)
            return Case(cid, builder(d), filename, ctype, code)
    raise KeyError(case_id)


def build_corpus(d: Path) -> list[Case]:
    return [build_case(cid, d) for cid in CASE_IDS]

"""Image validation and normalisation for uploaded photos (the per-file step of ``shared.uploads``).

Everything here is pure, synchronous and CPU-bound: callers run it in a worker thread
(``anyio.to_thread.run_sync`` / ``asyncio.to_thread``). Nothing touches global Pillow state.

Pipeline of :func:`process_image` (cheapest checks first, nothing is decoded before the header
checks pass):

1. ``file_too_large`` — ``stat`` size above ``ImageLimits.max_file_bytes``.
2. ``unsupported_format`` — the magic bytes are not JPEG, PNG or WebP (the filename and the declared
   content type are never consulted).
3. Container probe (our own parser, headers only): reads the declared dimensions and refuses

   * ``corrupt_image`` for a broken/truncated container (JPEG without SOF or EOI, PNG without IEND,
     RIFF size beyond the end of the file, chunk lengths past the end, ...);
   * ``unsupported_format`` for **animations** (APNG with more than one frame, animated WebP) — a
     training image must be one still picture, and "which frame?" has no good answer;
   * ``unsupported_format`` for **polyglots**, i.e. files that are also something else: a ZIP end of
     central directory record at the end of the file (PNG/ZIP, JPEG/ZIP, ... polyglots), any
     non-padding bytes after a PNG's IEND or a WebP's RIFF payload, and HTML/script/PHP markup in a
     JPEG's COM/APPn segments, in a PNG's uncompressed text chunks, or after a JPEG's EOI. Other bytes
     after a JPEG EOI are allowed because phones legitimately append data there (MPF secondary
     images, motion-photo videos). Whatever passes, the stored copy is re-encoded from decoded pixels,
     so no embedded payload can survive anyway.

4. ``image_too_large`` / ``image_too_small`` — declared width x height above ``max_pixels`` /
   smaller side below ``min_side``. This happens **before** Pillow decodes anything, so
   decompression bombs never allocate their pixel buffer. Pillow's own ``MAX_IMAGE_PIXELS`` guard
   is left untouched (no global state is changed); if it fires anyway (a ``max_pixels`` configured
   above Pillow's limit) it is reported as ``image_too_large`` too.
5. ``Image.open`` (Pillow's detected format must agree with the sniffed one — MPO counts as JPEG),
   the dimensions are checked again, then one full ``load()``. Any decoder error is
   ``corrupt_image``. Truncation is caught by the container probe regardless of
   ``ImageFile.LOAD_TRUNCATED_IMAGES`` (which we never modify; its default ``False`` makes Pillow
   fail on truncated data too).

Mode decisions (the stored image is always 8-bit ``RGB`` or ``L``):

* ``RGB`` stays RGB. An embedded ICC profile that is not sRGB (Adobe RGB, Display P3, ...) is
  converted to sRGB with LittleCMS before the profile is dropped, so colours do not shift.
* ``CMYK`` (JPEG) → RGB through its ICC profile when it has one (fallback: plain conversion).
* ``L`` (grayscale) **stays L** for JPEG and PNG: it is what the photo is, smaller and faster.
  (WebP cannot store grayscale; libwebp stores it as RGB.) ``1`` (bilevel) becomes ``L``.
* ``I;16``/``I`` (16/32-bit grayscale) are scaled to 8-bit ``L`` (value / 257).
* Transparency (``RGBA``, ``LA``, ``PA``, ``P`` with a transparent palette entry/``tRNS``) is
  **flattened onto white**: RGB for colour, L for grayscale. Trainers want opaque images, and white
  is what a viewer shows for a transparent photo background. Fully opaque alpha is simply dropped.
* ``P`` (palette) without transparency → RGB.
* Anything else (e.g. ``F``) → ``unsupported_image_mode``.

**Lossless path (JPEG).** A JPEG whose pixels need no change — 8-bit YCbCr with JFIF component ids or
grayscale, EXIF orientation absent or 1, no Adobe colour-transform segment, no colour profile but sRGB — is
stored as its own compressed data with every APPn/COM segment and everything after its end-of-image marker
left out (:func:`shared.image_probe.strip_jpeg`: SOI, tables, the one Huffman frame header, the scans, EOI; any
other marker sends the file down the re-encoding path). Every scan is still decoded (at 1/8 scale: all the
entropy-coded data is read, so a corrupt stream fails as in a full decode) after the same sniffing, container
probe and limits. No re-encoding loss, and about a fifth of the CPU; the bytes kept are the entropy-coded image
data the decoder just read, framed by our own markers — no segment that could carry a payload survives.

Otherwise EXIF orientation is applied (the stored image is upright), then the image is re-encoded in its own
format with **no metadata at all** (``Image.info`` is cleared, so no EXIF, GPS, XMP, ICC, comments or
PNG text chunks can be carried over): JPEG quality 92 (4:2:0), PNG ``compress_level=1``, WebP quality
95 (``method=2``) or lossless WebP when the source was lossless (VP8L).
"""

from __future__ import annotations

import hashlib
import io
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PIL import Image, ImageCms

from shared.image_probe import ImageRejected, corrupt, sniff_format, strip_jpeg
from shared.image_probe import probe as probe_container

__all__ = [
    "ImageLimits",
    "ImageRejected",
    "ProcessedImage",
    "make_thumbnail",
    "process_image",
    "process_with_thumbnail",
    "sanitize_filename",
    "sniff_format",
]


@dataclass(frozen=True)
class ImageLimits:
    max_pixels: int = 40_000_000
    min_side: int = 256
    max_file_bytes: int = 20 * 1024 * 1024


@dataclass(frozen=True)
class ProcessedImage:
    content_type: str
    ext: str
    width: int
    height: int
    size_bytes: int
    sha256: str


_CONTENT_TYPES: Final = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
_EXTS: Final = {"jpeg": "jpg", "png": "png", "webp": "webp"}
_PILLOW_FORMATS: Final = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp"}


def _check_dimensions(width: int, height: int, limits: ImageLimits) -> None:
    if width <= 0 or height <= 0:
        raise corrupt("Image declares an empty size.")
    if width * height > limits.max_pixels:
        raise ImageRejected(
            "image_too_large",
            f"Image is {width}x{height} ({width * height:,} pixels); the limit is {limits.max_pixels:,} pixels.",
        )
    if min(width, height) < limits.min_side:
        raise ImageRejected(
            "image_too_small",
            f"Image is {width}x{height}; both sides must be at least {limits.min_side} px.",
        )


# --------------------------------------------------------------------------------------------
# Decoding and normalisation
# --------------------------------------------------------------------------------------------

_ORIENTATION: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION_TAG: Final = 0x0112


def _srgb_profile() -> ImageCms.ImageCmsProfile:
    # Built per call (~50 µs): LittleCMS handles are not shared between threads.
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _icc_to_srgb(im: Image.Image, icc: bytes, out_mode: str) -> Image.Image | None:
    """Convert ``im`` (RGB or CMYK) from its embedded profile to sRGB; ``None`` when not needed/possible."""
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if im.mode == "RGB" and "srgb" in ImageCms.getProfileDescription(src).lower():
            return None
        transform = ImageCms.buildTransform(src, _srgb_profile(), im.mode, out_mode)
        return ImageCms.applyTransform(im, transform)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None


def _flatten(im: Image.Image) -> Image.Image:
    """Alpha image (RGBA or LA) → opaque RGB/L composited onto white."""
    alpha = im.getchannel("A")
    base_mode = "RGB" if im.mode == "RGBA" else "L"
    lo, _hi = alpha.getextrema()
    if isinstance(lo, int) and lo == 255:
        return im.convert(base_mode)
    background = Image.new(base_mode, im.size, 255 if base_mode == "L" else (255, 255, 255))
    background.paste(im.convert(base_mode), mask=alpha)
    return background


def _normalise_mode(im: Image.Image) -> Image.Image:
    mode = im.mode
    icc = im.info.get("icc_profile")
    if mode == "RGB":
        if icc:
            return _icc_to_srgb(im, icc, "RGB") or im
        return im
    if mode == "L":
        return im
    if mode == "CMYK":
        if icc:
            converted = _icc_to_srgb(im, icc, "RGB")
            if converted is not None:
                return converted
        return im.convert("RGB")
    if mode == "1":
        return im.convert("L")
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        scaled = im if mode == "I" else im.convert("I")
        return scaled.point(lambda v: v * (1 / 257)).convert("L")
    if mode in ("RGBA", "LA"):
        return _flatten(im)
    if mode in ("RGBa", "La"):
        return _flatten(im.convert("RGBA" if mode == "RGBa" else "LA"))
    if mode in ("P", "PA"):
        if mode == "PA" or im.has_transparency_data:
            return _flatten(im.convert("RGBA"))
        return im.convert("RGB")
    raise ImageRejected("unsupported_image_mode", f"Images in {mode!r} mode are not supported.")


def _open(data: bytes, fmt: str, limits: ImageLimits) -> Image.Image:
    """Open (headers only) and check what Pillow sees against what was sniffed and probed."""
    try:
        im = Image.open(io.BytesIO(data), formats=("JPEG", "PNG", "WEBP"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("image_too_large", f"Image exceeds the decoder's pixel limit: {exc}") from None
    except Exception as exc:
        raise corrupt(f"Image cannot be read: {exc}") from None
    if _PILLOW_FORMATS.get(im.format or "") != fmt:
        raise ImageRejected("unsupported_format", f"File is not a {fmt.upper()} image.")
    if getattr(im, "is_animated", False) and im.format != "MPO":
        raise ImageRejected("unsupported_format", "Animated images are not supported.")
    _check_dimensions(im.size[0], im.size[1], limits)
    return im


def _load(im: Image.Image) -> None:
    try:
        im.load()
    except Exception as exc:
        raise corrupt(f"Image cannot be fully decoded: {exc}") from None


def _already_normal(im: Image.Image) -> bool:
    """A JPEG whose pixels need no change: 8-bit RGB (YCbCr, JFIF component ids) or grayscale, upright, with no
    colour profile other than sRGB. Only its metadata has to go, which needs no re-encoding."""
    if im.mode == "RGB":
        ids = [layer[0] if isinstance(layer[0], int) else ord(layer[0]) for layer in getattr(im, "layer", [])]
        if ids != [1, 2, 3]:  # JFIF's: YCbCr (other ids can mean RGB or something else: re-encode those)
            return False
    elif im.mode != "L":
        return False
    if im.info.get("adobe") is not None:
        return False
    icc = im.info.get("icc_profile")
    if icc:
        try:
            description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            return False
        if im.mode != "RGB" or "srgb" not in description.lower():
            return False
    try:
        orientation = im.getexif().get(_EXIF_ORIENTATION_TAG)
    except Exception:
        return False
    return orientation in (None, 1)


def _verify_entropy_data(im: Image.Image) -> None:
    """Decode every scan at 1/8 scale: libjpeg reads all the entropy-coded data (so a corrupt or truncated stream
    fails as it would in a full decode) but skips most of the inverse DCT, upsampling and colour conversion."""
    im.draft(im.mode, (max(1, im.size[0] // 8), max(1, im.size[1] // 8)))
    _load(im)


def _encode(im: Image.Image, fmt: str, lossless_source: bool) -> bytes:
    im.info = {}  # nothing from the source (EXIF, XMP, ICC, comment, text chunks) may be re-emitted
    buf = io.BytesIO()
    if fmt == "jpeg":
        im.save(buf, "JPEG", quality=92, subsampling="4:2:0", optimize=False)
    elif fmt == "png":
        im.save(buf, "PNG", compress_level=1)
    elif lossless_source:
        im.save(buf, "WEBP", lossless=True, quality=0, method=0)
    else:
        im.save(buf, "WEBP", quality=95, method=2)
    return buf.getvalue()


def process_image(src: Path | bytes, dst: Path, limits: ImageLimits) -> ProcessedImage:
    return _process(src, dst, limits, None)


def process_with_thumbnail(
    src: bytes, dst: Path, limits: ImageLimits, thumb: Path, max_side: int = 256
) -> ProcessedImage:
    """:func:`process_image` and :func:`make_thumbnail` of one image with one decode (a provider's output: both
    are made from it). A JPEG whose pixels need no change is decoded once at the thumbnail's scale, which reads
    (and so checks) every scan as the 1/8 validation decode does; any other image is decoded once and both the copy
    and the thumbnail are made from the upright pixels."""
    return _process(src, dst, limits, (thumb, max_side))


def _save_thumbnail(im: Image.Image, dst: Path, max_side: int) -> None:
    """``im`` (upright; a JPEG still undecoded or decoded pixels) shrunk to ``max_side`` and written as WebP."""
    # Shrink on load, as libvips' thumbnailer does: a JPEG is decoded straight at the scale closest above the
    # target (libjpeg's scaled inverse DCT), anything else box-reduced by the integer factor, then Lanczos for
    # the rest. A third of the time of a Lanczos from full size; at 256 px the difference is not visible.
    scale = max_side / max(im.size)
    if scale < 1:
        # Pillow's thumbnail asks the decoder for the whole box (max_side x max_side): a 4:3 JPEG would be decoded
        # at twice the scale it needs. Asked for the thumbnail's own size (rounded up: never below it), a 1024x768
        # output decodes at 1/4 straight to 256x192 — the same pixels within a level, a millisecond less.
        im.draft(None, (math.ceil(im.width * scale), math.ceil(im.height * scale)))
    im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=1.0)
    thumb = im if im.mode in ("RGB", "RGBA") else im.convert("RGBA" if im.has_transparency_data else "RGB")
    thumb.info = {}
    # WebP's fastest method: for a 256 px thumbnail ~1 KB larger than method 2 (~5 against ~4 KB), 1.2 ms sooner
    # (a third of its encoding), on the path that ends with the job's succeeded event.
    thumb.save(dst, "WEBP", quality=80, method=0)


def _process(src: Path | bytes, dst: Path, limits: ImageLimits, thumbnail: tuple[Path, int] | None) -> ProcessedImage:
    """Validate ``src`` (a file, or its bytes already in memory) and write its upright, metadata-free
    re-encoding to ``dst``.

    Raises :class:`ImageRejected`. ``size_bytes``/``sha256`` describe ``dst``; ``width``/``height``
    the stored (upright) image.
    """
    size = len(src) if isinstance(src, bytes) else src.stat().st_size
    if size > limits.max_file_bytes:
        raise ImageRejected("file_too_large", f"File is {size:,} bytes; the limit is {limits.max_file_bytes:,} bytes.")
    data = src if isinstance(src, bytes) else src.read_bytes()
    if len(data) > limits.max_file_bytes:  # grew between stat and read
        raise ImageRejected("file_too_large", f"File is larger than {limits.max_file_bytes:,} bytes.")
    fmt = sniff_format(data[:16])
    if fmt is None:
        raise ImageRejected(
            "unsupported_format",
            "File is empty." if not data else "File is not a JPEG, PNG or WebP image.",
        )
    probe = probe_container(fmt, data)
    _check_dimensions(probe.width, probe.height, limits)

    im = _open(data, fmt, limits)
    stripped = strip_jpeg(data) if fmt == "jpeg" and _already_normal(im) else None
    if stripped is not None:
        # Lossless: the photo's own compressed data, every metadata segment left out, checked by decoding it
        # (at 1/8 scale, or at the thumbnail's, which reads every scan all the same).
        if thumbnail is None:
            _verify_entropy_data(im)
        else:
            try:
                _save_thumbnail(im, *thumbnail)
            except (OSError, SyntaxError, ValueError) as exc:
                raise corrupt(f"Image cannot be fully decoded: {exc}") from None
        return _written(dst, fmt, stripped, probe.width, probe.height)
    del data
    _load(im)
    orientation = im.getexif().get(_EXIF_ORIENTATION_TAG)
    out = _normalise_mode(im)
    method = _ORIENTATION.get(orientation) if isinstance(orientation, int) else None
    if method is not None:
        out = out.transpose(method)
    processed = _written(dst, fmt, _encode(out, fmt, probe.lossless), out.width, out.height)
    if thumbnail is not None:
        _save_thumbnail(out.copy(), *thumbnail)
    return processed


def _written(dst: Path, fmt: str, encoded: bytes, width: int, height: int) -> ProcessedImage:
    dst.write_bytes(encoded)
    return ProcessedImage(
        content_type=_CONTENT_TYPES[fmt],
        ext=_EXTS[fmt],
        width=width,
        height=height,
        size_bytes=len(encoded),
        sha256=hashlib.sha256(encoded).hexdigest(),
    )


def make_thumbnail(src: Path | bytes, dst: Path, max_side: int = 256) -> tuple[int, int]:
    """Write a WebP thumbnail (longest side ``max_side``, upright, no metadata) of ``src`` (a file or its
    bytes); return its size.

    Meant for our own generation outputs; still guarded by the default pixel limit.
    """
    with Image.open(io.BytesIO(src) if isinstance(src, bytes) else src, formats=("JPEG", "PNG", "WEBP")) as im:
        if im.width * im.height > ImageLimits().max_pixels:
            raise ImageRejected("image_too_large", "Image is too large for a thumbnail.")
        orientation = im.getexif().get(_EXIF_ORIENTATION_TAG)
        method = _ORIENTATION.get(orientation) if isinstance(orientation, int) else None
        if method is None:
            _save_thumbnail(im, dst, max_side)
            return im.size
        im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=1.0)
        upright = im.transpose(method)
        _save_thumbnail(upright, dst, max_side)
        return upright.size


# --------------------------------------------------------------------------------------------
# Filenames (display only — never a storage key)
# --------------------------------------------------------------------------------------------

_MAX_NAME_BYTES: Final = 255
_MAX_EXT_CHARS: Final = 16
_DROP_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs"})
_SPACE_CATEGORIES: Final = frozenset({"Zs", "Zl", "Zp"})


def sanitize_filename(name: str | None) -> str:
    """A safe display name: last path component (``/`` or ``\\``), NFC, no control/format/bidi
    characters, whitespace collapsed, no leading dots, at most 255 UTF-8 bytes (extension kept).

    Falls back to ``"upload"``.
    """
    if not name:
        return "upload"
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    chars: list[str] = []
    for ch in name:
        cat = unicodedata.category(ch)
        if ch.isspace() or cat in _SPACE_CATEGORIES:
            chars.append(" ")
        elif cat not in _DROP_CATEGORIES:
            chars.append(ch)
    cleaned = " ".join("".join(chars).split())
    cleaned = cleaned.lstrip(". ").rstrip(" ")
    if not cleaned:
        return "upload"
    if len(cleaned.encode("utf-8")) > _MAX_NAME_BYTES:
        stem, dot, ext = cleaned.rpartition(".")
        if not dot or not stem or len(ext) > _MAX_EXT_CHARS:
            stem, ext = cleaned, ""
        suffix = f".{ext}" if ext else ""
        budget = _MAX_NAME_BYTES - len(suffix.encode("utf-8"))
        stem = stem.encode("utf-8")[:budget].decode("utf-8", errors="ignore").rstrip(" .")
        cleaned = (stem or "upload") + suffix
    return cleaned

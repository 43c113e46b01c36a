from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from support import hostile

from shared.imaging import (
    ImageLimits,
    ImageRejected,
    ProcessedImage,
    make_thumbnail,
    process_image,
    process_with_thumbnail,
    sanitize_filename,
    sniff_format,
)

LIMITS = ImageLimits()
REPO_ROOT = Path(__file__).resolve().parents[2]
METADATA_MARKERS = (b"Exif", b"GPS", b"xmpmeta", b"ICC_PROFILE", b"iCCP", b"tEXt", b"iTXt", b"zTXt", b"eXIf")


def assert_no_metadata(path: Path) -> None:
    with Image.open(path) as im:
        assert len(im.getexif()) == 0
        for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "Author", "Description"):
            assert key not in im.info, (key, im.info.keys())
    raw = path.read_bytes()
    for marker in METADATA_MARKERS:
        assert marker not in raw, marker
    if raw.startswith(b"\xff\xd8"):
        assert b"\xff\xfe" not in raw.split(b"\xff\xda", 1)[0]  # no COM segment before the scan


def _process(src: Path, tmp_path: Path, limits: ImageLimits = LIMITS) -> tuple[Path, ProcessedImage]:
    dst = tmp_path / f"out-{src.name}"
    return dst, process_image(src, dst, limits)


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case_id", hostile.REJECTED_IDS)
def test_hostile_files_rejected_with_precise_code(case_id: str, tmp_path: Path) -> None:
    case = hostile.build_case(case_id, tmp_path / "in")
    dst = tmp_path / "out"
    with pytest.raises(ImageRejected) as info:
        process_image(case.path, dst, LIMITS)
    assert info.value.code == case.code, info.value.detail
    assert info.value.detail
    assert not dst.exists()


@pytest.mark.parametrize("case_id", hostile.REJECTED_IDS)
def test_hostile_files_rejected_alike_when_the_thumbnail_is_made_with_the_copy(case_id: str, tmp_path: Path) -> None:
    """The one-decode path for a provider's output (copy + thumbnail) refuses what process_image refuses."""
    case = hostile.build_case(case_id, tmp_path / "in")
    with pytest.raises(ImageRejected) as info:
        process_with_thumbnail(case.path.read_bytes(), tmp_path / "out", LIMITS, tmp_path / "t.webp")
    assert info.value.code == case.code, info.value.detail
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("src", hostile.VALID_PHOTOS, ids=lambda p: p.name)
def test_copy_and_thumbnail_with_one_decode_match_the_two_steps(src: Path, tmp_path: Path) -> None:
    """Same stored bytes as process_image; the thumbnail is of the stored copy (upright, sRGB: a photo with another
    profile is converted first), within a few levels of a Lanczos of it, and the same size as make_thumbnail's."""
    import numpy as np

    one = process_with_thumbnail(src.read_bytes(), tmp_path / "one", LIMITS, tmp_path / "one.webp")
    two = process_image(src, tmp_path / "two", LIMITS)
    assert one == two and (tmp_path / "one").read_bytes() == (tmp_path / "two").read_bytes()
    size = make_thumbnail(src, tmp_path / "two.webp")
    with Image.open(tmp_path / "one.webp") as thumb, Image.open(tmp_path / "one") as stored:
        assert thumb.format == "WEBP" and thumb.size == size and max(thumb.size) == 256
        reference = stored.convert("RGB").resize(thumb.size, Image.Resampling.LANCZOS)
        reference.save(tmp_path / "ref.webp", "WEBP", quality=80, method=0)  # the same codec noise on both sides
        ours = np.asarray(thumb.convert("RGB"), dtype=np.int16)
    with Image.open(tmp_path / "ref.webp") as ref:
        diff = np.abs(ours - np.asarray(ref.convert("RGB"), dtype=np.int16))
    assert diff.mean() < 4.0, diff.mean()  # up to ~3.3; make_thumbnail's is ~7 for the Adobe RGB JPEG (profile ignored)
    assert_no_metadata(tmp_path / "one.webp")


@pytest.mark.parametrize("src", hostile.VALID_PHOTOS, ids=lambda p: p.name)
def test_valid_photos_are_stored_without_metadata(src: Path, tmp_path: Path) -> None:
    dst, result = _process(src, tmp_path)
    data = dst.read_bytes()
    assert result.size_bytes == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    with Image.open(src) as original, Image.open(dst) as stored:
        assert stored.format == original.format
        assert (result.width, result.height) == stored.size
        if src != hostile.ASTRONAUT_EXIF:
            assert stored.size == original.size
    assert_no_metadata(dst)
    expected = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}[Image.open(src).format or ""]
    assert (result.content_type, result.ext) == expected


def test_exif_orientation_applied_and_gps_stripped(tmp_path: Path) -> None:
    src = hostile.ASTRONAUT_EXIF
    with Image.open(src) as im:
        assert im.size == (384, 512)
        assert im.getexif()[0x0112] == 6
    dst, result = _process(src, tmp_path)
    assert (result.width, result.height) == (512, 384)
    with Image.open(dst) as stored:
        assert stored.size == (512, 384)
        upright = stored.convert("RGB")
    assert_no_metadata(dst)
    # It really is the upright astronaut: the fixture is the top 512x384 of astronaut.png.
    with Image.open(hostile.ASTRONAUT) as ref:
        reference = ref.convert("RGB").crop((0, 0, 512, 384))
    assert _mean_abs_diff(upright, reference) < 6
    assert _mean_abs_diff(upright.transpose(Image.Transpose.ROTATE_180), reference) > 30


def _mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    from PIL import ImageChops

    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def test_cmyk_jpeg_becomes_rgb_with_similar_colours(tmp_path: Path) -> None:
    src = hostile.cmyk_jpeg(tmp_path)
    dst, result = _process(src, tmp_path)
    with Image.open(dst) as stored, Image.open(hostile.CHELSEA) as ref:
        assert stored.mode == "RGB"
        assert stored.size == ref.size
        assert _mean_abs_diff(stored, ref.convert("RGB")) < 12
    assert result.content_type == "image/jpeg"
    assert_no_metadata(dst)


def test_palette_png_transparency_flattened_to_white(tmp_path: Path) -> None:
    dst, _ = _process(hostile.palette_png_transparent(tmp_path), tmp_path)
    with Image.open(dst) as stored:
        assert stored.mode == "RGB"
        assert stored.getpixel((10, 10)) == (255, 255, 255)
        assert stored.getpixel((300, 300)) != (255, 255, 255)
    assert_no_metadata(dst)


def test_rgba_png_flattened_to_white(tmp_path: Path) -> None:
    dst, _ = _process(hostile.rgba_png(tmp_path), tmp_path)
    with Image.open(dst) as stored, Image.open(hostile.COFFEE) as ref:
        assert stored.mode == "RGB"
        assert stored.getpixel((5, 5)) == (255, 255, 255)
        assert stored.getpixel((500, 300)) == ref.convert("RGB").getpixel((500, 300))


def test_la_png_flattened_to_white_grayscale(tmp_path: Path) -> None:
    dst, _ = _process(hostile.la_png(tmp_path), tmp_path)
    with Image.open(dst) as stored, Image.open(hostile.CAMERA) as ref:
        assert stored.mode == "L"
        assert stored.getpixel((5, 5)) == 255
        assert stored.getpixel((300, 300)) == ref.getpixel((300, 300))


def test_16bit_png_scaled_to_8bit(tmp_path: Path) -> None:
    src = hostile.png_16bit_gray(tmp_path)
    with Image.open(src) as im:
        assert im.mode.startswith("I")
    dst, _ = _process(src, tmp_path)
    with Image.open(dst) as stored, Image.open(hostile.CAMERA) as ref:
        assert stored.mode == "L"
        assert _mean_abs_diff(stored.convert("RGB"), ref.convert("RGB")) < 1


def test_grayscale_stays_grayscale(tmp_path: Path) -> None:
    dst, _ = _process(hostile.CAMERA, tmp_path)
    with Image.open(dst) as stored, Image.open(hostile.CAMERA) as ref:
        assert stored.mode == "L"
        assert stored.tobytes() == ref.tobytes()  # PNG stays lossless


def test_png_text_and_exif_chunks_stripped(tmp_path: Path) -> None:
    dst, _ = _process(hostile.png_with_text_and_exif(tmp_path), tmp_path)
    assert_no_metadata(dst)


def test_webp_lossy_metadata_stripped(tmp_path: Path) -> None:
    dst, result = _process(hostile.webp_lossy_with_metadata(tmp_path), tmp_path)
    assert (result.content_type, result.ext) == ("image/webp", "webp")
    raw = dst.read_bytes()
    for chunk in (b"EXIF", b"ICCP", b"XMP ", b"HostileCam"):
        assert chunk not in raw
    assert b"VP8 " in raw
    assert_no_metadata(dst)


def test_webp_lossless_stays_lossless(tmp_path: Path) -> None:
    dst, _ = _process(hostile.webp_lossless(tmp_path), tmp_path)
    raw = dst.read_bytes()
    assert b"VP8L" in raw
    with Image.open(dst) as stored, Image.open(hostile.CHELSEA) as ref:
        assert stored.convert("RGB").tobytes() == ref.convert("RGB").tobytes()


def test_duplicates_have_identical_sha256(tmp_path: Path) -> None:
    dup = hostile.duplicate_of(tmp_path)
    a = process_image(hostile.ROCKET, tmp_path / "a.jpg", LIMITS)
    b = process_image(dup, tmp_path / "b.jpg", LIMITS)
    assert a.sha256 == b.sha256


def test_adobe_rgb_profile_converted_to_srgb(tmp_path: Path) -> None:
    # rocket.jpg carries an Adobe RGB (1998) profile: dropping it without converting would shift colours.
    from PIL import ImageCms

    dst, _ = _process(hostile.ROCKET, tmp_path)
    with Image.open(hostile.ROCKET) as src:
        srgb = ImageCms.profileToProfile(
            src,
            ImageCms.ImageCmsProfile(io.BytesIO(src.info["icc_profile"])),
            ImageCms.createProfile("sRGB"),
            outputMode="RGB",
        )
        assert srgb is not None
        naive = src.convert("RGB")
    with Image.open(dst) as stored:
        assert _mean_abs_diff(stored.convert("RGB"), srgb) < _mean_abs_diff(stored.convert("RGB"), naive)


def test_limits_are_configurable(tmp_path: Path) -> None:
    with pytest.raises(ImageRejected) as info:
        process_image(hostile.ROCKET, tmp_path / "o", ImageLimits(max_file_bytes=1000))
    assert info.value.code == "file_too_large"
    with pytest.raises(ImageRejected) as info:
        process_image(hostile.ROCKET, tmp_path / "o", ImageLimits(min_side=500))
    assert info.value.code == "image_too_small"
    with pytest.raises(ImageRejected) as info:
        process_image(hostile.ROCKET, tmp_path / "o", ImageLimits(max_pixels=640 * 427 - 1))
    assert info.value.code == "image_too_large"
    process_image(hostile.ROCKET, tmp_path / "o", ImageLimits(max_pixels=640 * 427))


def test_bomb_refused_quickly(tmp_path: Path) -> None:
    for builder in (hostile.png_bomb_header, hostile.png_bomb_real, hostile.jpeg_bomb_header):
        src = builder(tmp_path)
        assert src.stat().st_size < 200_000
        started = time.perf_counter()
        with pytest.raises(ImageRejected) as info:
            process_image(src, tmp_path / "o", LIMITS)
        assert time.perf_counter() - started < 0.5
        assert info.value.code == "image_too_large"


def test_bomb_refused_without_big_allocation(tmp_path: Path) -> None:
    """In a fresh interpreter, refusing a PNG that decodes to 100 MB must not grow the peak RSS."""
    bomb = hostile.png_bomb_real(tmp_path)
    script = textwrap.dedent(
        f"""
        import json, resource, sys
        from pathlib import Path
        from shared.imaging import ImageLimits, ImageRejected, process_image
        from PIL import Image
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            process_image(Path({str(bomb)!r}), Path({str(tmp_path / "out.png")!r}), ImageLimits())
            code = None
        except ImageRejected as exc:
            code = exc.code
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({{"code": code, "grew_kib": after - before}}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(out.stdout)
    assert result["code"] == "image_too_large"
    assert result["grew_kib"] < 20 * 1024, result  # decoding would need ~100 MB


def test_sniff_format() -> None:
    assert sniff_format(b"\xff\xd8\xff\xe0") == "jpeg"
    assert sniff_format(b"\x89PNG\r\n\x1a\n\x00") == "png"
    assert sniff_format(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert sniff_format(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert sniff_format(b"GIF89a") is None
    assert sniff_format(b"<html>") is None
    assert sniff_format(b"") is None


@pytest.mark.parametrize(("raw", "expected"), list(hostile.HOSTILE_FILENAMES.items()))
def test_sanitize_filename(raw: str, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_sanitize_filename_properties() -> None:
    assert sanitize_filename(None) == "upload"
    long = sanitize_filename("x" * 1000 + ".jpeg")
    assert long.endswith(".jpeg")
    assert len(long.encode()) == 255
    emoji = sanitize_filename("😀" * 100 + ".png")
    assert len(emoji.encode()) <= 255
    assert emoji.endswith(".png")
    for raw in hostile.HOSTILE_FILENAMES:
        clean = sanitize_filename(raw)
        assert "/" not in clean
        assert "\\" not in clean
        assert not clean.startswith(".")
        assert all(ch.isprintable() for ch in clean)


def test_make_thumbnail(tmp_path: Path) -> None:
    dst = tmp_path / "thumb.webp"
    size = make_thumbnail(hostile.ASTRONAUT_EXIF, dst)
    assert size == (256, 192)
    with Image.open(dst) as im:
        assert im.format == "WEBP"
        assert im.size == (256, 192)
    assert_no_metadata(dst)
    assert make_thumbnail(hostile.CAMERA, tmp_path / "t2.webp", max_side=64) == (64, 64)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_thumbnail_shrunk_on_load_matches_a_full_lanczos(tmp_path: Path, fmt: str) -> None:
    """The thumbnail decodes a JPEG at reduced scale (and box-reduces a PNG) before the Lanczos step: its pixels
    stay within a few levels of a Lanczos from the full-size picture."""
    import numpy as np

    with Image.open(hostile.ASTRONAUT_EXIF) as im:
        big = im.convert("RGB").resize((1024, 768))
    src = tmp_path / f"big.{fmt.lower()}"
    big.save(src, fmt, quality=95) if fmt == "JPEG" else big.save(src, fmt)
    assert make_thumbnail(src, tmp_path / "t.webp") == (256, 192)
    big.resize((256, 192), Image.Resampling.LANCZOS).save(tmp_path / "ref.webp", "WEBP", quality=80, method=0)
    with Image.open(tmp_path / "t.webp") as thumb, Image.open(tmp_path / "ref.webp") as reference:
        ours, theirs = (np.asarray(x.convert("RGB"), dtype=np.int16) for x in (thumb, reference))
    # ~2.9 levels (a nearest-neighbour thumbnail is ~4.5 away; a full Lanczos ~2.4, the WebP's own noise)
    assert np.abs(ours - theirs).mean() < 3.5


def _jpeg_with_everything(tmp_path: Path) -> tuple[Path, bytes]:
    """An upright sRGB photo as a phone writes it: EXIF (orientation 1, GPS), an sRGB profile, a comment, XMP,
    and a second picture appended after the end-of-image marker (MPF-style)."""
    from PIL import ImageCms

    with Image.open(hostile.CHELSEA) as im:
        rgb = im.convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 1
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    rgb.save(buf, "JPEG", quality=95, exif=exif, icc_profile=srgb, comment=b"shot on a phone", xmp=b"<x:xmpmeta/>")
    second = io.BytesIO()
    rgb.resize((64, 48)).save(second, "JPEG")
    src = tmp_path / "phone.jpg"
    src.write_bytes(buf.getvalue() + second.getvalue())
    return src, buf.getvalue()


def test_an_upright_srgb_jpeg_is_stored_losslessly_without_its_metadata(tmp_path: Path) -> None:
    """Nothing about its pixels needs changing, so its own compressed data is kept (no re-encoding loss) and only
    the metadata segments and the trailing picture go."""
    src, primary = _jpeg_with_everything(tmp_path)
    dst, result = _process(src, tmp_path)
    stored = dst.read_bytes()
    assert_no_metadata(dst)
    assert b"shot on a phone" not in stored and b"xmpmeta" not in stored
    assert stored.count(b"\xff\xd8") == 1 and stored.endswith(b"\xff\xd9")  # the appended picture is gone
    assert len(stored) < len(primary)
    with Image.open(io.BytesIO(primary)) as original, Image.open(dst) as kept:
        assert kept.size == original.size == (result.width, result.height)
        assert kept.convert("RGB").tobytes() == original.convert("RGB").tobytes()  # bit-identical pixels


def test_a_jpeg_that_needs_its_pixels_changed_is_re_encoded(tmp_path: Path) -> None:
    """Rotated (EXIF orientation 6): the lossless path is not taken; the stored picture is upright."""
    dst, result = _process(hostile.ASTRONAUT_EXIF, tmp_path)
    assert (result.width, result.height) == (512, 384)
    with Image.open(hostile.ASTRONAUT_EXIF) as original, Image.open(dst) as kept:
        assert kept.convert("RGB").tobytes() != original.transpose(Image.Transpose.ROTATE_270).convert("RGB").tobytes()

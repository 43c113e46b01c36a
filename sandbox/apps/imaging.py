"""Deterministic pictures for the image apps: generated, decoded, blended, encoded, stored."""

from __future__ import annotations

import hashlib
import io

import numpy as np
from PIL import Image, ImageDraw

from sandbox.apps.common import JSON, AppError, JobContext


def generate(prompt: str, seed: int, index: int, width: int, height: int) -> Image.Image:
    """A picture that depends only on (prompt, seed, index): a colour field with a few discs and the prompt."""
    digest = hashlib.sha256(f"{prompt}\x00{seed}\x00{index}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
    small = (rng.random((8, 8, 3)) * 255).astype(np.uint8)
    img = Image.fromarray(small, "RGB").resize((width, height), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(max(2, min(width, height) // 16), max(3, min(width, height) // 4)))
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse((x0 - r, y0 - r, x0 + r, y0 + r), fill=color)
    draw.text((8, 8), prompt[:80], fill=(255, 255, 255))
    return img


def decode(blob: bytes, field: str, mode: str = "RGB") -> Image.Image:
    try:
        with Image.open(io.BytesIO(blob)) as im:
            im.load()
            return im.convert(mode)
    except Exception as exc:
        raise AppError.validation(
            field, f"The file at {field} is not a decodable image ({exc})", "image_load_error"
        ) from exc


def encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpeg":
        img.save(buf, "JPEG", quality=90)
    else:
        img.save(buf, "PNG")
    return buf.getvalue()


def blend(init: Image.Image, generated: Image.Image, strength: float, mask: Image.Image | None = None) -> Image.Image:
    """Image-to-image: ``(1 - strength) * init + strength * generated``; with a mask only where it is white
    (> 127), the rest keeps the init pixels exactly."""
    a = np.asarray(init, dtype=np.float32)
    b = np.asarray(generated, dtype=np.float32)
    mixed = (1 - strength) * a + strength * b
    if mask is not None:
        white = (np.asarray(mask, dtype=np.uint8) > 127)[..., None]
        mixed = np.where(white, mixed, a)
    return Image.fromarray(np.clip(np.rint(mixed), 0, 255).astype(np.uint8), "RGB")


def store_images(ctx: JobContext, images: list[Image.Image], fmt: str, nsfw: list[bool], safety: bool) -> list[JSON]:
    """Encode and serve ``images``; NSFW ones are blacked out when the safety checker is on, as Fal does."""
    content_type = "image/jpeg" if fmt == "jpeg" else "image/png"
    out: list[JSON] = []
    for index, img in enumerate(images):
        if nsfw[index] and safety:
            img = Image.new("RGB", img.size, (0, 0, 0))
        blob = encode(img, fmt)
        f = ctx.files.put(ctx.base_url, blob, f"image_{index}.{'jpg' if fmt == 'jpeg' else 'png'}", content_type)
        out.append(
            {
                "url": f["url"],
                "width": img.width,
                "height": img.height,
                "content_type": content_type,
                "file_name": f["file_name"],
                "file_size": f["file_size"],
            }
        )
    return out


def nsfw_flags(ctx: JobContext, prompt: str, count: int) -> list[bool]:
    """``has_nsfw_concepts`` of ``count`` images: ``sandbox:nsfw`` flags them all, ``sandbox:nsfw=<n>`` the
    first n; the bare word "nsfw" in a prompt is kept for older tests (all)."""
    if ctx.nsfw and ctx.nsfw_images is not None:
        return [i < ctx.nsfw_images for i in range(count)]
    return [ctx.nsfw or "nsfw" in prompt.lower()] * count

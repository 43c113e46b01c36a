"""``fal-ai/stable-video`` stand-in: a real, decodable H.264 MP4 made from the input image.

Like SVD v1.1 it renders 25 frames at 1024x576 (576x1024 for a portrait input), at the asked ``fps``; the
camera pans and zooms over the image by an amount that grows with ``motion_bucket_id``, deterministic in
(image, seed, motion_bucket_id). Encoded with PyAV (a dev dependency: its wheel ships FFmpeg and libx264),
imported only when a video is made.
"""

from __future__ import annotations

import asyncio
import io

import numpy as np
from PIL import Image

from sandbox.apps import imaging
from sandbox.apps.common import JSON, AppSpec, JobContext
from sandbox.schemas.video import SVD_FRAMES, StableVideoInput

MAX_RANDOM_SEED = 2**32 - 1


def frames(img: Image.Image, n: int, motion: int, seed: int) -> list[np.ndarray]:
    width, height = (576, 1024) if img.height > img.width else (1024, 576)
    base = img.resize((width, height), Image.Resampling.BICUBIC)
    rng = np.random.default_rng(seed)
    direction = rng.uniform(-1, 1, 2)
    reach = 0.15 * motion / 255  # share of the frame the camera travels by the last frame
    out = []
    for k in range(n):
        t = k / max(1, n - 1)
        zoom = 1 + reach * t
        w, h = width / zoom, height / zoom
        cx = width / 2 + direction[0] * reach * t * width / 2
        cy = height / 2 + direction[1] * reach * t * height / 2
        # the camera stays inside the picture (a pan towards an edge stops at it)
        x0 = min(max(cx - w / 2, 0.0), width - w)
        y0 = min(max(cy - h / 2, 0.0), height - h)
        box = (x0, y0, x0 + w, y0 + h)
        out.append(np.asarray(base.resize((width, height), Image.Resampling.BILINEAR, box=box)))
    return out


def encode_mp4(pictures: list[np.ndarray], fps: int) -> bytes:
    import av  # dev-only dependency, imported on use

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.height, stream.width = pictures[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for picture in pictures:
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


def render(img: Image.Image, p: StableVideoInput, seed: int) -> bytes:
    return encode_mp4(frames(img, SVD_FRAMES, p.motion_bucket_id, seed), p.fps)


async def handler(ctx: JobContext) -> JSON:
    p: StableVideoInput = ctx.params
    seed = p.seed if p.seed is not None else ctx.random_seed() % MAX_RANDOM_SEED
    img = await asyncio.to_thread(imaging.decode, await ctx.download(p.image_url, "image_url"), "image_url")
    await ctx.steps(ctx.config().video_seconds, SVD_FRAMES, label="frame")
    blob = await asyncio.to_thread(render, img, p, seed)
    return {"video": ctx.files.put(ctx.base_url, blob, "output.mp4", "video/mp4"), "seed": seed}


STABLE_VIDEO = AppSpec(
    endpoint="fal-ai/stable-video", schema=StableVideoInput, handler=handler, duration=lambda c: c.video_seconds
)

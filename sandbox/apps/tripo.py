"""``tripo3d/tripo/v2.5/image-to-3d`` stand-in: a displaced-sphere .glb with <= face_limit triangles.

Outputs, like Fal's: ``model_mesh`` (the textured mesh; untextured with ``texture="no"``), ``base_model``
(the untextured geometry, only when a texture was asked for), ``pbr_model`` (with ``pbr=true``: the mesh
with a metallic/roughness material) and ``rendered_image`` (a PNG preview). The ``mesh_fail_url_contains``
knob makes requests whose ``image_url`` contains a given text complete with an error (after downloading
and decoding the image), so a test can fail one chosen item of a batch.
"""

from __future__ import annotations

import asyncio
import io
import secrets
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageDraw

from sandbox.apps import imaging
from sandbox.apps.common import JSON, AppError, AppSpec, JobContext
from sandbox.glb import Mesh, displaced_sphere, write_glb
from sandbox.schemas.tripo import TripoImageTo3dInput

DEFAULT_FACE_LIMIT = 5000
MAX_FACE_LIMIT = 500_000


def render_preview(mesh: Mesh, size: int = 512) -> bytes:
    img = Image.new("RGB", (size, size), (240, 240, 240))
    draw = ImageDraw.Draw(img)
    p = mesh.positions.astype(np.float64)
    tri = p[mesh.indices]
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    light = np.array([0.4, 0.6, 0.7])
    light /= np.linalg.norm(light)
    shade = np.clip(n @ light, 0.1, 1.0)
    visible = n[:, 2] > 0
    order = np.argsort(tri[:, :, 2].mean(axis=1))
    base = mesh.colors[mesh.indices].mean(axis=1) if mesh.colors is not None else np.full((len(tri), 3), 0.7)
    scale = size * 0.4
    for t in order:
        if not visible[t]:
            continue
        pts = [(size / 2 + x * scale, size / 2 - y * scale) for x, y, _ in tri[t]]
        c = tuple(int(v) for v in np.clip(base[t] * shade[t] * 255, 0, 255))
        draw.polygon(pts, fill=c)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@dataclass
class Built:
    model_mesh: bytes
    base_model: bytes | None
    pbr_model: bytes | None
    preview: bytes
    triangles: int


def build(img: Image.Image, face_limit: int, textured: bool, pbr: bool) -> Built:
    small = img.resize((64, 32), Image.Resampling.BILINEAR)
    rgb = np.asarray(small, dtype=np.float32) / 255.0
    height = rgb.mean(axis=2)
    mesh = displaced_sphere(face_limit, height=height, color=rgb if textured else None)
    base = replace(mesh, colors=None)
    return Built(
        model_mesh=write_glb(mesh),
        base_model=write_glb(base) if textured else None,
        pbr_model=write_glb(mesh, metallic=0.5) if pbr else None,
        preview=render_preview(mesh),
        triangles=mesh.triangle_count,
    )


async def handler(ctx: JobContext) -> JSON:
    p: TripoImageTo3dInput = ctx.params
    url, face_limit, texture, pbr = p.image_url, p.face_limit, p.texture, p.pbr
    blob = await ctx.download(url, "image_url")
    img = await asyncio.to_thread(imaging.decode, blob, "image_url")
    ctx.log(f"Input image {img.width}x{img.height}")
    await ctx.steps(ctx.config().mesh_seconds, 10, label="stage")
    marker = ctx.config().mesh_fail_url_contains
    if marker and marker in url:
        raise AppError(
            500, "Mesh generation failed (injected by the sandbox mesh_fail_url_contains knob)", "internal_server_error"
        )
    built = await asyncio.to_thread(build, img, face_limit or DEFAULT_FACE_LIMIT, texture != "no", pbr)
    ctx.log(f"Mesh with {built.triangles} triangles")
    glb = "model/gltf-binary"
    result: JSON = {
        "task_id": secrets.token_hex(8),
        "model_mesh": ctx.files.put(ctx.base_url, built.model_mesh, "model.glb", glb),
    }
    if built.base_model is not None:
        result["base_model"] = ctx.files.put(ctx.base_url, built.base_model, "base_model.glb", glb)
    if built.pbr_model is not None:
        result["pbr_model"] = ctx.files.put(ctx.base_url, built.pbr_model, "pbr_model.glb", glb)
    result["rendered_image"] = ctx.files.put(ctx.base_url, built.preview, "preview.png", "image/png")
    return result


TRIPO = AppSpec(
    endpoint="tripo3d/tripo/v2.5/image-to-3d",
    schema=TripoImageTo3dInput,
    handler=handler,
    duration=lambda c: c.mesh_seconds,
)

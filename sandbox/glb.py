"""Tiny mesh generator and binary glTF 2.0 (.glb) writer/reader (struct + json, no dependencies)."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

GLB_MAGIC = 0x46546C67  # b"glTF"
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942


@dataclass
class Mesh:
    positions: NDArray[np.float32]  # (V, 3)
    normals: NDArray[np.float32]  # (V, 3)
    colors: NDArray[np.float32] | None  # (V, 3) linear RGB in [0, 1]
    indices: NDArray[np.uint32]  # (T, 3)

    @property
    def triangle_count(self) -> int:
        return int(self.indices.shape[0])


def sphere_grid(face_limit: int) -> tuple[int, int]:
    """(n_lat, n_lon) of the UV sphere with the most triangles ``2*n_lon*(n_lat-1) <= face_limit``."""
    if face_limit < 6:
        raise ValueError("face_limit must be at least 6")
    best = (2, 3)
    best_t = 6
    n_lat = 2
    while 2 * 3 * (n_lat - 1) <= face_limit:
        n_lon = min(2 * n_lat, face_limit // (2 * (n_lat - 1)))
        if n_lon >= 3:
            t = 2 * n_lon * (n_lat - 1)
            if t > best_t or (t == best_t and n_lon >= n_lat):
                best, best_t = (n_lat, n_lon), t
        n_lat += 1
    return best


def displaced_sphere(
    face_limit: int,
    height: NDArray[np.float32] | None = None,
    color: NDArray[np.float32] | None = None,
    amplitude: float = 0.15,
) -> Mesh:
    """UV sphere with at most ``face_limit`` triangles, radius displaced by a (H, W) height map in [0, 1]."""
    n_lat, n_lon = sphere_grid(face_limit)
    lat = np.linspace(0, np.pi, n_lat + 1)[1:-1]  # interior rings
    lon = np.linspace(0, 2 * np.pi, n_lon, endpoint=False)
    la, lo = np.meshgrid(lat, lon, indexing="ij")
    dirs = np.stack([np.sin(la) * np.cos(lo), np.cos(la), np.sin(la) * np.sin(lo)], axis=-1).reshape(-1, 3)
    dirs = np.concatenate([[[0.0, 1.0, 0.0]], dirs, [[0.0, -1.0, 0.0]]])
    uv = np.concatenate([[[0.5, 0.0]], np.stack([lo / (2 * np.pi), la / np.pi], -1).reshape(-1, 2), [[0.5, 1.0]]])

    def sample(img: NDArray[np.float32]) -> NDArray[np.float32]:
        h, w = img.shape[:2]
        xs = np.clip((uv[:, 0] * (w - 1)).round().astype(int), 0, w - 1)
        ys = np.clip((uv[:, 1] * (h - 1)).round().astype(int), 0, h - 1)
        return np.asarray(img[ys, xs], dtype=np.float32)

    radius = 1.0 + (amplitude * (sample(height) - 0.5) if height is not None else 0.0)
    positions = (dirs * np.asarray(radius).reshape(-1, 1)).astype(np.float32)

    tris: list[tuple[int, int, int]] = []
    top, bottom = 0, len(dirs) - 1

    def ring(i: int, j: int) -> int:
        return 1 + i * n_lon + (j % n_lon)

    for j in range(n_lon):
        tris.append((top, ring(0, j + 1), ring(0, j)))
    for i in range(n_lat - 2):
        for j in range(n_lon):
            a, b, c, d = ring(i, j), ring(i, j + 1), ring(i + 1, j), ring(i + 1, j + 1)
            tris.append((a, b, c))
            tris.append((b, d, c))
    for j in range(n_lon):
        tris.append((bottom, ring(n_lat - 2, j), ring(n_lat - 2, j + 1)))
    indices = np.asarray(tris, dtype=np.uint32)

    p = positions.astype(np.float64)
    face_n = np.cross(p[indices[:, 1]] - p[indices[:, 0]], p[indices[:, 2]] - p[indices[:, 0]])
    normals = np.zeros_like(p)
    for k in range(3):
        np.add.at(normals, indices[:, k], face_n)
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    colors = sample(color).astype(np.float32) if color is not None else None
    return Mesh(positions, normals.astype(np.float32), colors, indices)


def _pad(data: bytes, fill: bytes) -> bytes:
    return data + fill * (-len(data) % 4)


def write_glb(mesh: Mesh, *, metallic: float = 0.0, generator: str = "fotogen-fal-sandbox") -> bytes:
    blobs: list[bytes] = []
    views: list[dict[str, Any]] = []
    accessors: list[dict[str, Any]] = []
    offset = 0

    def add(arr: NDArray[Any], component: int, type_: str, target: int, minmax: bool = False) -> int:
        nonlocal offset
        raw = np.ascontiguousarray(arr).tobytes()
        views.append({"buffer": 0, "byteOffset": offset, "byteLength": len(raw), "target": target})
        acc: dict[str, Any] = {
            "bufferView": len(views) - 1,
            "componentType": component,
            "count": int(arr.shape[0]) if type_ != "SCALAR" else int(arr.size),
            "type": type_,
        }
        if minmax:
            acc["min"] = [float(v) for v in arr.min(axis=0)]
            acc["max"] = [float(v) for v in arr.max(axis=0)]
        accessors.append(acc)
        padded = _pad(raw, b"\x00")
        blobs.append(padded)
        offset += len(padded)
        return len(accessors) - 1

    attributes = {
        "POSITION": add(mesh.positions, 5126, "VEC3", 34962, minmax=True),
        "NORMAL": add(mesh.normals, 5126, "VEC3", 34962),
    }
    if mesh.colors is not None:
        attributes["COLOR_0"] = add(mesh.colors, 5126, "VEC3", 34962)
    idx = add(mesh.indices.reshape(-1), 5125, "SCALAR", 34963)
    binary = b"".join(blobs)
    doc = {
        "asset": {"version": "2.0", "generator": generator},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "model"}],
        "meshes": [
            {
                "name": "model",
                "primitives": [{"attributes": attributes, "indices": idx, "mode": 4, "material": 0}],
            }
        ],
        "materials": [
            {
                "name": "default",
                "pbrMetallicRoughness": {
                    "baseColorFactor": [1.0, 1.0, 1.0, 1.0],
                    "metallicFactor": metallic,
                    "roughnessFactor": 0.8,
                },
            }
        ],
        "buffers": [{"byteLength": len(binary)}],
        "bufferViews": views,
        "accessors": accessors,
    }
    json_chunk = _pad(json.dumps(doc, separators=(",", ":")).encode(), b" ")
    total = 12 + 8 + len(json_chunk) + 8 + len(binary)
    return b"".join(
        [
            struct.pack("<III", GLB_MAGIC, 2, total),
            struct.pack("<II", len(json_chunk), CHUNK_JSON),
            json_chunk,
            struct.pack("<II", len(binary), CHUNK_BIN),
            binary,
        ]
    )


def read_glb(data: bytes) -> tuple[dict[str, Any], bytes]:
    """Parse a .glb into (json document, binary chunk); raises ValueError if malformed."""
    if len(data) < 20:
        raise ValueError("too short for a GLB")
    magic, version, length = struct.unpack_from("<III", data, 0)
    if magic != GLB_MAGIC or version != 2 or length != len(data):
        raise ValueError(f"bad GLB header magic={magic:#x} version={version} length={length}/{len(data)}")
    json_len, json_type = struct.unpack_from("<II", data, 12)
    if json_type != CHUNK_JSON:
        raise ValueError("first chunk is not JSON")
    doc = json.loads(data[20 : 20 + json_len])
    rest = 20 + json_len
    binary = b""
    if rest < len(data):
        bin_len, bin_type = struct.unpack_from("<II", data, rest)
        if bin_type != CHUNK_BIN:
            raise ValueError("second chunk is not BIN")
        binary = data[rest + 8 : rest + 8 + bin_len]
    return doc, binary


def glb_triangle_count(data: bytes) -> int:
    doc, _ = read_glb(data)
    total = 0
    for mesh in doc["meshes"]:
        for prim in mesh["primitives"]:
            if prim.get("mode", 4) != 4:
                raise ValueError("only triangle lists are counted")
            if "indices" in prim:
                total += doc["accessors"][prim["indices"]]["count"] // 3
            else:
                total += doc["accessors"][prim["attributes"]["POSITION"]]["count"] // 3
    return total

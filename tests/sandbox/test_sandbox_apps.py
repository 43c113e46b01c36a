"""The four sandbox apps: real inputs are checked, real outputs come back."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from safetensors.numpy import load as load_safetensors

from sandbox.glb import glb_triangle_count, read_glb
from sandbox.testing import LocalHTTPServer, RunningSandbox, make_image, make_zip, sample_dataset_zip

FAST = "fal-ai/flux-lora-fast-training"
PORTRAIT = "fal-ai/flux-lora-portrait-trainer"
FLUX = "fal-ai/flux-lora"
TRIPO = "tripo3d/tripo/v2.5/image-to-3d"


async def run(fal: Any, endpoint: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return dict(await fal.subscribe(endpoint, arguments, interval=0.01))


async def run_failing(fal: Any, endpoint: str, arguments: dict[str, Any]) -> Any:
    import fal_client

    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await run(fal, endpoint, arguments)
    return exc.value


def download(sandbox: RunningSandbox, url: str) -> httpx.Response:
    with sandbox.client() as c:  # no auth needed for files
        resp = c.get(url)
    resp.raise_for_status()
    return resp


@pytest.mark.parametrize(("endpoint", "trigger_key"), [(FAST, "trigger_word"), (PORTRAIT, "trigger_phrase")])
async def test_trainer_returns_real_lora(
    fal: Any, sandbox: RunningSandbox, web: LocalHTTPServer, endpoint: str, trigger_key: str
) -> None:
    archive = sample_dataset_zip()
    url = web.add_file("/data.zip", archive, "application/zip")
    handle = await fal.submit(endpoint, {"images_data_url": url, trigger_key: "TOK", "steps": 500})
    statuses = [s async for s in handle.iter_events(with_logs=True, interval=0.01)]
    result = await handle.get()

    messages = [e["message"] for e in statuses[-1].logs]
    steps = [m for m in messages if m.startswith("step ")]
    assert steps[-1] == "step 500/500"
    assert 1 < len(steps) <= 20
    assert "Found 3 images and 2 captions" in messages

    lora_file = result["diffusers_lora_file"]
    assert lora_file["file_name"].endswith(".safetensors")
    blob = download(sandbox, lora_file["url"]).content
    assert len(blob) == lora_file["file_size"] < 1_000_000
    tensors = load_safetensors(blob)
    a_keys = [k for k in tensors if k.endswith("lora_A.weight")]
    assert a_keys
    for key in a_keys:
        a, b = tensors[key], tensors[key.replace("lora_A", "lora_B")]
        assert a.dtype == np.float16
        assert b.dtype == np.float16
        assert a.shape[0] == b.shape[1]  # rank
        assert a.shape[1] == b.shape[0]  # dim

    config = json.loads(download(sandbox, result["config_file"]["url"]).content)
    assert config[trigger_key] == "TOK"
    assert config["steps"] == 500
    assert config["captions"] == {"img_001": "a photo of TOK smiling", "img_003": "TOK at the beach"}
    assert config["archive_sha256"] == hashlib.sha256(archive).hexdigest()

    [record] = sandbox.requests(endpoint)["requests"]
    assert record["input"]["images_data_url"] == url
    assert record["outcome"] == "ok"


@pytest.mark.parametrize(
    ("archive", "fragment"),
    [
        (b"not a zip at all", "not a valid zip"),
        (make_zip({"a.jpg": make_image("JPEG"), "notes.pdf": b"%PDF"}), "unsupported file type"),
        (make_zip({"a.jpg": make_image("JPEG"), "b.txt": "orphan caption"}), "without a same-stem image"),
        (make_zip({"a.png": b"\x89PNG broken"}), "cannot be decoded"),
        (make_zip({"a.gif": make_image("GIF")}), "unsupported file type"),
        (make_zip({"readme.txt": "x"}), "without a same-stem image"),
        (make_zip({}), "At least 1 images"),
    ],
)
async def test_trainer_rejects_bad_archives(
    fal: Any, sandbox: RunningSandbox, web: LocalHTTPServer, archive: bytes, fragment: str
) -> None:
    import fal_client

    url = web.add_file("/bad.zip", archive, "application/zip")
    handle = await fal.submit(FAST, {"images_data_url": url})
    final = [s async for s in handle.iter_events(interval=0.01)][-1]
    assert isinstance(final, fal_client.Completed)  # a failed request still reports COMPLETED
    assert final.error is not None
    with pytest.raises(fal_client.FalClientHTTPError) as exc:
        await handle.get()
    assert exc.value.status_code == 422
    body = exc.value.response.json()
    assert body["error_type"]
    assert body["detail"][0]["loc"] == ["body", "images_data_url"]
    assert fragment in body["detail"][0]["msg"]


async def test_trainer_download_errors(fal: Any, web: LocalHTTPServer) -> None:
    err = await run_failing(fal, FAST, {"images_data_url": web.url("/missing.zip")})
    assert err.status_code == 422
    assert err.error_type == "file_download_error"
    err = await run_failing(fal, FAST, {"images_data_url": "ftp://example.com/x.zip"})
    assert err.status_code == 422
    err = await run_failing(fal, FAST, {})
    assert err.response.json()["detail"][0]["type"] == "missing"
    url = web.add_file("/ok.zip", sample_dataset_zip())
    err = await run_failing(fal, PORTRAIT, {"images_data_url": url, "steps": 0})
    assert err.response.json()["detail"][0]["loc"] == ["body", "steps"]
    err = await run_failing(fal, PORTRAIT, {"images_data_url": url, "learning_rate": "fast"})
    assert err.response.json()["detail"][0]["loc"] == ["body", "learning_rate"]


@pytest.mark.parametrize(
    ("image_size", "fmt", "expected"),
    [
        ("landscape_4_3", "jpeg", (1024, 768)),
        ("portrait_16_9", "png", (576, 1024)),
        ("square_hd", "jpeg", (1024, 1024)),
        ({"width": 320, "height": 200}, "png", (320, 200)),
    ],
)
async def test_flux_images_have_requested_size_and_format(
    fal: Any, sandbox: RunningSandbox, image_size: Any, fmt: str, expected: tuple[int, int]
) -> None:
    result = await run(
        fal, FLUX, {"prompt": "a lighthouse", "image_size": image_size, "output_format": fmt, "num_images": 2}
    )
    assert len(result["images"]) == 2
    assert result["has_nsfw_concepts"] == [False, False]
    assert result["prompt"] == "a lighthouse"
    assert isinstance(result["seed"], int)
    assert "inference" in result["timings"]
    for image in result["images"]:
        assert (image["width"], image["height"]) == expected
        assert image["content_type"] == f"image/{fmt}"
        with Image.open(io.BytesIO(download(sandbox, image["url"]).content)) as im:
            assert im.size == expected
            assert im.format == ("JPEG" if fmt == "jpeg" else "PNG")


async def test_flux_is_deterministic_in_prompt_and_seed(fal: Any, sandbox: RunningSandbox) -> None:
    args = {"prompt": "a cat", "image_size": "square", "seed": 42}
    one, two = await run(fal, FLUX, args), await run(fal, FLUX, args)
    other_seed = await run(fal, FLUX, {**args, "seed": 43})
    other_prompt = await run(fal, FLUX, {**args, "prompt": "a dog"})
    blobs = [download(sandbox, r["images"][0]["url"]).content for r in (one, two, other_seed, other_prompt)]
    assert blobs[0] == blobs[1]
    assert blobs[0] != blobs[2]
    assert blobs[0] != blobs[3]
    assert one["seed"] == 42

    random_a = await run(fal, FLUX, {"prompt": "a cat", "image_size": "square"})
    random_b = await run(fal, FLUX, {"prompt": "a cat", "image_size": "square"})
    assert random_a["seed"] != random_b["seed"]
    replay = await run(fal, FLUX, {"prompt": "a cat", "image_size": "square", "seed": random_a["seed"]})
    assert (
        download(sandbox, replay["images"][0]["url"]).content == download(sandbox, random_a["images"][0]["url"]).content
    )


async def test_flux_checks_loras(fal: Any, sandbox: RunningSandbox, web: LocalHTTPServer) -> None:
    data = web.add_file("/d.zip", sample_dataset_zip())
    trained = await run(fal, FAST, {"images_data_url": data, "trigger_word": "TOK"})
    lora_url = trained["diffusers_lora_file"]["url"]  # served by the sandbox itself over https
    web.add_file("/copy.safetensors", download(sandbox, lora_url).content)
    handle = await fal.submit(
        FLUX,
        {"prompt": "TOK portrait", "loras": [{"path": lora_url, "scale": 0.8}, {"path": web.url("/copy.safetensors")}]},
    )
    result = await handle.get()
    assert len(result["images"]) == 1
    status = await handle.status(with_logs=True)
    assert sum("Loaded LoRA" in e["message"] for e in status.logs) == 2

    web.add_file("/junk.safetensors", b"definitely not safetensors")
    err = await run_failing(fal, FLUX, {"prompt": "x", "loras": [{"path": web.url("/junk.safetensors")}]})
    assert err.status_code == 422
    assert err.response.json()["detail"][0]["loc"] == ["body", "loras", 0, "path"]
    err = await run_failing(fal, FLUX, {"prompt": "x", "loras": [{"path": web.url("/404.safetensors")}]})
    assert err.error_type == "file_download_error"


@pytest.mark.parametrize(
    ("arguments", "loc"),
    [
        ({}, ["body", "prompt"]),
        ({"prompt": ""}, ["body", "prompt"]),
        ({"prompt": "x", "num_images": 5}, ["body", "num_images"]),
        ({"prompt": "x", "num_images": 0}, ["body", "num_images"]),
        ({"prompt": "x", "output_format": "gif"}, ["body", "output_format"]),
        ({"prompt": "x", "image_size": "huge"}, ["body", "image_size"]),
        ({"prompt": "x", "image_size": {"width": 0, "height": 10}}, ["body", "image_size", "width"]),
        ({"prompt": "x", "seed": "abc"}, ["body", "seed"]),
        ({"prompt": "x", "guidance_scale": 100}, ["body", "guidance_scale"]),
        ({"prompt": "x", "num_inference_steps": 0}, ["body", "num_inference_steps"]),
        ({"prompt": "x", "enable_safety_checker": "maybe"}, ["body", "enable_safety_checker"]),
        ({"prompt": "x", "no_such_field": 1}, ["body", "no_such_field"]),
        ({"prompt": "x", "loras": [{"path": "http://x", "scale": 5}]}, ["body", "loras", 0, "scale"]),
        ({"prompt": "x", "loras": [{"scale": 1}]}, ["body", "loras", 0, "path"]),
    ],
)
async def test_flux_validation(fal: Any, arguments: dict[str, Any], loc: list[Any]) -> None:
    err = await run_failing(fal, FLUX, arguments)
    assert err.status_code == 422
    assert err.response.json()["detail"][0]["loc"] == loc


async def test_flux_safety_checker(fal: Any, sandbox: RunningSandbox) -> None:
    result = await run(fal, FLUX, {"prompt": "nsfw thing", "image_size": "square", "seed": 1})
    assert result["has_nsfw_concepts"] == [True]
    with Image.open(io.BytesIO(download(sandbox, result["images"][0]["url"]).content)) as im:
        assert im.convert("L").getextrema() == (0, 0)  # blacked out, as Fal does
    unchecked = await run(
        fal, FLUX, {"prompt": "nsfw thing", "image_size": "square", "seed": 1, "enable_safety_checker": False}
    )
    with Image.open(io.BytesIO(download(sandbox, unchecked["images"][0]["url"]).content)) as im:
        assert im.convert("L").getextrema() != (0, 0)


@pytest.mark.parametrize(("face_limit", "texture"), [(6, "no"), (100, "standard"), (5000, "HD"), (None, "standard")])
async def test_tripo_returns_valid_glb(
    fal: Any, sandbox: RunningSandbox, web: LocalHTTPServer, face_limit: int | None, texture: str
) -> None:
    url = web.add_file("/obj.jpg", make_image("JPEG", (80, 60), (120, 40, 200)), "image/jpeg")
    args: dict[str, Any] = {"image_url": url, "texture": texture, "pbr": True, "seed": 1}
    if face_limit is not None:
        args["face_limit"] = face_limit
    result = await run(fal, TRIPO, args)
    mesh = result["model_mesh"]
    assert mesh["content_type"] == "model/gltf-binary"
    glb = download(sandbox, mesh["url"]).content
    assert glb[:4] == b"glTF"
    assert int.from_bytes(glb[4:8], "little") == 2
    assert int.from_bytes(glb[8:12], "little") == len(glb)
    assert glb[16:20] == b"JSON"
    doc, binary = read_glb(glb)
    assert doc["asset"]["version"] == "2.0"
    assert binary
    triangles = glb_triangle_count(glb)
    limit = face_limit or 5000
    assert 0 < triangles <= limit
    assert triangles >= limit * 0.5  # uses the budget reasonably
    attributes = doc["meshes"][0]["primitives"][0]["attributes"]
    assert ("COLOR_0" in attributes) == (texture != "no")
    # indices stay within the vertex range
    idx_acc = doc["accessors"][doc["meshes"][0]["primitives"][0]["indices"]]
    view = doc["bufferViews"][idx_acc["bufferView"]]
    indices = np.frombuffer(binary, dtype=np.uint32, count=idx_acc["count"], offset=view["byteOffset"])
    assert indices.max() < doc["accessors"][attributes["POSITION"]]["count"]

    preview = download(sandbox, result["rendered_image"]["url"])
    with Image.open(io.BytesIO(preview.content)) as im:
        assert im.format == "PNG"


async def test_tripo_rejects_bad_input(fal: Any, web: LocalHTTPServer) -> None:
    url = web.add_file("/not-an-image.jpg", b"hello", "image/jpeg")
    err = await run_failing(fal, TRIPO, {"image_url": url})
    assert err.status_code == 422
    assert err.error_type == "image_load_error"
    good = web.add_file("/ok.png", make_image())
    err = await run_failing(fal, TRIPO, {"image_url": good, "face_limit": 2})
    assert err.response.json()["detail"][0]["loc"] == ["body", "face_limit"]
    err = await run_failing(fal, TRIPO, {"image_url": good, "texture": "ultra"})
    assert err.response.json()["detail"][0]["loc"] == ["body", "texture"]
    err = await run_failing(fal, TRIPO, {})
    assert err.response.json()["detail"][0]["loc"] == ["body", "image_url"]


async def test_files_need_no_auth_and_404(sandbox: RunningSandbox) -> None:
    with sandbox.client() as c:
        assert c.get("/files/nope/x.png").status_code == 404

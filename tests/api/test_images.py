"""Image uploads and image routes, against both storage backends (local files and GCS via the emulator).

Real photos from ``tests/fixtures/images`` and the hostile corpus of ``support.hostile``: no 5xx ever,
every rejection a precise code, nothing stored (object or temp file) for a rejected file, valid files of
the same request kept. Limits are exercised on a second app built with small limits.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage as gcs
from google.oauth2 import service_account
from PIL import Image as PILImage
from support import hostile
from support.factories import create_owner, photo_jpeg
from support.multipart import CONTENT_TYPE, CountingStream, Part, caption_part, encode, field_part, file_part
from support.problems import assert_problem

from shared.config import Settings
from shared.ids import new_id
from shared.imaging import sanitize_filename
from shared.models import Training
from shared.storage import GCSStorage, LocalStorage, Storage

KEY_RE = re.compile(r"^owners/own_[0-9a-z]+/datasets/ds_[0-9a-z]+/images/img_[0-9a-z]+\.(jpg|png|webp)$")
METADATA_MARKERS = (b"Exif\x00\x00", b"HostileCam", b"Secret Person", b"Taken at home", b"<x:xmpmeta", b"GPS")


# ---------------------------------------------------------------------------------------------
# Environments: the same suite against local storage and GCS
# ---------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def gcs_emulator() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gcp_storage_emulator",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--in-memory",
            "--quiet",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(url + "/", timeout=1).text == "OK":
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gcp-storage-emulator did not start")
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _gcs_client(emulator: str) -> gcs.Client:
    return gcs.Client(
        project="fotogen-test", credentials=AnonymousCredentials(), client_options={"api_endpoint": emulator}
    )


@pytest.fixture(scope="module")
async def gcs_app(settings: Settings, gcs_emulator: str) -> AsyncIterator[Any]:
    """The API with its storage swapped for a GCSStorage on a fresh emulator bucket."""
    from api.app import create_app

    bucket = f"fotogen-test-{uuid.uuid4().hex[:12]}"
    client = _gcs_client(gcs_emulator)
    client.create_bucket(bucket)
    client.close()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    creds = service_account.Credentials.from_service_account_info(
        {
            "type": "service_account",
            "project_id": "fotogen-test",
            "private_key_id": "test-key",
            "private_key": pem,
            "client_email": "signer@fotogen-test.iam.gserviceaccount.com",
            "client_id": "1",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        await application.state.storage.aclose()
        application.state.storage = GCSStorage(
            bucket, project="fotogen-test", api_endpoint=gcs_emulator, signing_credentials=creds
        )
        application.state.gcs_bucket = bucket
        application.state.gcs_emulator = gcs_emulator
        yield application


@dataclass
class Env:
    app: Any
    client: httpx.AsyncClient  # authenticated as a fresh owner
    owner_id: str
    settings: Settings
    fetch: Callable[[str], Awaitable[httpx.Response]]  # GET a signed URL

    @property
    def storage(self) -> Storage:
        storage: Storage = self.app.state.storage
        return storage

    async def keys(self, prefix: str) -> list[str]:
        storage = self.storage
        if isinstance(storage, LocalStorage):
            root = storage.path_for("x").parent
            base = root / prefix
            if not base.exists():
                return []
            return sorted(
                p.relative_to(root).as_posix()
                for p in base.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
            )

        def _list() -> list[str]:
            client = _gcs_client(self.app.state.gcs_emulator)
            try:
                return sorted(b.name for b in client.list_blobs(self.app.state.gcs_bucket, prefix=prefix))
            finally:
                client.close()

        return await asyncio.to_thread(_list)

    def temp_leftovers(self) -> list[Path]:
        tmp = self.settings.tmp_dir
        if not tmp.exists():
            return []
        return [p for p in tmp.iterdir() if p.name.startswith(("upload-", "normalised-"))]


async def _make_env(app: Any, settings: Settings) -> AsyncIterator[Env]:
    owner_id, key = await create_owner(app)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(
            transport=transport, base_url="http://test", headers={"Authorization": f"Bearer {key}"}
        ) as client,
        httpx.AsyncClient(transport=transport, base_url="http://test") as anon,
        httpx.AsyncClient() as plain,
    ):

        async def fetch(url: str) -> httpx.Response:
            if isinstance(app.state.storage, LocalStorage):
                return await anon.get(url)  # /v1/files/... through the same ASGI app
            return await plain.get(url)  # the emulator

        yield Env(app, client, owner_id, settings, fetch)


@pytest.fixture(params=["local", "gcs"])
def target_app(request: pytest.FixtureRequest) -> Any:
    """The app under test: the session app (local storage) or the GCS-backed one."""
    return request.getfixturevalue("app" if request.param == "local" else "gcs_app")


@pytest.fixture
async def env(target_app: Any, settings: Settings) -> AsyncIterator[Env]:
    async for e in _make_env(target_app, settings):
        yield e
        assert e.temp_leftovers() == []


@pytest.fixture
async def local_env(app: Any, settings: Settings) -> AsyncIterator[Env]:
    async for e in _make_env(app, settings):
        yield e


SMALL = {
    "max_images_per_dataset": 3,
    "max_files_per_request": 4,
    "max_file_bytes": 200_000,
    "max_request_bytes": 400_000,
}


@pytest.fixture(scope="module")
async def small_app(
    database_url: str, redis_url: str, run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Any]:
    from support.env import make_settings

    from api.app import create_app

    small_settings = make_settings(database_url, redis_url, tmp_path_factory.mktemp("small"), run_id, **SMALL)
    application = create_app(small_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def small(small_app: Any) -> AsyncIterator[Env]:
    async for e in _make_env(small_app, small_app.state.settings):
        yield e
        assert e.temp_leftovers() == []


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


async def new_dataset(env: Env, name: str = "faces") -> str:
    r = await env.client.post("/v1/datasets", json={"name": name, "trigger_word": "ZOE"})
    assert r.status_code == 201, r.text
    ds_id: str = r.json()["id"]
    return ds_id


async def upload(env: Env, ds_id: str, parts: list[Part]) -> httpx.Response:
    r = await env.client.post(
        f"/v1/datasets/{ds_id}/images", content=encode(parts), headers={"Content-Type": CONTENT_TYPE}
    )
    assert r.status_code < 500, r.text
    return r


def prefix(env: Env, ds_id: str) -> str:
    return f"owners/{env.owner_id}/datasets/{ds_id}/"


async def content(env: Env, ds_id: str, image_id: str) -> bytes:
    r = await env.client.get(f"/v1/datasets/{ds_id}/images/{image_id}/content")
    assert r.status_code == 302, r.text
    assert r.headers["cache-control"] == "no-store"
    got = await env.fetch(r.headers["location"])
    assert got.status_code == 200, got.text
    return got.content


def assert_no_metadata(data: bytes) -> PILImage.Image:
    for marker in METADATA_MARKERS:
        assert marker not in data, marker
    im = PILImage.open(io.BytesIO(data))
    assert len(im.getexif()) == 0
    for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "Author", "Description"):
        assert key not in im.info, key
    im.load()
    return im


async def assert_stored_exactly(env: Env, ds_id: str, images: list[dict[str, Any]]) -> None:
    keys = await env.keys(prefix(env, ds_id))
    assert all(KEY_RE.match(k) for k in keys), keys
    assert sorted(k.rsplit("/", 1)[1].split(".")[0] for k in keys) == sorted(i["id"] for i in images)
    for img in images:
        key = next(k for k in keys if f"/{img['id']}." in k)
        meta = await env.storage.stat(key)
        assert meta is not None
        assert meta.size == img["size_bytes"] and meta.sha256 == img["sha256"]


async def dataset(env: Env, ds_id: str) -> dict[str, Any]:
    r = await env.client.get(f"/v1/datasets/{ds_id}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


# ---------------------------------------------------------------------------------------------
# Real photos
# ---------------------------------------------------------------------------------------------

EXPECTED_SIZES = {
    "astronaut.png": (512, 512, "image/png"),
    "astronaut_exif_orientation6_gps.jpg": (512, 384, "image/jpeg"),
    "camera.png": (512, 512, "image/png"),
    "chelsea.png": (451, 300, "image/png"),
    "coffee.png": (600, 400, "image/png"),
    "rocket.jpg": (640, 427, "image/jpeg"),
}


async def test_upload_real_photos(env: Env) -> None:
    ds_id = await new_dataset(env)
    parts = [file_part(p.name, p.read_bytes(), "application/octet-stream") for p in hostile.VALID_PHOTOS]
    parts.append(caption_part("rocket.txt", "\ufeff  a photo of ZOE's rocket \n"))
    r = await upload(env, ds_id, parts)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["rejected"] == []
    images = body["images"]
    assert [i["filename"] for i in images] == [p.name for p in hostile.VALID_PHOTOS]
    for img in images:
        w, h, ctype = EXPECTED_SIZES[img["filename"]]
        assert (img["width"], img["height"], img["content_type"]) == (w, h, ctype), img
        assert img["id"].startswith("img_") and img["dataset_id"] == ds_id
        assert img["caption"] == ("a photo of ZOE's rocket" if img["filename"] == "rocket.jpg" else None)
        assert img["url"].startswith("http")
    await assert_stored_exactly(env, ds_id, images)
    ds = await dataset(env, ds_id)
    assert ds["image_count"] == 6
    assert ds["total_bytes"] == sum(i["size_bytes"] for i in images)

    exif = next(i for i in images if i["filename"] == "astronaut_exif_orientation6_gps.jpg")
    data = await content(env, ds_id, exif["id"])
    assert hashlib.sha256(data).hexdigest() == exif["sha256"] and len(data) == exif["size_bytes"]
    im = assert_no_metadata(data)
    assert im.size == (512, 384) and im.format == "JPEG" and im.mode == "RGB"
    # Upright: the source is stored sideways with orientation 6, so its left column becomes our top row.
    src = PILImage.open(hostile.ASTRONAUT_EXIF).convert("RGB")
    expected = src.transpose(PILImage.Transpose.ROTATE_270)
    diff = sum(
        abs(a - b) for a, b in zip(im.resize((32, 24)).tobytes(), expected.resize((32, 24)).tobytes(), strict=True)
    )
    assert diff / (32 * 24 * 3) < 8

    # The signed URL in the image itself works too.
    got = await env.fetch(exif["url"])
    assert got.status_code == 200 and got.content == data


HOSTILE_CASES = [c for c in hostile.CASE_IDS if c != "duplicate"]


@pytest.mark.parametrize("case_id", HOSTILE_CASES)
async def test_hostile_file_beside_a_valid_one(env: Env, case_id: str, tmp_path: Path) -> None:
    case = hostile.build_case(case_id, tmp_path)
    ds_id = await new_dataset(env)
    valid = photo_jpeg(HOSTILE_CASES.index(case_id) + 7)
    r = await upload(
        env, ds_id, [file_part("valid.jpg", valid), file_part(case.filename, case.path.read_bytes(), case.content_type)]
    )
    assert r.status_code == 201, r.text
    body = r.json()
    images = body["images"]
    if case.code is None:
        assert body["rejected"] == []
        assert [i["filename"] for i in images] == ["valid.jpg", sanitize_filename(case.filename)]
        data = await content(env, ds_id, images[1]["id"])
        im = assert_no_metadata(data)
        assert im.mode in ("RGB", "L")
        assert (im.width, im.height) == (images[1]["width"], images[1]["height"])
        if case_id in ("rgba_png", "palette_png_transparent", "la_png"):
            pixel = im.getpixel((2, 2)) if case_id != "rgba_png" else im.getpixel((2, im.height // 2))
            assert pixel in (255, (255, 255, 255)), pixel  # transparency flattened onto white
        if case_id in ("png_16bit_gray", "la_png"):
            assert im.mode == "L"
        if case_id == "cmyk_jpeg":
            assert im.mode == "RGB"
    else:
        assert [i["filename"] for i in images] == ["valid.jpg"]
        assert len(body["rejected"]) == 1
        rejected = body["rejected"][0]
        assert rejected["filename"] == sanitize_filename(case.filename)
        assert rejected["code"] == case.code, rejected
        assert rejected["detail"]
    await assert_stored_exactly(env, ds_id, images)
    ds = await dataset(env, ds_id)
    assert ds["image_count"] == len(images)
    assert ds["total_bytes"] == sum(i["size_bytes"] for i in images)


async def test_nothing_accepted_is_422_listing_every_file(env: Env, tmp_path: Path) -> None:
    cases = [hostile.build_case(c, tmp_path / c) for c in hostile.REJECTED_IDS]
    assert len(cases) <= 25
    ds_id = await new_dataset(env)
    parts = [file_part(c.filename, c.path.read_bytes(), c.content_type) for c in cases]
    parts.append(caption_part("lonely.txt", "a caption without its image"))
    r = await upload(env, ds_id, parts)
    body = assert_problem(r, 422, "no_images_accepted")
    got = sorted((e["filename"], e["code"]) for e in body["errors"])
    want = sorted([(sanitize_filename(c.filename), c.code) for c in cases] + [("lonely.txt", "caption_without_image")])
    assert got == want
    assert all(e["detail"] for e in body["errors"])
    assert await env.keys(prefix(env, ds_id)) == []
    ds = await dataset(env, ds_id)
    assert ds["image_count"] == 0 and ds["total_bytes"] == 0
    assert (await env.client.get(f"/v1/datasets/{ds_id}/images")).json()["data"] == []


async def test_hostile_filenames_are_sanitised_and_never_reach_keys(env: Env) -> None:
    ds_id = await new_dataset(env)
    names = list(hostile.HOSTILE_FILENAMES)
    parts = [file_part(name, photo_jpeg(i + 40)) for i, name in enumerate(names)]
    r = await upload(env, ds_id, parts)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["rejected"] == []
    # Browsers (and support.multipart) send CR/LF in a filename as %0D/%0A; everything else arrives raw.
    expected = [
        sanitize_filename(n.replace("\r", "%0D").replace("\n", "%0A")) if "\r" in n else hostile.HOSTILE_FILENAMES[n]
        for n in names
    ]
    assert [i["filename"] for i in body["images"]] == expected
    assert not any((c.isspace() and c != " ") or not c.isprintable() for i in body["images"] for c in i["filename"])
    keys = await env.keys(prefix(env, ds_id))
    assert len(keys) == len(names)
    assert all(KEY_RE.match(k) for k in keys), keys


async def test_duplicates_in_the_request_and_in_the_dataset(env: Env, tmp_path: Path) -> None:
    ds_id = await new_dataset(env)
    rocket = hostile.ROCKET.read_bytes()
    copy = hostile.duplicate_of(tmp_path).read_bytes()
    r = await upload(env, ds_id, [file_part("a.jpg", rocket), file_part("b.jpg", copy)])
    assert r.status_code == 201, r.text
    body = r.json()
    assert [i["filename"] for i in body["images"]] == ["a.jpg"]
    assert [(x["filename"], x["code"]) for x in body["rejected"]] == [("b.jpg", "duplicate_image")]

    r = await upload(env, ds_id, [file_part("again.jpg", rocket)])
    problem = assert_problem(r, 422, "no_images_accepted")
    assert [(e["filename"], e["code"]) for e in problem["errors"]] == [("again.jpg", "duplicate_image")]
    await assert_stored_exactly(env, ds_id, body["images"])
    assert (await dataset(env, ds_id))["image_count"] == 1


async def test_captions(env: Env) -> None:
    ds_id = await new_dataset(env)
    parts = [
        caption_part("one.txt", "first caption"),  # a caption may come before its image
        file_part("one.jpg", photo_jpeg(60)),
        file_part("two.jpg", photo_jpeg(61)),
        file_part("three.jpg", photo_jpeg(62)),
        caption_part("three.txt", b"\xff\xfe not utf-8"),
        caption_part("four.txt", "nobody's caption"),
    ]
    r = await upload(env, ds_id, parts)
    assert r.status_code == 201, r.text
    body = r.json()
    assert {i["filename"]: i["caption"] for i in body["images"]} == {
        "one.jpg": "first caption",
        "two.jpg": None,
        "three.jpg": None,
    }
    assert sorted((x["filename"], x["code"]) for x in body["rejected"]) == [
        ("four.txt", "caption_without_image"),
        ("three.txt", "invalid_caption"),
    ]


async def test_unexpected_field_name_is_rejected(env: Env) -> None:
    ds_id = await new_dataset(env)
    parts = [file_part("ok.jpg", photo_jpeg(70)), file_part("other.jpg", photo_jpeg(71), name="photo")]
    r = await upload(env, ds_id, parts)
    assert r.status_code == 201, r.text
    assert [(x["filename"], x["code"]) for x in r.json()["rejected"]] == [("other.jpg", "unexpected_field")]
    await assert_stored_exactly(env, ds_id, r.json()["images"])


# ---------------------------------------------------------------------------------------------
# Request-level errors
# ---------------------------------------------------------------------------------------------


async def test_request_level_errors(env: Env) -> None:
    ds_id = await new_dataset(env)
    url = f"/v1/datasets/{ds_id}/images"
    assert_problem(await env.client.post(url, json={"files": []}), 415, "unsupported_media_type")
    broken = encode([file_part("a.jpg", photo_jpeg(80))])[:-40]
    assert_problem(await env.client.post(url, content=broken, headers={"Content-Type": CONTENT_TYPE}), 400)
    only_field = encode([field_part("note", "hello")])
    r = await env.client.post(url, content=only_field, headers={"Content-Type": CONTENT_TYPE})
    assert_problem(r, 422, "no_files")
    assert await env.keys(prefix(env, ds_id)) == []


async def test_body_over_the_request_limit_is_413_while_streaming(small: Env) -> None:
    ds_id = await new_dataset(small)
    body = encode([file_part(f"p{i}.jpg", photo_jpeg(i) + b"\x00" * 150_000) for i in range(3)])
    assert len(body) > SMALL["max_request_bytes"]
    url = f"/v1/datasets/{ds_id}/images"
    r = await small.client.post(url, content=body, headers={"Content-Type": CONTENT_TYPE})
    assert_problem(r, 413, "payload_too_large")
    # Without Content-Length (chunked): refused once the running count passes the limit.
    big = encode([file_part("big.jpg", b"\xff\xd8\xff" + b"\x00" * 5_000_000)])
    stream = CountingStream(big, chunk_size=64 * 1024)
    r = await small.client.post(url, content=stream, headers={"Content-Type": CONTENT_TYPE})  # type: ignore[arg-type]
    assert_problem(r, 413, "payload_too_large")
    assert stream.pulled < len(big) // 4
    assert await small.keys(prefix(small, ds_id)) == []


async def test_too_many_files_is_413(small: Env) -> None:
    ds_id = await new_dataset(small)
    parts = [file_part(f"p{i}.jpg", photo_jpeg(i + 90)) for i in range(SMALL["max_files_per_request"] + 1)]
    assert_problem(await upload(small, ds_id, parts), 413, "too_many_files")
    assert await small.keys(prefix(small, ds_id)) == []
    assert (await dataset(small, ds_id))["image_count"] == 0


async def test_file_over_the_file_limit_is_rejected_and_others_kept(small: Env) -> None:
    ds_id = await new_dataset(small)
    big = photo_jpeg(96) + b"\x00" * SMALL["max_file_bytes"]
    assert SMALL["max_file_bytes"] < len(big) < SMALL["max_request_bytes"] - 50_000
    r = await upload(small, ds_id, [file_part("big.png", big, "image/png"), file_part("ok.jpg", photo_jpeg(95))])
    assert r.status_code == 201, r.text
    body = r.json()
    assert [(x["filename"], x["code"]) for x in body["rejected"]] == [("big.png", "file_too_large")]
    await assert_stored_exactly(small, ds_id, body["images"])


async def test_dataset_cap(small: Env) -> None:
    ds_id = await new_dataset(small)
    r = await upload(small, ds_id, [file_part(f"p{i}.jpg", photo_jpeg(i + 100)) for i in range(4)])
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["images"]) == 3
    assert [(x["filename"], x["code"]) for x in body["rejected"]] == [("p3.jpg", "dataset_full")]
    r = await upload(small, ds_id, [file_part("more.jpg", photo_jpeg(110))])
    problem = assert_problem(r, 422, "no_images_accepted")
    assert [e["code"] for e in problem["errors"]] == ["dataset_full"]
    await assert_stored_exactly(small, ds_id, body["images"])
    ds = await dataset(small, ds_id)
    assert ds["image_count"] == 3


async def test_concurrent_uploads_cannot_exceed_the_cap(small: Env) -> None:
    ds_id = await new_dataset(small)
    batches = [[file_part(f"b{b}_{i}.jpg", photo_jpeg(120 + b * 10 + i)) for i in range(3)] for b in range(3)]
    responses = await asyncio.gather(*(upload(small, ds_id, parts) for parts in batches))
    accepted = [img for r in responses if r.status_code == 201 for img in r.json()["images"]]
    assert len(accepted) == 3
    for r in responses:
        items = r.json()["rejected"] if r.status_code == 201 else assert_problem(r, 422, "no_images_accepted")["errors"]
        assert {x["code"] for x in items} <= {"dataset_full"}
    await assert_stored_exactly(small, ds_id, accepted)
    assert (await dataset(small, ds_id))["image_count"] == 3


# ---------------------------------------------------------------------------------------------
# List / get / patch / delete / content
# ---------------------------------------------------------------------------------------------


async def _seed(env: Env, n: int = 3, base: int = 200) -> tuple[str, list[dict[str, Any]]]:
    ds_id = await new_dataset(env)
    imgs = []
    for i in range(n):  # one request each, so creation order is certain
        r = await upload(env, ds_id, [file_part(f"p{i}.jpg", photo_jpeg(base + i))])
        assert r.status_code == 201, r.text
        imgs += r.json()["images"]
    return ds_id, imgs


async def test_list_get_patch_delete(env: Env) -> None:
    ds_id, imgs = await _seed(env)
    r = await env.client.get(f"/v1/datasets/{ds_id}/images", params={"limit": 2})
    page = r.json()
    assert [i["id"] for i in page["data"]] == [imgs[2]["id"], imgs[1]["id"]] and page["has_more"]
    r = await env.client.get(f"/v1/datasets/{ds_id}/images", params={"limit": 2, "after": page["next_cursor"]})
    assert [i["id"] for i in r.json()["data"]] == [imgs[0]["id"]] and not r.json()["has_more"]

    img = imgs[0]
    got = (await env.client.get(f"/v1/datasets/{ds_id}/images/{img['id']}")).json()
    assert {k: v for k, v in got.items() if k != "url"} == {k: v for k, v in img.items() if k != "url"}

    r = await env.client.patch(f"/v1/datasets/{ds_id}/images/{img['id']}", json={"caption": " ZOE smiling "})
    assert r.status_code == 200 and r.json()["caption"] == "ZOE smiling"
    r = await env.client.patch(f"/v1/datasets/{ds_id}/images/{img['id']}", json={"caption": ""})
    assert r.json()["caption"] is None
    assert_problem(
        await env.client.patch(f"/v1/datasets/{ds_id}/images/{img['id']}", json={"caption": "x" * 4001}), 422
    )
    assert_problem(await env.client.patch(f"/v1/datasets/{ds_id}/images/{img['id']}", json={"width": 3}), 422)

    r = await env.client.delete(f"/v1/datasets/{ds_id}/images/{img['id']}")
    assert r.status_code == 204
    assert_problem(await env.client.get(f"/v1/datasets/{ds_id}/images/{img['id']}"), 404, "image_not_found")
    await assert_stored_exactly(env, ds_id, imgs[1:])
    ds = await dataset(env, ds_id)
    assert ds["image_count"] == 2 and ds["total_bytes"] == imgs[1]["size_bytes"] + imgs[2]["size_bytes"]
    # The freed content can come back.
    r = await upload(env, ds_id, [file_part("again.jpg", photo_jpeg(200))])
    assert r.status_code == 201, r.text


async def test_image_delete_waits_for_a_training_collecting_images(env: Env) -> None:
    ds_id, imgs = await _seed(env, n=1, base=230)
    async with env.app.state.sessionmaker() as session:
        trn = Training(
            id=new_id("training"),
            owner_id=env.owner_id,
            dataset_id=ds_id,
            base_model_id="mdl_flux_1_dev",
            trainer="fast",
            name="t",
            params={},
            image_count=1,
            status="preparing",
        )
        session.add(trn)
        await session.commit()
    url = f"/v1/datasets/{ds_id}/images/{imgs[0]['id']}"
    assert_problem(await env.client.delete(url), 409, "dataset_in_use")
    async with env.app.state.sessionmaker() as session:
        row = await session.get(Training, trn.id)
        assert row is not None
        row.status = "training"  # the ZIP is stored: the images are no longer read
        await session.commit()
    assert (await env.client.delete(url)).status_code == 204


async def test_images_of_other_owners_and_other_datasets_are_404(env: Env, tmp_path: Path) -> None:
    ds_id, imgs = await _seed(env, n=1, base=250)
    img_id = imgs[0]["id"]
    other_ds = await new_dataset(env, "other")
    async for intruder in _make_env(env.app, env.settings):
        for client, ds in ((intruder.client, ds_id), (env.client, other_ds)):
            base = f"/v1/datasets/{ds}/images"
            assert_problem(await client.get(f"{base}/{img_id}"), 404)
            assert_problem(await client.get(f"{base}/{img_id}/content"), 404)
            assert_problem(await client.patch(f"{base}/{img_id}", json={"caption": "x"}), 404)
            assert_problem(await client.delete(f"{base}/{img_id}"), 404)
        base = f"/v1/datasets/{ds_id}/images"
        assert_problem(await intruder.client.get(base), 404, "dataset_not_found")
        r = await intruder.client.post(
            base, content=encode([file_part("x.jpg", photo_jpeg(260))]), headers={"Content-Type": CONTENT_TYPE}
        )
        assert_problem(r, 404, "dataset_not_found")
        assert_problem(await intruder.client.delete(f"/v1/datasets/{ds_id}"), 404)
    assert_problem(await env.client.get(f"/v1/datasets/{ds_id}/images/img_%00"), 404)
    await assert_stored_exactly(env, ds_id, imgs)
    assert await env.keys(prefix(env, other_ds)) == []
    r = await env.client.get(f"/v1/datasets/{ds_id}/images/{img_id}")
    assert r.status_code == 200 and r.json()["caption"] is None


async def test_dataset_delete_removes_uploaded_objects(env: Env) -> None:
    ds_id, _imgs = await _seed(env, n=2, base=270)
    assert len(await env.keys(prefix(env, ds_id))) == 2
    assert (await env.client.delete(f"/v1/datasets/{ds_id}")).status_code == 204
    assert await env.keys(prefix(env, ds_id)) == []


async def test_cap_keeps_request_order_whatever_finishes_first(small: Env) -> None:
    """Room for one: the first file of the request wins even when a later, smaller one is processed first."""
    ds_id = await new_dataset(small)
    r = await upload(small, ds_id, [file_part(f"p{i}.jpg", photo_jpeg(300 + i)) for i in range(2)])
    assert r.status_code == 201, r.text
    first = r.json()["images"]
    big = photo_jpeg(310, side=900)
    parts = [file_part("big.jpg", big), file_part("tiny.jpg", photo_jpeg(311, side=260))]
    r = await upload(small, ds_id, parts)
    assert r.status_code == 201, r.text
    body = r.json()
    assert [i["filename"] for i in body["images"]] == ["big.jpg"]
    assert [(x["filename"], x["code"]) for x in body["rejected"]] == [("tiny.jpg", "dataset_full")]
    await assert_stored_exactly(small, ds_id, first + body["images"])


class _FailingStorage(LocalStorage):
    """Real local storage whose writes (``put`` and ``put_file``) fail from the ``fail_from``-th on (a disk filling
    up)."""

    def __init__(self, inner: LocalStorage, fail_from: int) -> None:
        self.__dict__.update(inner.__dict__)
        self.calls = 0
        self.fail_from = fail_from

    def _write(self) -> None:
        self.calls += 1
        if self.calls >= self.fail_from:
            raise OSError(28, "No space left on device")

    async def put(self, key: str, chunks: Any, content_type: str) -> Any:
        self._write()
        return await super().put(key, chunks, content_type)

    async def put_file(self, key: str, path: Any, content_type: str, *, consume: bool = False) -> Any:
        self._write()
        return await super().put_file(key, path, content_type, consume=consume)


async def test_storage_failure_leaves_no_orphans(small_app: Any) -> None:
    real = small_app.state.storage
    async for env in _make_env(small_app, small_app.state.settings):
        ds_id = await new_dataset(env)
        small_app.state.storage = _FailingStorage(real, fail_from=3)
        try:
            parts = [file_part(f"p{i}.jpg", photo_jpeg(320 + i)) for i in range(3)]
            r = await env.client.post(
                f"/v1/datasets/{ds_id}/images", content=encode(parts), headers={"Content-Type": CONTENT_TYPE}
            )
            assert_problem(r, 503, "storage_unavailable")
        finally:
            small_app.state.storage = real
        assert await env.keys(prefix(env, ds_id)) == []
        assert env.temp_leftovers() == []
        ds = await dataset(env, ds_id)
        assert ds["image_count"] == 0 and ds["total_bytes"] == 0
        r = await upload(env, ds_id, parts)  # and the same files go through once storage is back
        assert r.status_code == 201 and len(r.json()["images"]) == 3

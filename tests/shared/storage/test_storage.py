"""One behavioural suite, run against both storage backends (see conftest ``storage``)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import os
import random
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import psutil
import pytest
from fastapi import FastAPI

from api.routes.files import router as files_router
from shared.storage import (
    GCSStorage,
    InvalidKey,
    LocalStorage,
    ObjectExists,
    ObjectNotFound,
    Storage,
    StorageError,
    StoredObject,
)

MiB = 1024 * 1024
PNG_BYTES = (Path(__file__).parents[2] / "fixtures" / "images" / "camera.png").read_bytes()


async def stream(data: bytes, *, sizes: tuple[int, ...] = (65_536,)) -> AsyncIterator[bytes]:
    """Yield ``data`` in chunks whose sizes cycle through ``sizes``."""
    pos, i = 0, 0
    while pos < len(data):
        n = sizes[i % len(sizes)]
        yield data[pos : pos + n]
        pos += n
        i += 1
        await asyncio.sleep(0)


async def read_all(storage: Storage, key: str, chunk_size: int = MiB) -> bytes:
    return b"".join([chunk async for chunk in storage.open(key, chunk_size=chunk_size)])


def random_bytes(n: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(n)


# -- round trips ------------------------------------------------------------------------------------


async def test_multi_megabyte_streamed_round_trip(storage: Storage) -> None:
    data = random_bytes(19 * MiB + 12_345)  # several upload chunks plus a ragged tail
    key = "owners/o1/models/m1/lora.safetensors"

    stored = await storage.put(key, stream(data, sizes=(700_001, 65_536, 3 * MiB)), "application/octet-stream")

    expected = StoredObject(key, len(data), hashlib.sha256(data).hexdigest(), "application/octet-stream")
    assert stored == expected
    assert await storage.stat(key) == expected
    assert await read_all(storage, key, chunk_size=3 * MiB + 1) == data


@pytest.mark.parametrize("size", [0, 1, 300_000])
async def test_small_objects_round_trip(storage: Storage, size: int) -> None:
    data = random_bytes(size, seed=size)
    key = f"owners/o1/generations/g1/{size}.webp"

    stored = await storage.put(key, stream(data), "image/webp")

    assert stored.size == size
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert await storage.stat(key) == stored
    assert await read_all(storage, key) == data


async def test_put_file_and_download_to(storage: Storage, tmp_path: Path) -> None:
    src = tmp_path / "in.bin"
    src.write_bytes(random_bytes(3 * MiB + 7))
    key = "owners/o1/trainings/t1/dataset.zip"

    stored = await storage.put_file(key, src, "application/zip")
    dest = tmp_path / "out" / "dataset.zip"
    downloaded = await storage.download_to(key, dest)

    assert dest.read_bytes() == src.read_bytes()
    assert downloaded == stored
    assert stored.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
    assert [p.name for p in dest.parent.iterdir()] == ["dataset.zip"]  # no temp file left


async def test_put_file_consuming_its_temporary_copy(storage: Storage, tmp_path: Path) -> None:
    """``consume``: the caller's temp copy goes once stored (local storage links that very file into place, when
    it is on the same disk); a refused create leaves it with the caller."""
    data = random_bytes(MiB + 3)
    src = tmp_path / "copy.img"
    src.write_bytes(data)
    key = "owners/o1/datasets/d1/images/consumed.jpg"
    stored = await storage.put_file(key, src, "image/jpeg", consume=True)
    assert not src.exists()
    assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert await storage.stat(key) == stored and await read_all(storage, key) == data

    again = tmp_path / "again.img"
    again.write_bytes(b"other bytes")
    with pytest.raises(ObjectExists):
        await storage.put_file(key, again, "image/jpeg", consume=True)
    assert again.read_bytes() == b"other bytes"  # not taken: still the caller's to delete
    assert await read_all(storage, key) == data


async def test_open_can_stop_early(storage: Storage) -> None:
    key = "owners/o1/datasets/d1/images/i1.png"
    await storage.put(key, stream(random_bytes(3 * MiB)), "image/png")

    async with contextlib.aclosing(storage.open(key, chunk_size=MiB)) as chunks:
        first = await anext(chunks)

    assert len(first) == MiB


# -- create-only and failures -----------------------------------------------------------------------


async def test_second_put_to_same_key_raises_object_exists(storage: Storage) -> None:
    key = "owners/o1/models/m1/config.json"
    first = await storage.put(key, stream(b'{"v": 1}'), "application/json")

    with pytest.raises(ObjectExists) as excinfo:
        await storage.put(key, stream(b'{"v": 2}'), "application/json")

    assert excinfo.value.key == key
    assert await read_all(storage, key) == b'{"v": 1}'
    assert await storage.stat(key) == first


async def test_identical_retry_is_also_refused(storage: Storage) -> None:
    # Documented choice: strict create-only; callers compare stat().sha256 themselves.
    key = "owners/o1/models/m1/config.json"
    await storage.put(key, stream(b"same"), "application/json")

    with pytest.raises(ObjectExists):
        await storage.put(key, stream(b"same"), "application/json")


@pytest.mark.parametrize("fail_after", [100_000, 10 * MiB])
async def test_failed_put_leaves_nothing_behind(storage: Storage, tmp_path: Path, fail_after: int) -> None:
    key = "owners/o1/generations/g1/0.png"

    async def broken() -> AsyncIterator[bytes]:
        sent = 0
        while sent < fail_after:
            yield random_bytes(MiB // 4, seed=sent)
            sent += MiB // 4
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await storage.put(key, broken(), "image/png")

    assert await storage.stat(key) is None
    if isinstance(storage, LocalStorage):
        assert not [p for p in storage.root.rglob("*") if p.is_file()]
    # and the key is still free
    await storage.put(key, stream(b"ok"), "image/png")
    assert await read_all(storage, key) == b"ok"


async def test_missing_object(storage: Storage, tmp_path: Path) -> None:
    key = "owners/o1/generations/g1/404.png"

    assert await storage.stat(key) is None
    with pytest.raises(ObjectNotFound):
        await read_all(storage, key)
    with pytest.raises(ObjectNotFound):
        await storage.download_to(key, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
    assert list(tmp_path.glob(".x.png*")) == []
    assert await storage.delete(key) is False


# -- deletes ----------------------------------------------------------------------------------------


async def test_delete(storage: Storage) -> None:
    key = "owners/o1/generations/g1/0.png"
    await storage.put(key, stream(b"png"), "image/png")

    assert await storage.delete(key) is True
    assert await storage.stat(key) is None
    with pytest.raises(ObjectNotFound):
        await read_all(storage, key)
    assert await storage.delete(key) is False
    await storage.put(key, stream(b"again"), "image/png")  # the key can be reused


async def test_delete_prefix_deletes_only_under_the_prefix(storage: Storage) -> None:
    doomed = [
        "owners/o1/generations/g1/0.png",
        "owners/o1/generations/g1/0.thumb.webp",
        "owners/o1/models/m1/lora.safetensors",
    ]
    kept = ["owners/o12/generations/g1/0.png", "owners/o2/models/m1/config.json", "owners/o1x"]
    for key in doomed + kept:
        await storage.put(key, stream(key.encode()), "application/octet-stream")

    assert await storage.delete_prefix("owners/o1/generations/") == 2
    assert await storage.delete_prefix("owners/o1/") == 1
    assert await storage.delete_prefix("owners/o1/") == 0

    for key in doomed:
        assert await storage.stat(key) is None
    for key in kept:
        assert await read_all(storage, key) == key.encode()
    # plain string prefix semantics, like GCS
    assert await storage.delete_prefix("owners/o1") == 2  # owners/o12/... and owners/o1x
    assert await storage.stat("owners/o2/models/m1/config.json") is not None


# -- keys -------------------------------------------------------------------------------------------

BAD_KEYS = [
    "",
    "/owners/o1/x.png",
    "owners/../etc/passwd",
    "..",
    "owners/./x.png",
    "owners/.hidden",
    "owners\\o1\\x.png",
    "owners/o1/x\x00.png",
    "owners/o1/x\n.png",
    "owners//x.png",
    "owners/o1/",
    "a" * 1025,
]


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_invalid_keys_are_refused_everywhere(storage: Storage, key: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidKey):
        await storage.put(key, stream(b"x"), "text/plain")
    with pytest.raises(InvalidKey):
        await storage.stat(key)
    with pytest.raises(InvalidKey):
        await read_all(storage, key)
    with pytest.raises(InvalidKey):
        await storage.download_to(key, tmp_path / "x")
    with pytest.raises(InvalidKey):
        await storage.delete(key)
    with pytest.raises(InvalidKey):
        await storage.signed_url(key, timedelta(minutes=1))


@pytest.mark.parametrize("prefix", ["", "/", "/owners/", "owners/../", "../", ".meta/"])
async def test_invalid_prefixes_are_refused(storage: Storage, prefix: str) -> None:
    with pytest.raises(InvalidKey):
        await storage.delete_prefix(prefix)


async def test_unusual_but_valid_key(storage: Storage, http: httpx.AsyncClient) -> None:
    key = "owners/o1/datasets/d 1/images/é+ü%20#?.png"
    await storage.put(key, stream(PNG_BYTES), "image/png")

    assert await read_all(storage, key) == PNG_BYTES
    response = await http.get(await storage.signed_url(key, timedelta(minutes=1)))
    assert response.status_code == 200
    assert response.content == PNG_BYTES


# -- signed URLs ------------------------------------------------------------------------------------


async def test_signed_url_can_be_fetched(storage: Storage, http: httpx.AsyncClient) -> None:
    key = "owners/o1/generations/g1/0.png"
    await storage.put(key, stream(PNG_BYTES), "image/png")

    url = await storage.signed_url(key, timedelta(minutes=5))
    response = await http.get(url)

    assert response.status_code == 200
    assert response.content == PNG_BYTES
    assert response.headers["content-type"] == "image/png"
    if isinstance(storage, LocalStorage):
        assert url.startswith("http://fotogen.test/v1/files/owners/o1/generations/g1/0.png?expires=")
        cache_control = response.headers["cache-control"]
        assert cache_control.startswith("private, max-age=")
        assert 290 <= int(cache_control.rsplit("=", 1)[1]) <= 300


async def test_signed_url_with_download_name(storage: Storage, http: httpx.AsyncClient) -> None:
    key = "owners/o1/generations/g1/0.png"
    await storage.put(key, stream(PNG_BYTES), "image/png")

    response = await http.get(await storage.signed_url(key, timedelta(minutes=5), download_name="portrait ü.png"))

    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''portrait%20%c3%bc.png" in disposition.lower()


async def test_signed_url_for_missing_object_is_404(storage: Storage, http: httpx.AsyncClient) -> None:
    response = await http.get(await storage.signed_url("owners/o1/nope.png", timedelta(minutes=5)))

    assert response.status_code == 404


async def test_signed_url_refused_when_tampered_or_expired(storage: Storage, http: httpx.AsyncClient) -> None:
    key = "owners/o1/generations/g1/0.png"
    await storage.put(key, stream(PNG_BYTES), "image/png")
    await storage.put("owners/o2/secret.png", stream(b"other owner"), "image/png")
    url = await storage.signed_url(key, timedelta(minutes=5))

    if isinstance(storage, GCSStorage):
        # gcp-storage-emulator serves signed-URL paths but does not verify signatures, so we can
        # only check we produced a well-formed V4 URL for the right key, endpoint and TTL.
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        assert parts.path == f"/{storage.bucket_name}/{key}"
        assert query["X-Goog-Algorithm"] == ["GOOG4-RSA-SHA256"]
        assert query["X-Goog-Expires"] == ["300"]
        assert query["X-Goog-Credential"][0].startswith("signer@fotogen-test.iam.gserviceaccount.com/")
        assert len(query["X-Goog-Signature"][0]) == 512  # hex RSA-2048
        return

    assert isinstance(storage, LocalStorage)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    expires, sig = int(query["expires"][0]), query["sig"][0]

    def with_(path: str = parts.path, **params: str | int) -> str:
        q = {"expires": expires, "sig": sig} | params
        return urlunsplit(parts._replace(path=path, query="&".join(f"{k}={v}" for k, v in q.items())))

    assert (await http.get(with_())).status_code == 200
    assert (await http.get(with_(sig=sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")))).status_code == 403
    assert (await http.get(with_(expires=expires + 3600))).status_code == 403
    assert (await http.get(with_(path="/v1/files/owners/o2/secret.png"))).status_code == 403
    assert (await http.get(with_(download_name="x.exe"))).status_code == 403
    assert (await http.get(parts._replace(query="").geturl())).status_code == 422  # no signature at all
    assert storage.verify_signature(key, expires, sig)
    assert not storage.verify_signature(key, expires, sig, now=expires)

    short = await storage.signed_url(key, timedelta(seconds=1))
    short_expires = int(parse_qs(urlsplit(short).query)["expires"][0])
    await asyncio.sleep(short_expires - time.time() + 0.05)
    assert (await http.get(short)).status_code == 403


async def test_files_route_serves_only_local_storage(storage: Storage) -> None:
    app = FastAPI()
    app.include_router(files_router)
    app.state.storage = storage
    key = "owners/o1/x.png"
    await storage.put(key, stream(PNG_BYTES), "image/png")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        forged = await client.get(f"/v1/files/{key}?expires=9999999999&sig=abc")
        bad_keys = [
            await client.get(f"/v1/files/{path}?expires=9999999999&sig=abc")
            for path in ("owners/%2e%2e/%2e%2e/etc/passwd", "owners/.x.png.meta.json", "owners%5Co1")
        ]

    # local: the file exists but the signature is wrong; GCS: the route is not in use at all
    assert forged.status_code == (403 if isinstance(storage, LocalStorage) else 404)
    assert [r.status_code for r in bad_keys] == [404, 404, 404]


def test_files_route_in_openapi() -> None:
    app = FastAPI()
    app.include_router(files_router)
    operation = app.openapi()["paths"]["/v1/files/{key}"]["get"]
    assert operation["operationId"] == "files-get"


# -- readiness --------------------------------------------------------------------------------------


async def test_ping(storage: Storage, tmp_path: Path) -> None:
    await storage.ping()

    broken: Storage
    if isinstance(storage, LocalStorage):
        (tmp_path / "a-file").write_text("not a directory")
        broken = LocalStorage(tmp_path / "a-file" / "root", "http://x", "k")
    else:
        assert isinstance(storage, GCSStorage)
        broken = GCSStorage("no-such-bucket", project="p", api_endpoint=storage._signed_url_endpoint)
    try:
        with pytest.raises(StorageError):
            await broken.ping()
    finally:
        await broken.aclose()


# -- memory -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def peak_rss() -> Iterator[list[int]]:
    """Sample this process's RSS every few ms; yields a list whose first item becomes the peak."""
    proc = psutil.Process(os.getpid())
    result = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            result[0] = max(result[0], proc.memory_info().rss)
            time.sleep(0.002)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        done.set()
        thread.join()


async def test_64mb_put_does_not_buffer_the_object(storage: Storage) -> None:
    size = 64 * MiB
    chunk = MiB
    expected = hashlib.sha256()

    async def generate() -> AsyncIterator[bytes]:
        for i in range(size // chunk):
            block = random_bytes(chunk, seed=i)
            expected.update(block)
            yield block

    # Warm up (imports, thread pool, connection pool, allocator arenas) with a smaller put.
    await storage.put("warmup/0.bin", stream(random_bytes(9 * MiB), sizes=(MiB,)), "application/octet-stream")
    gc.collect()
    baseline = psutil.Process(os.getpid()).memory_info().rss

    with peak_rss() as peak:
        stored = await storage.put("owners/o1/big.bin", generate(), "application/octet-stream")

    growth = peak[0] - baseline
    assert stored.size == size
    assert stored.sha256 == expected.hexdigest()
    print(f"{type(storage).__name__}: RSS grew by {growth / MiB:.1f} MiB during a 64 MiB put")
    assert growth < 20 * MiB, f"RSS grew by {growth / MiB:.1f} MiB while putting 64 MiB"


async def test_stat_recomputes_lost_sha256(storage: Storage) -> None:
    """A crash between committing the bytes and recording the sha256 must not lose it for good."""
    key = "owners/o1/models/m1/lora.safetensors"
    data = random_bytes(2 * MiB + 3)
    if isinstance(storage, LocalStorage):
        stored = await storage.put(key, stream(data), "application/octet-stream")
        sidecar = storage.path_for(key).with_name(".lora.safetensors.meta.json")
        sidecar.unlink()  # as if the process died right after the link
    else:
        assert isinstance(storage, GCSStorage)
        blob = storage._bucket.blob(key)  # an object without our metadata, as after a lost PATCH
        await asyncio.to_thread(blob.upload_from_string, data, content_type="application/octet-stream")

    first = await storage.stat(key)
    second = await storage.stat(key)

    assert first == second == StoredObject(key, len(data), hashlib.sha256(data).hexdigest(), "application/octet-stream")
    if isinstance(storage, LocalStorage):
        assert first == stored
        assert sidecar.exists()

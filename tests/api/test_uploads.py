from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from support import hostile
from support.multipart import (
    BOUNDARY,
    CONTENT_TYPE,
    CountingStream,
    Part,
    caption_part,
    encode,
    field_part,
    file_part,
    part_head,
)

from api.uploads import (
    MalformedMultipart,
    PayloadTooLarge,
    TooManyParts,
    UnsupportedMediaType,
    UploadLimits,
    read_multipart,
)
from shared.errors import FotogenError
from shared.uploads import IncomingBatch

ROCKET = hostile.ROCKET.read_bytes()
COFFEE = hostile.COFFEE.read_bytes()
ASTRONAUT = hostile.ASTRONAUT.read_bytes()


def make_app(limits: UploadLimits, tmp_dir: Path) -> FastAPI:
    app = FastAPI()

    @app.exception_handler(FotogenError)
    async def _problem(request: Request, exc: FotogenError) -> JSONResponse:
        return JSONResponse(
            {"status": exc.status_code, "code": exc.code, "detail": exc.detail, "type": type(exc).__name__},
            status_code=exc.status_code,
        )

    @app.post("/upload")
    async def upload(request: Request) -> dict[str, Any]:
        async with await read_multipart(request, limits, tmp_dir) as parsed:
            return describe(parsed, tmp_dir)

    return app


def describe(parsed: IncomingBatch, tmp_dir: Path) -> dict[str, Any]:
    files = []
    for f in parsed.files:
        data = f.path.read_bytes()
        assert len(data) == f.size
        assert f.path.parent == tmp_dir
        files.append(
            {
                "field_name": f.field_name,
                "filename": f.filename,
                "display_name": f.display_name,
                "declared_content_type": f.declared_content_type,
                "size": f.size,
                "sha256": hashlib.sha256(data).hexdigest(),
                "temp_name": f.path.name,
                "caption": parsed.caption_for(f),
            }
        )
    return {
        "files": files,
        "captions": parsed.captions,
        "fields": parsed.fields,
        "rejected": [{"filename": r.filename, "code": r.code, "detail": r.detail} for r in parsed.rejected],
        "tmp_listing": sorted(p.name for p in tmp_dir.iterdir()),
    }


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    d = tmp_path / "uploads"
    d.mkdir()
    return d


async def post(
    limits: UploadLimits,
    tmp_dir: Path,
    content: Any,
    content_type: str | None = CONTENT_TYPE,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    all_headers = dict(headers or {})
    if content_type is not None:
        all_headers["content-type"] = content_type
    transport = httpx.ASGITransport(app=make_app(limits, tmp_dir))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post("/upload", content=content, headers=all_headers)


# ---------------------------------------------------------------------------------------------


async def test_files_captions_and_fields(tmp_dir: Path) -> None:
    body = encode(
        [
            file_part("rocket.jpg", ROCKET),
            caption_part("rocket.txt", "a rocket on the launch pad"),
            file_part("coffee.png", COFFEE, "image/png"),
            field_part("note", "héllo"),
            caption_part("orphan.txt", "no image for me"),
            file_part("photo.png", ROCKET, "image/png"),  # declared type is a lie; not judged here
        ]
    )
    r = await post(UploadLimits(), tmp_dir, body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert [(f["display_name"], f["size"], f["sha256"]) for f in out["files"]] == [
        ("rocket.jpg", len(ROCKET), sha(ROCKET)),
        ("coffee.png", len(COFFEE), sha(COFFEE)),
        ("photo.png", len(ROCKET), sha(ROCKET)),
    ]
    assert out["files"][0]["caption"] == "a rocket on the launch pad"
    assert out["files"][1]["caption"] is None
    assert out["files"][2]["declared_content_type"] == "image/png"
    assert out["captions"] == {"rocket": "a rocket on the launch pad", "orphan": "no image for me"}
    assert out["fields"] == {"note": "héllo"}
    assert out["rejected"] == []
    assert list(tmp_dir.iterdir()) == []  # cleaned up by `async with`


async def test_oversize_file_rejected_others_kept(tmp_dir: Path) -> None:
    big = os.urandom(3 * 1024 * 1024)  # > 1 MiB batches: part of it reached the disk before the drop
    body = encode(
        [
            file_part("first.jpg", ROCKET),
            file_part("huge.jpg", big),
            file_part("astronaut.png", ASTRONAUT, "image/png"),
            file_part("also-huge.png", big[: 2 * 1024 * 1024], "image/png"),
            file_part("last.png", COFFEE, "image/png"),
        ]
    )
    limits = UploadLimits(max_file_bytes=1024 * 1024 + 512 * 1024)
    r = await post(limits, tmp_dir, CountingStream(body))
    assert r.status_code == 200, r.text
    out = r.json()
    assert [f["display_name"] for f in out["files"]] == ["first.jpg", "astronaut.png", "last.png"]
    assert [f["sha256"] for f in out["files"]] == [sha(ROCKET), sha(ASTRONAUT), sha(COFFEE)]
    assert [(x["filename"], x["code"]) for x in out["rejected"]] == [
        ("huge.jpg", "file_too_large"),
        ("also-huge.png", "file_too_large"),
    ]
    # While the route ran, only the kept files had temp files.
    assert out["tmp_listing"] == sorted(f["temp_name"] for f in out["files"])
    assert list(tmp_dir.iterdir()) == []


async def test_request_too_large_detected_while_streaming(tmp_dir: Path) -> None:
    body = encode([file_part(f"f{i}.jpg", os.urandom(1024 * 1024)) for i in range(10)])  # ~10 MiB
    stream = CountingStream(body, chunk_size=64 * 1024)
    limits = UploadLimits(max_request_bytes=2 * 1024 * 1024)
    r = await post(limits, tmp_dir, stream)  # chunked: no Content-Length
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"
    assert r.json()["type"] == "PayloadTooLarge"
    assert stream.pulled <= limits.max_request_bytes + 64 * 1024
    assert stream.pulled < len(body) // 4
    assert list(tmp_dir.iterdir()) == []  # partial files removed


async def test_content_length_over_limit_rejected_before_reading(tmp_dir: Path) -> None:
    body = encode([file_part("a.jpg", os.urandom(300_000))])
    stream = CountingStream(body)
    limits = UploadLimits(max_request_bytes=100_000)
    r = await post(limits, tmp_dir, stream, headers={"content-length": str(len(body))})
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"
    assert stream.pulled == 0


async def test_too_many_files(tmp_dir: Path) -> None:
    body = encode([file_part(f"{i}.jpg", ROCKET) for i in range(4)])
    stream = CountingStream(body, chunk_size=16 * 1024)
    r = await post(UploadLimits(max_files=3), tmp_dir, stream)
    assert r.status_code == 413
    assert r.json()["code"] == "too_many_files"
    assert r.json()["type"] == "TooManyParts"
    assert stream.pulled < len(body)  # refused when the 4th part started
    assert list(tmp_dir.iterdir()) == []


async def test_captions_do_not_count_as_files_but_count_as_parts(tmp_dir: Path) -> None:
    parts = [file_part("a.jpg", ROCKET), caption_part("a.txt", "x"), caption_part("b.txt", "y")]
    r = await post(UploadLimits(max_files=1), tmp_dir, encode(parts))
    assert r.status_code == 200, r.text
    r = await post(UploadLimits(max_parts=2), tmp_dir, encode(parts))
    assert r.status_code == 413
    assert r.json()["code"] == "too_many_files"


async def test_too_many_fields(tmp_dir: Path) -> None:
    body = encode([field_part(f"f{i}", "v") for i in range(61)])
    r = await post(UploadLimits(), tmp_dir, body)
    assert r.status_code == 413
    assert r.json()["code"] == "too_many_files"


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/mixed; boundary=abc",
        "multipart/form-data",
        "multipart/form-data; charset=utf-8",
        "image/jpeg",
    ],
)
async def test_wrong_content_type(tmp_dir: Path, content_type: str | None) -> None:
    r = await post(UploadLimits(), tmp_dir, encode([file_part("a.jpg", ROCKET)]), content_type=content_type)
    assert r.status_code == 415
    assert r.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"this is not multipart at all", id="garbage"),
        pytest.param(encode([file_part("a.jpg", ROCKET)])[:-40], id="truncated"),
        pytest.param(b"", id="empty"),
        pytest.param(
            f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nno disposition\r\n--{BOUNDARY}--\r\n".encode(),
            id="no-content-disposition",
        ),
        pytest.param(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; filename="a.jpg"\r\n\r\nx\r\n--{BOUNDARY}--\r\n'.encode(),
            id="no-name",
        ),
        pytest.param(
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=a\r\nbroken header line\r\n\r\nx\r\n"
            f"--{BOUNDARY}--\r\n".encode(),
            id="bad-header",
        ),
        pytest.param(
            f"--{BOUNDARY}\r\n"
            + "".join(f"X-H{i}: v\r\n" for i in range(50))
            + f"Content-Disposition: form-data; name=a\r\n\r\nx\r\n--{BOUNDARY}--\r\n",
            id="too-many-headers",
        ),
        pytest.param(field_part("bad", b"\xff\xfe"), id="field-not-utf8"),
    ],
)
async def test_malformed_multipart(tmp_dir: Path, body: bytes | str | Part) -> None:
    if isinstance(body, Part):
        body = encode([file_part("a.jpg", ROCKET), body])
    elif isinstance(body, str):
        body = body.encode()
    r = await post(UploadLimits(), tmp_dir, CountingStream(body, chunk_size=1000))
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "malformed_multipart"
    assert r.json()["type"] == "MalformedMultipart"
    assert list(tmp_dir.iterdir()) == []


async def test_caption_rejections(tmp_dir: Path) -> None:
    body = encode(
        [
            file_part("a.jpg", ROCKET),
            caption_part("a.txt", b"\xef\xbb\xbf  caf\xc3\xa9 with BOM \n"),
            caption_part("b.txt", b"\xff\xfe\x00bad"),
            caption_part("c.txt", "x" * 5000),
            caption_part("A.TXT", "upper-case extension is a caption too"),
            caption_part("a.txt", "second caption for a"),
        ]
    )
    r = await post(UploadLimits(), tmp_dir, body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["captions"] == {"a": "café with BOM", "A": "upper-case extension is a caption too"}
    assert out["files"][0]["caption"] == "café with BOM"
    assert [(x["filename"], x["code"]) for x in out["rejected"]] == [
        ("b.txt", "invalid_caption"),
        ("c.txt", "caption_too_large"),
        ("a.txt", "duplicate_caption"),
    ]


async def test_txt_outside_files_field_is_a_file(tmp_dir: Path) -> None:
    body = encode([file_part("notes.txt", b"hi", "text/plain", name="other")])
    r = await post(UploadLimits(), tmp_dir, body)
    assert r.status_code == 200
    assert [f["field_name"] for f in r.json()["files"]] == ["other"]
    assert r.json()["captions"] == {}


async def test_field_too_large(tmp_dir: Path) -> None:
    r = await post(UploadLimits(max_field_bytes=100), tmp_dir, encode([field_part("note", "x" * 101)]))
    assert r.status_code == 413
    assert r.json()["code"] == "field_too_large"


async def test_hostile_filenames_sanitised_and_never_used_on_disk(tmp_dir: Path) -> None:
    names = list(hostile.HOSTILE_FILENAMES)
    names.remove("")  # an empty filename is the "empty file input" case, tested separately
    body = encode([file_part(name, ROCKET) for name in names])
    r = await post(UploadLimits(max_files=len(names)), tmp_dir, body)
    assert r.status_code == 200, r.text
    files = r.json()["files"]
    for name, f in zip(names, files, strict=True):
        if "\r" in name or "\n" in name:  # encoded as %0D%0A on the wire, as browsers do
            assert f["display_name"] == "badname%0D%0A.jpg"
        else:
            assert f["display_name"] == hostile.HOSTILE_FILENAMES[name]
    for f in files:
        assert f["temp_name"].startswith("upload-")
        assert f["temp_name"].endswith(".part")
    assert len({f["temp_name"] for f in files}) == len(files)
    # The parent directories named in traversal attempts were never touched.
    assert not (tmp_dir.parent / "etc").exists()
    assert files[0]["filename"] == "../../etc/passwd.jpg"  # the raw name survives for the record


async def test_empty_file_input_ignored(tmp_dir: Path) -> None:
    body = encode([file_part("", b"", "application/octet-stream"), file_part("a.jpg", ROCKET)])
    r = await post(UploadLimits(), tmp_dir, body)
    assert r.status_code == 200, r.text
    assert [f["display_name"] for f in r.json()["files"]] == ["a.jpg"]


async def test_one_huge_chunk_is_fed_in_slices(tmp_dir: Path) -> None:
    data = os.urandom(5 * 1024 * 1024 + 123)
    body = encode([file_part("big.bin", data), file_part("small.jpg", ROCKET)])
    r = await post(UploadLimits(), tmp_dir, body)  # bytes content: ASGITransport sends one chunk
    assert r.status_code == 200, r.text
    assert [(f["size"], f["sha256"]) for f in r.json()["files"]] == [
        (len(data), sha(data)),
        (len(ROCKET), sha(ROCKET)),
    ]


async def test_boundary_split_across_tiny_chunks(tmp_dir: Path) -> None:
    body = encode([file_part("a.jpg", ROCKET), caption_part("a.txt", "cap"), field_part("k", "v")])
    r = await post(UploadLimits(), tmp_dir, CountingStream(body, chunk_size=7))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["files"][0]["sha256"] == sha(ROCKET)
    assert out["captions"] == {"a": "cap"}
    assert out["fields"] == {"k": "v"}


async def test_utf8_filename_from_raw_header_bytes(tmp_dir: Path) -> None:
    body = encode([file_part("fotó 日本.jpg", ROCKET)])
    r = await post(UploadLimits(), tmp_dir, body)
    assert r.json()["files"][0]["display_name"] == "fotó 日本.jpg"


async def test_cleanup_is_idempotent_and_exceptions_are_fotogen_errors(tmp_dir: Path) -> None:
    for exc in (MalformedMultipart, TooManyParts, PayloadTooLarge, UnsupportedMediaType):
        assert issubclass(exc, FotogenError)
    assert (MalformedMultipart().status_code, MalformedMultipart().code) == (400, "malformed_multipart")
    assert (TooManyParts().status_code, TooManyParts().code) == (413, "too_many_files")
    assert part_head(file_part("a.jpg", b"")).startswith(f"--{BOUNDARY}\r\n".encode())


async def test_temp_files_removed_when_the_body_stream_fails(tmp_dir: Path) -> None:
    big = os.urandom(3 * 1024 * 1024)
    body = encode([file_part("a.jpg", ROCKET), file_part("b.jpg", big)])

    async def broken() -> Any:
        yield body[: 2 * 1024 * 1024 + len(ROCKET)]  # first file complete, second one half written
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await post(UploadLimits(), tmp_dir, broken())
    assert list(tmp_dir.iterdir()) == []

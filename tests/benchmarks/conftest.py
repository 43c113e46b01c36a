"""Benchmark fixtures: ~1 MB photos, a real ``fotogen api`` (uvicorn) subprocess, a bare Starlette sink.

Run with ``make bench``. Servers are subprocesses so their RSS can be measured on their own; they use the
test run's migrated Postgres database and Redis (``tests/conftest.py``).
"""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image as PILImage

from fotogen.ports import free_port, wait_for_port
from shared.auth.service import create_key
from shared.config import to_asyncpg_url
from shared.db import create_engine, create_sessionmaker

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = ROOT / "tests" / "fixtures" / "images"
SOURCES = ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg", "astronaut_exif_orientation6_gps.jpg"]
FILES_PER_REQUEST = 25


def _noisy_jpeg(src: Path, index: int, rng: np.random.Generator) -> bytes:
    """A real photo upscaled to 1600x1200 with sensor-like noise: ~1 MB as JPEG q90 with a phone's EXIF (upright),
    distinct per index."""
    im = PILImage.open(src).convert("RGB")
    if index % 2:
        im = im.transpose(PILImage.Transpose.FLIP_LEFT_RIGHT)
    im = im.resize((1600, 1200), PILImage.Resampling.BICUBIC)
    noisy = np.asarray(im).astype(np.int16) + rng.normal(0, 20, (1200, 1600, 3)).astype(np.int16)
    buf = io.BytesIO()
    exif = PILImage.Exif()  # what a phone writes: orientation (upright), camera, GPS — all stripped on upload
    exif[0x0112] = 1
    exif[0x010F], exif[0x0110] = "Phone Maker", "Phone 12"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    PILImage.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=90, exif=exif)
    return buf.getvalue()


@pytest.fixture(scope="session")
def bench_photos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """25 distinct ~1 MB JPEGs built from the fixture photos."""
    out = tmp_path_factory.mktemp("bench_photos")
    rng = np.random.default_rng(7)
    paths = []
    for i in range(FILES_PER_REQUEST):
        path = out / f"photo_{i:02d}.jpg"
        path.write_bytes(_noisy_jpeg(PHOTOS / SOURCES[i % len(SOURCES)], i, rng))
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
async def bench_api_key(database_url: str) -> str:
    engine = create_engine(to_asyncpg_url(database_url), pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            _, raw = await create_key(session, f"bench-{secrets.token_hex(4)}")
            await session.commit()
    finally:
        await engine.dispose()
    return raw


@dataclass
class Server:
    url: str
    pid: int
    data_dir: Path


def _spawn(args: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as fh:
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    try:
        wait_for_port("127.0.0.1", port, timeout=30)
    except TimeoutError:
        proc.kill()
        proc.wait(timeout=10)
        raise RuntimeError(f"server did not start: {log.read_text(errors='replace')[-2000:]}") from None
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def _api_env(database_url: str, redis_url: str, data_dir: Path, port: int, run_id: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "FOTOGEN_ENVIRONMENT": "test",
        "FOTOGEN_DATA_DIR": str(data_dir),
        "FOTOGEN_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "FOTOGEN_SECRET_KEY": "bench-secret-key-" + "x" * 32,
        "FOTOGEN_QUEUE_NAME": f"fotogen:bench:{run_id}",
        "FOTOGEN_LOG_LEVEL": "WARNING",
        "FOTOGEN_LOG_JSON": "false",
    }


@pytest.fixture
def api_server(
    database_url: str, redis_url: str, run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A fresh ``fotogen api`` process (uvicorn, uvloop/httptools) with local storage."""
    port = free_port()
    data_dir = tmp_path_factory.mktemp("bench_api")
    env = _api_env(database_url, redis_url, data_dir, port, run_id)
    args = [str(ROOT / ".venv" / "bin" / "fotogen"), "api", "--host", "127.0.0.1", "--port", str(port)]
    proc = _spawn(args, env, port, data_dir / "server.log")
    yield Server(f"http://127.0.0.1:{port}", proc.pid, data_dir)
    _stop(proc)


SINK_APP = textwrap.dedent(
    """
    import sys, uuid
    from pathlib import Path

    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    DIR = Path(sys.argv[2])
    DIR.mkdir(parents=True, exist_ok=True)

    async def sink(request):
        path = DIR / uuid.uuid4().hex
        size = 0
        with path.open("wb") as fh:
            async for chunk in request.stream():
                fh.write(chunk)
                size += len(chunk)
        path.unlink()
        return JSONResponse({"bytes": size}, status_code=201)

    app = Starlette(routes=[Route("/sink", sink, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
    """
)


@pytest.fixture
def sink_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A bare Starlette endpoint that only streams the request body to a file (same uvicorn stack)."""
    port = free_port()
    data_dir = tmp_path_factory.mktemp("bench_sink")
    script = data_dir / "sink.py"
    script.write_text(SINK_APP)
    args = [sys.executable, str(script), str(port), str(data_dir / "bodies")]
    proc = _spawn(args, dict(os.environ), port, data_dir / "server.log")
    yield Server(f"http://127.0.0.1:{port}/sink", proc.pid, data_dir)
    _stop(proc)


@pytest.fixture
async def bench_client(bench_api_key: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {bench_api_key}"}, timeout=httpx.Timeout(300.0)
    ) as client:
        yield client

"""The image workers (shared.uploads.workers): a warm process pool gives the same per-file outcomes as threads,
a child that dies costs no innocent file, the file that crashes its own process is refused, and the pool
recovers for the next request."""

from __future__ import annotations

import asyncio
import ctypes
import os
import shutil
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support import hostile

from shared.imaging import ImageLimits, sanitize_filename
from shared.uploads import ImagePipeline, ImageWorkers, IncomingFile, Upload
from shared.uploads.workers import WorkerCrashed


@pytest.fixture
async def pool() -> AsyncIterator[ImageWorkers]:
    workers = ImageWorkers.build("processes", 2)
    await workers.start()
    try:
        yield workers
    finally:
        await workers.aclose()


def _files(tmp: Path, sources: list[tuple[Path, str]]) -> list[IncomingFile]:
    out = []
    for i, (src, name) in enumerate(sources):
        path = tmp / f"upload-{i}.part"
        shutil.copyfile(src, path)
        out.append(IncomingFile("files", name, sanitize_filename(name), None, path, path.stat().st_size))
    return out


def _mixed(tmp_path: Path) -> list[tuple[Path, str]]:
    return [
        (hostile.ROCKET, "rocket.jpg"),
        (hostile.COFFEE, "coffee.png"),
        (hostile.truncated_jpeg(tmp_path), "broken.jpg"),
        (hostile.text_as_jpg(tmp_path), "notes.jpg"),
        (hostile.CHELSEA, "cat.png"),
    ]


async def _outcomes(workers: ImageWorkers, files: list[IncomingFile], tmp: Path) -> list[tuple[str, str | None]]:
    uploads = [Upload(i, f) for i, f in enumerate(files)]
    async with ImagePipeline(ImageLimits(), tmp, workers) as pipeline:
        await pipeline.run(uploads)
    return [
        (u.file.display_name, u.image.sha256 if u.image else u.rejection.code if u.rejection else None) for u in uploads
    ]


async def test_processes_and_threads_give_the_same_outcome_for_every_file(pool: ImageWorkers, tmp_path: Path) -> None:
    assert pool.kind == "processes" and len(pool.pool.pids() if pool.pool else []) == 2
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    files = _files(tmp, _mixed(tmp_path))
    in_processes = await _outcomes(pool, files, tmp)
    in_threads = await _outcomes(ImageWorkers.threads(2), files, tmp)
    assert in_processes == in_threads
    assert [o for _, o in in_processes][2:4] == ["corrupt_image", "unsupported_format"]
    assert sorted(p.name for p in tmp.iterdir()) == sorted(f.path.name for f in files)  # no copy left


async def test_a_crashing_file_is_refused_alone_and_the_pool_recovers(pool: ImageWorkers) -> None:
    assert pool.pool is not None
    before = set(pool.pool.pids())
    # A segfault in the child (what a decoder bug would do) next to innocent work in the same pool.
    crash = pool.run(ctypes.string_at, 0)
    innocent = [pool.run(os.getpid) for _ in range(3)]
    results = await asyncio.gather(crash, *innocent, return_exceptions=True)
    assert isinstance(results[0], WorkerCrashed)
    assert all(isinstance(r, int) for r in results[1:]), results
    # a fresh pool replaced the broken one (its children start with its first file: the innocent ones may all
    # have finished in the old pool before the crash was seen)
    assert isinstance(await pool.run(os.getpid), int)
    after = set(pool.pool.pids())
    assert after and not (after & before)


async def test_killing_a_child_mid_batch_still_gives_every_file_its_outcome(pool: ImageWorkers, tmp_path: Path) -> None:
    assert pool.pool is not None
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    files = _files(tmp, [(hostile.ROCKET, f"rocket{i}.jpg") for i in range(12)] + _mixed(tmp_path)[2:4])
    uploads = [Upload(i, f) for i, f in enumerate(files)]
    victims = set(pool.pool.pids())
    killed: list[int] = []

    async def kill_one_child(upload: Upload) -> None:  # once the first file is done: mid-batch
        if not killed:
            killed.append(pool.pool.pids()[0] if pool.pool else 0)
            os.kill(killed[0], signal.SIGKILL)

    async with ImagePipeline(ImageLimits(), tmp, pool) as pipeline:
        await pipeline.run(uploads, kill_one_child)
        assert killed and killed[0] in victims
        assert [u.rejection.code for u in uploads if u.rejection] == ["corrupt_image", "unsupported_format"]
        assert all(u.accepted and u.normalised and u.normalised.exists() for u in uploads[:12])
    assert not (set(pool.pool.pids()) & victims)  # the pool was replaced
    assert [o for _, o in await _outcomes(pool, files[:2], tmp)] == [uploads[0].image.sha256] * 2  # type: ignore[union-attr]

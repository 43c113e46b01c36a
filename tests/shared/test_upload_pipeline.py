"""The common upload pipeline on its own: files from a multipart body or copied from storage go through the
same per-file validation, duplicates are judged in request order, and no temp file outlives the pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

import anyio
import pytest
from support import hostile

from shared.imaging import ImageLimits, sanitize_filename
from shared.storage import LocalStorage
from shared.uploads import DuplicateFilter, ImagePipeline, IncomingBatch, IncomingFile, Upload


def _local_file(src: Path, tmp: Path, name: str) -> IncomingFile:
    """An incoming file as the multipart reader makes it: the bytes in a temp file of its own."""
    path = tmp / f"upload-{name}.part"
    shutil.copyfile(src, path)
    return IncomingFile("files", name, sanitize_filename(name), None, path, path.stat().st_size)


async def test_a_stored_image_goes_through_the_pipeline_like_an_uploaded_one(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "objects", "http://x", "k" * 32)
    await storage.put_file("owners/o/gen/1.jpg", hostile.ROCKET, "image/jpeg")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    copied = await IncomingFile.from_storage(storage, "owners/o/gen/1.jpg", "rocket copy.jpg", tmp)
    assert copied.path.read_bytes() == hostile.ROCKET.read_bytes()
    assert (copied.display_name, copied.declared_content_type) == ("rocket copy.jpg", "image/jpeg")

    batch = IncomingBatch(files=[_local_file(hostile.ROCKET, tmp, "rocket.jpg"), copied])
    async with batch:
        uploads = [Upload(i, f) for i, f in enumerate(batch.files)]
        async with ImagePipeline(ImageLimits(), tmp, anyio.CapacityLimiter(2)) as pipeline:
            await pipeline.run(uploads)
            DuplicateFilter().apply(uploads)
            first, second = uploads
            assert first.accepted and first.normalised is not None and first.normalised.exists()
            assert second.rejection is not None
            assert (second.rejection.code, second.rejection.detail) == (
                "duplicate_image",
                "Same image as 'rocket.jpg', earlier in this upload.",
            )
            normalised = [u.normalised for u in uploads if u.normalised is not None]
        assert normalised and not any(p.exists() for p in normalised)
    assert list(tmp.iterdir()) == []


async def test_rejections_keep_their_file_and_nothing_is_left_when_a_caller_step_fails(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    files = [
        _local_file(hostile.COFFEE, tmp, "coffee.png"),
        _local_file(hostile.truncated_jpeg(tmp_path), tmp, "broken.jpg"),
        _local_file(hostile.text_as_jpg(tmp_path), tmp, "notes.jpg"),
        _local_file(hostile.CHELSEA, tmp, "cat.png"),
    ]
    uploads = [Upload(i, f) for i, f in enumerate(files)]
    seen: list[str] = []

    async def store(upload: Upload) -> None:
        seen.append(upload.file.display_name)
        if upload.file.display_name == "cat.png":
            raise RuntimeError("storage is down")

    with pytest.raises(ExceptionGroup):
        async with ImagePipeline(ImageLimits(), tmp, anyio.CapacityLimiter(1)) as pipeline:
            await pipeline.run(uploads, store)
    assert sorted(seen) == ["cat.png", "coffee.png"]  # only accepted files reach the caller's step
    assert [(u.file.display_name, u.rejection.code) for u in uploads if u.rejection] == [
        ("broken.jpg", "corrupt_image"),
        ("notes.jpg", "unsupported_format"),
    ]
    assert sorted(p.name for p in tmp.iterdir()) == sorted(f.path.name for f in files)  # no normalised copy


async def test_files_started_early_give_the_same_outcomes_and_leave_nothing(tmp_path: Path) -> None:
    """``prefetch`` (the multipart reader calls it as each part is on disk) starts a file's processing before the
    body has ended; ``run`` then takes that outcome instead of processing the file again. A file started early
    that no run takes (a request refused after it) is waited for and its copy deleted."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    files = [
        _local_file(hostile.COFFEE, tmp, "coffee.png"),
        _local_file(hostile.truncated_jpeg(tmp_path), tmp, "broken.jpg"),
        _local_file(hostile.ROCKET, tmp, "rocket.jpg"),
        _local_file(hostile.CHELSEA, tmp, "never-run.png"),
    ]
    early = [Upload(i, f) for i, f in enumerate(files[:3])]
    late = [Upload(i, f) for i, f in enumerate(files[:3])]
    async with ImagePipeline(ImageLimits(), tmp, anyio.CapacityLimiter(2)) as pipeline:
        for f in files:
            pipeline.prefetch(f)
        await pipeline.run(early)
        assert all(u.normalised is not None and u.normalised.exists() for u in early if u.accepted)
    async with ImagePipeline(ImageLimits(), tmp, anyio.CapacityLimiter(2)) as pipeline:
        await pipeline.run(late)

    def outcome(u: Upload) -> tuple[str | None, str | None]:
        return (u.image.sha256 if u.image else None, u.rejection.code if u.rejection else None)

    assert [outcome(u) for u in early] == [outcome(u) for u in late]
    assert [u.rejection.code for u in early if u.rejection] == ["corrupt_image"]
    assert sorted(p.name for p in tmp.iterdir()) == sorted(f.path.name for f in files)  # every copy is gone

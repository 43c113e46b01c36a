"""The generated client (``openapi/client``, ``fotogen_client``) against the live server, the worker and the Fal
sandbox: create a dataset → upload photos → train → generate → download, all through the client; and the
README's client example, run exactly as written (its code block, extracted) in a process of its own."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
from typing import Any

import httpx
import pytest
from fotogen_client import AuthenticatedClient
from fotogen_client.api.datasets import datasets_create, datasets_get
from fotogen_client.api.generations import generations_create, generations_get
from fotogen_client.api.images import images_upload
from fotogen_client.api.trainings import trainings_create, trainings_get
from fotogen_client.models import (
    DatasetCreate,
    DatasetOut,
    GenerationCreate,
    GenerationOut,
    ImagesUploadBody,
    Problem,
    TrainingCreate,
    TrainingOut,
    UploadResult,
)
from fotogen_client.types import File
from PIL import Image as PILImage
from support.env import ROOT
from support.factories import create_owner, photo_jpeg

pytestmark = pytest.mark.usefixtures("worker")
ENDED = {"succeeded", "failed", "canceled"}


async def _wait(get: Any, job_id: str, client: AuthenticatedClient, timeout: float = 60) -> Any:
    async with asyncio.timeout(timeout):
        while (job := await get.asyncio(job_id, client=client)).status not in ENDED:
            await asyncio.sleep(0.05)
    return job


async def _downloads_an_image(url: str) -> tuple[int, int]:
    async with httpx.AsyncClient(timeout=30) as anonymous:
        response = await anonymous.get(url)  # a signed URL: no key
    assert response.status_code == 200, response.text
    with PILImage.open(io.BytesIO(response.content)) as image:
        image.load()
        return image.size


async def test_create_upload_train_generate_through_the_client(app: Any, sandbox: Any, live_api: str) -> None:
    sandbox.reset(training_seconds=0.3, generation_seconds=0.1)
    _, key = await create_owner(app)
    async with AuthenticatedClient(base_url=live_api, token=key, timeout=httpx.Timeout(60)) as client:
        dataset = await datasets_create.asyncio(client=client, body=DatasetCreate(name="Zoe", trigger_word="ZOE"))
        assert isinstance(dataset, DatasetOut), dataset

        photos = [
            File(payload=io.BytesIO(photo_jpeg(i, side=384)), file_name=f"zoe{i}.jpg", mime_type="image/jpeg")
            for i in range(4)
        ]
        uploaded = await images_upload.asyncio(dataset.id, client=client, body=ImagesUploadBody(files=photos))
        assert isinstance(uploaded, UploadResult), uploaded
        assert len(uploaded.images) == 4 and uploaded.rejected == []
        again = await datasets_get.asyncio(dataset.id, client=client)
        assert isinstance(again, DatasetOut) and again.image_count == 4

        created = await trainings_create.asyncio(client=client, body=TrainingCreate(dataset_id=dataset.id))
        assert isinstance(created, TrainingOut), created
        training = await _wait(trainings_get, created.id, client)
        assert training.status == "succeeded" and isinstance(training.model_id, str), training

        body = GenerationCreate(model_id=training.model_id, prompt="in a garden", num_images=2)
        queued = await generations_create.asyncio(client=client, body=body)
        assert isinstance(queued, GenerationOut), queued
        generation = await _wait(generations_get, queued.id, client)
        assert generation.status == "succeeded" and generation.prompt == "ZOE in a garden", generation
        assert len(generation.images) == 2
        for image in generation.images:
            assert await _downloads_an_image(image.url) == (image.width, image.height)

        # errors are typed too: the problem document, its stable code
        missing = await trainings_get.asyncio("trn_doesnotexist", client=client)
        assert isinstance(missing, Problem) and missing.code == "training_not_found", missing
        detailed = await trainings_get.asyncio_detailed("trn_doesnotexist", client=client)
        assert detailed.status_code == 404


def readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- client-example -->\n```python\n(.*?)\n```", text, flags=re.DOTALL)
    assert match, "README.md lost its client example"
    return match.group(1)


async def test_the_readme_client_example_runs_as_written(app: Any, sandbox: Any, live_api: str) -> None:
    sandbox.reset(training_seconds=0.3, generation_seconds=0.1)
    _, key = await create_owner(app)
    # A process of its own (the worker runs on this test's event loop, which must keep turning meanwhile).
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        readme_example(),
        cwd=ROOT,
        env={**os.environ, "FOTOGEN_URL": live_api, "FOTOGEN_KEY": key},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=100)
    assert proc.returncode == 0, err.decode()
    status, url = out.decode().split()
    assert status == "succeeded"
    width, height = await _downloads_an_image(url)
    assert width > 0 and height > 0

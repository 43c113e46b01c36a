"""Fixtures for the storage suite: every test runs against both backends.

The GCS backend talks to a real ``gcp-storage-emulator`` (in-memory) started as a subprocess on a
free loopback port; a subprocess keeps its memory out of the RSS measurements in the tests.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage as gcs
from google.oauth2 import service_account

from api.routes.files import router as files_router
from shared.storage import GCSStorage, LocalStorage, Storage

LOCAL_PUBLIC_URL = "http://fotogen.test"
SIGNER_EMAIL = "signer@fotogen-test.iam.gserviceaccount.com"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def signing_credentials() -> service_account.Credentials:
    """A throwaway service-account key: V4 signing needs a private key, the emulator ignores it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "fotogen-test",
        "private_key_id": "test-key",
        "private_key": pem,
        "client_email": SIGNER_EMAIL,
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return service_account.Credentials.from_service_account_info(json.loads(json.dumps(info)))


@pytest.fixture
def gcs_bucket(gcs_emulator: str) -> str:
    name = f"fotogen-test-{uuid.uuid4().hex[:12]}"
    client = gcs.Client(
        project="fotogen-test",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": gcs_emulator},
    )
    client.create_bucket(name)
    client.close()
    return name


@pytest.fixture(params=["local", "gcs"])
async def storage(
    request: pytest.FixtureRequest, tmp_path: Path, signing_credentials: service_account.Credentials
) -> AsyncIterator[Storage]:
    backend: Storage
    if request.param == "local":
        backend = LocalStorage(tmp_path / "objects", LOCAL_PUBLIC_URL, "test-secret-key")
    else:
        emulator = request.getfixturevalue("gcs_emulator")
        bucket = request.getfixturevalue("gcs_bucket")
        backend = GCSStorage(
            bucket,
            project="fotogen-test",
            api_endpoint=emulator,
            signing_credentials=signing_credentials,
        )
    yield backend
    await backend.aclose()


@pytest.fixture
async def http(storage: Storage) -> AsyncIterator[httpx.AsyncClient]:
    """A client that can GET the storage's signed URLs: through the API's files route for local
    storage (in-process ASGI), straight to the emulator for GCS."""
    if isinstance(storage, LocalStorage):
        app = FastAPI()
        app.include_router(files_router)
        app.state.storage = storage
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=LOCAL_PUBLIC_URL)
    else:
        client = httpx.AsyncClient()
    async with client:
        yield client

"""How configuration reaches fal-client: host env vars (read at import) and TLS trust."""

from __future__ import annotations

import os
from pathlib import Path

import certifi
import pytest

from sandbox.testing import RunningSandbox
from shared.fal import FalProvider, ProviderError, fal_client_environment
from shared.fal.environment import queue_host, trust_bundle


def test_queue_host() -> None:
    assert queue_host(None) == "queue.fal.run"
    assert queue_host("https://127.0.0.1:8010") == "127.0.0.1:8010"
    assert queue_host("https://127.0.0.1:8010/") == "127.0.0.1:8010"
    for bad in ("http://127.0.0.1:8010", "127.0.0.1:8010", "https://h/path"):
        with pytest.raises(ProviderError) as exc:
            queue_host(bad)
        assert exc.value.code == "provider_misconfigured"


def test_environment_for_fal_and_sandbox(sandbox: RunningSandbox) -> None:
    assert fal_client_environment(None) == {}
    env = fal_client_environment(sandbox.base_url, sandbox.ca_file)
    assert env["FAL_QUEUE_RUN_HOST"] == sandbox.host
    assert env["FAL_RUN_HOST"] == sandbox.host
    bundle = Path(env["SSL_CERT_FILE"]).read_text()
    assert sandbox.ca_file.read_text().strip() in bundle


def test_trust_bundle_keeps_public_cas(
    tmp_path: Path, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    bundle = trust_bundle(sandbox.ca_file).read_text()
    assert Path(certifi.where()).read_text().strip()[:2000] in bundle
    assert sandbox.ca_file.read_text().strip() in bundle
    assert trust_bundle(sandbox.ca_file) == trust_bundle(sandbox.ca_file)  # content-addressed, written once


def test_fal_client_targets_the_configured_host(sandbox: RunningSandbox) -> None:
    import fal_client.client

    FalProvider("k", queue_url=sandbox.base_url, ca_file=sandbox.ca_file)
    assert f"https://{sandbox.host}/" == fal_client.client.QUEUE_URL_FORMAT
    assert os.environ["FAL_QUEUE_RUN_HOST"] == sandbox.host
    assert sandbox.ca_file.read_text().strip() in Path(os.environ["SSL_CERT_FILE"]).read_text()


def test_mismatched_host_after_import_is_refused(sandbox: RunningSandbox) -> None:
    with pytest.raises(ProviderError) as exc:
        FalProvider("k", queue_url="https://127.0.0.1:1")
    assert exc.value.code == "provider_misconfigured"
    assert "FAL_QUEUE_RUN_HOST" in exc.value.message
    with pytest.raises(ProviderError):
        FalProvider("k")  # real Fal, but this process's fal_client already targets the sandbox
    with pytest.raises(ValueError, match="key"):
        FalProvider("", queue_url=sandbox.base_url)

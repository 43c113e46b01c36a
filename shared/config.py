"""Settings: one pydantic-settings class for both processes.

``DATABASE_URL``, ``REDIS_URL`` and ``FAL_KEY`` keep their conventional names; everything else is
``FOTOGEN_*``. In ``development`` (the default) the service runs on embedded defaults: with the URLs
unset, ``fotogen dev`` starts embedded Postgres/Redis under the data dir and fills them in. Outside
development, missing or placeholder secrets are refused at start-up with a message naming the variable.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - the placeholder we refuse in production
_PLACEHOLDERS = {"", DEV_SECRET_KEY, "changeme", "change-me", "secret", "placeholder", "xxx"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FOTOGEN_", extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = "development"

    # Connections (conventional names, no prefix)
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL"))
    fal_key: str | None = Field(default=None, validation_alias=AliasChoices("FAL_KEY"))

    # Process
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    secret_key: str = DEV_SECRET_KEY
    data_dir: Path = Path(".data")
    log_level: str = "INFO"
    log_json: bool = True
    cors_origins: list[str] = Field(default_factory=list)

    # Storage
    storage: Literal["local", "gcs"] = "local"
    gcs_bucket: str | None = None
    gcs_project: str | None = None
    signed_url_ttl_seconds: int = Field(default=900, ge=30, le=7 * 24 * 3600)

    # Fal
    fal_queue_url: str | None = None  # e.g. https://127.0.0.1:8010 for the sandbox; None = real Fal
    fal_ca_file: Path | None = None  # extra CA to trust (the sandbox's self-signed cert)
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 8010

    # Per-API-key request rate limit across replicas (``limits`` notation, e.g. "50/second;2000/minute"); None = off
    rate_limit: str | None = None

    # Request limits: a JSON (non-multipart) body past this is refused with 413 while it streams
    max_json_bytes: int = Field(default=1024 * 1024, ge=1024)

    # Upload limits
    max_files_per_request: int = Field(default=25, ge=1, le=1000)
    max_file_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    max_request_bytes: int = Field(default=25 * 20 * 1024 * 1024 + 1024 * 1024, ge=1024)
    max_image_pixels: int = Field(default=40_000_000, ge=1)
    min_image_side: int = Field(default=256, ge=1)
    max_images_per_dataset: int = Field(default=200, ge=1)
    # Where uploaded photos are decoded and re-encoded (shared.uploads.workers): "processes" = a warm pool
    # of this many processes per API process, "threads" = worker threads (about one core), "auto" =
    # processes when more than one core is available. image_concurrency 0 = one per available core.
    image_workers: Literal["auto", "processes", "threads"] = "auto"
    image_concurrency: int = Field(default=0, ge=0, le=256)

    # Trainings
    min_images_fast: int = Field(default=4, ge=1)
    min_images_portrait: int = Field(default=10, ge=1)

    # Meshes (image to 3D): provider requests of one mesh job in flight at once
    mesh_concurrency: int = Field(default=4, ge=1, le=25)

    # Worker
    queue_name: str = "fotogen:queue"
    # An idle worker waits on the queue's doorbell (rung by every enqueue) and the next deferred job's time, and looks
    # at the queue at least this often anyway (a ring lost with Redis, a job enqueued by something that does not ring).
    worker_idle_poll_seconds: float = Field(default=1.0, gt=0, le=30)
    # arq's own fixed poll delay: used instead of the doorbell only by burst workers (tests, one-off runs)
    worker_poll_delay: float = Field(default=0.02, gt=0)
    job_timeout_seconds: int = Field(default=120, ge=5)
    job_lease_seconds: float = Field(default=15.0, gt=1)
    worker_max_jobs: int = Field(default=10, ge=1)
    provider_poll_interval: float = Field(default=1.0, gt=0)
    # Generations take seconds, not minutes: poll like fal-client's own subscribe() does (0.1 s), then slower.
    generation_poll_interval: float = Field(default=0.1, gt=0)
    provider_poll_max_interval: float = Field(default=10.0, gt=0)
    # A kind whose poll policy follows the provider's status stream holds one step on it for up to this long
    # (the result is seen the moment it is pushed); then the next step follows on. 0: interval polling only.
    provider_stream_seconds: float = Field(default=20.0, ge=0)
    fal_webhooks_enabled: bool = True  # ask Fal to call /v1/provider-webhooks/fal (polling stays the fallback)
    # Worker Prometheus metrics (shared.metrics) on http://<host>:<port>/metrics; None = not served
    worker_metrics_port: int | None = Field(default=None, ge=0, le=65535)
    worker_metrics_host: str = "127.0.0.1"
    # A lost enqueue or a dead worker's step runs again within about interval + grace (+ liveness) seconds.
    # 1 s: a dead worker's step moves within its liveness key's expiry + 1 s (p95 < 5 s, ``make chaos-ci``).
    reconcile_interval_seconds: int = Field(default=1, ge=1)
    reconcile_grace_seconds: float = Field(default=2.0, ge=0)
    # Each worker refreshes a liveness key in Redis every third of this; a lease whose owner's key expired is
    # free at once (the reconciler does not wait out ``job_lease_seconds``).
    worker_liveness_seconds: float = Field(default=3.0, gt=0.5)
    # Deadlines from a job's start (its provider request's typical duration, with room): past it the provider
    # is asked to cancel and the job fails ``provider_timeout``. Kinds without a field of their own use
    # ``job_deadline_seconds``.
    job_deadline_seconds: float = Field(default=3600.0, gt=0)
    training_deadline_seconds: float = Field(default=2 * 3600.0, gt=0)
    generation_deadline_seconds: float = Field(default=600.0, gt=0)
    mesh_deadline_seconds: float = Field(default=1800.0, gt=0)
    video_deadline_seconds: float = Field(default=1800.0, gt=0)
    # A step that raises something unexpected (a bug, a row it cannot handle) is retried with backoff this many
    # times in a row; then the job fails ``job_step_failed`` (its reservation refunded, its event written).
    job_step_error_attempts: int = Field(default=5, ge=0, le=50)
    # Periodic sweep of partial temporary objects (an interrupted archive, a worker's temp files) older than this
    temp_sweep_age_seconds: float = Field(default=3600.0, gt=0)

    # Events / SSE
    sse_ping_seconds: float = Field(default=15.0, ge=0)  # heartbeat comment interval (0 disables)
    sse_retry_seconds: float = Field(default=3.0, gt=0)  # the `retry:` a stream sends: EventSource's reconnect delay
    sse_recheck_seconds: float = Field(default=5.0, gt=0)  # re-read Postgres even without a NOTIFY
    sse_send_timeout_seconds: float = Field(default=30.0, gt=0)  # a client that stops reading is dropped

    # Webhooks
    # Webhook URLs resolving to private or loopback addresses; unset: allowed in development only (a local app)
    allow_private_webhook_urls: bool = False
    webhook_max_attempts: int = Field(default=12, ge=1, le=50)
    webhook_backoff_base_seconds: float = Field(default=5.0, gt=0)  # attempt n waits ~base * 2**(n-1), jittered
    webhook_backoff_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_reconcile_grace_seconds: float = Field(default=120.0, ge=0)  # pending past this → re-enqueued
    fal_webhook_jwks_url: str = "https://rest.alpha.fal.ai/.well-known/jwks.json"
    fal_webhook_jwks_ttl_seconds: float = Field(default=3600.0, ge=0)
    fal_webhook_tolerance_seconds: int = Field(default=300, ge=1)

    @field_validator("rate_limit")
    @classmethod
    def _parse_rate_limit(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(
                f"FOTOGEN_RATE_LIMIT {value!r} is not a rate limit such as '50/second;2000/minute'"
            ) from exc
        return value.strip()

    @model_validator(mode="after")
    def _development_defaults(self) -> Settings:
        if "allow_private_webhook_urls" not in self.model_fields_set:
            self.allow_private_webhook_urls = self.environment == "development"
        return self

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if self.secret_key.strip().lower() in _PLACEHOLDERS or len(self.secret_key) < 32:
            problems.append("FOTOGEN_SECRET_KEY must be a random secret of at least 32 characters")
        if not self.database_url:
            problems.append("DATABASE_URL is required in production")
        if not self.redis_url:
            problems.append("REDIS_URL is required in production")
        if not self.fal_key or self.fal_key.strip().lower() in _PLACEHOLDERS:
            problems.append("FAL_KEY is required in production")
        if self.storage == "gcs" and not self.gcs_bucket:
            problems.append("FOTOGEN_GCS_BUCKET is required when FOTOGEN_STORAGE=gcs")
        unreachable = self.unreachable_files_problem()
        if unreachable:
            problems.append(unreachable)
        if problems:
            raise ValueError("refusing to start: " + "; ".join(problems))
        return self

    def unreachable_files_problem(self) -> str | None:
        """Why Fal could not download our files, if it could not: with real Fal (``FAL_KEY``, no sandbox) and local
        storage, the signed URLs Fal fetches (training ZIPs, LoRA weights) are built on ``FOTOGEN_PUBLIC_URL``,
        which must then be an address Fal can reach from the internet."""
        talks_to_fal = not self.fal_queue_url or urlsplit(self.fal_queue_url).hostname == "queue.fal.run"
        if not self.fal_key or not talks_to_fal or self.storage != "local":
            return None  # the sandbox (FOTOGEN_FAL_QUEUE_URL) runs beside us and reaches loopback
        host = urlsplit(self.public_url).hostname or ""
        if not _is_internal_host(host):
            return None
        return (
            f"FOTOGEN_PUBLIC_URL={self.public_url} is a loopback or private address: with FAL_KEY set and "
            "FOTOGEN_STORAGE=local, Fal downloads training images and LoRA weights from signed URLs on it and "
            "cannot reach it; set FOTOGEN_PUBLIC_URL to this API's public https URL, or use FOTOGEN_STORAGE=gcs"
        )

    @property
    def async_database_url(self) -> str:
        """The database URL with the asyncpg driver, whatever scheme the operator wrote. (A plain property: a
        ``cached_property`` lives in the instance ``__dict__``, which ``model_copy(update=...)`` copies, so a copy
        with another ``database_url`` kept talking to the original database.)"""
        if not self.database_url:
            raise RuntimeError("DATABASE_URL is not set (run `fotogen dev` for embedded servers)")
        return to_asyncpg_url(self.database_url)

    def deadline_seconds(self, kind: str) -> float:
        """The deadline of job kind ``kind`` (``<kind>_deadline_seconds``, else ``job_deadline_seconds``)."""
        value = getattr(self, f"{kind}_deadline_seconds", None)
        return float(value) if isinstance(value, int | float) else self.job_deadline_seconds

    @property
    def signed_url_ttl(self) -> timedelta:
        return timedelta(seconds=self.signed_url_ttl_seconds)

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"


def _is_internal_host(host: str) -> bool:
    if host in ("localhost", "") or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host  # a bare hostname only resolves inside a network
    return address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified


def to_asyncpg_url(url: str) -> str:
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")


def get_settings() -> Settings:
    return Settings()

"""Sandbox knobs (env prefix ``FAL_SANDBOX_``), changeable at runtime through ``PATCH /_sandbox/config``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Rate = float


class SandboxConfig(BaseSettings):
    """Everything that makes the sandbox faster, slower or flakier than Fal.

    Durations are seconds; rates are probabilities in ``[0, 1]`` drawn per call.
    """

    model_config = SettingsConfigDict(env_prefix="FAL_SANDBOX_", extra="forbid", validate_assignment=True)

    # Speed
    queue_delay: float = Field(default=0.5, ge=0, description="time a request stays IN_QUEUE")
    training_seconds: float = Field(default=10.0, ge=0, description="duration of one LoRA training")
    generation_seconds: float = Field(default=2.0, ge=0, description="duration of one flux-lora request")
    mesh_seconds: float = Field(default=3.0, ge=0, description="duration of one image-to-3d request")
    latency: float = Field(default=0.0, ge=0, description="extra latency added to every queue API call")

    # Injected HTTP faults, per queue API call kind
    submit_429_rate: Rate = Field(default=0.0, ge=0, le=1)
    submit_500_rate: Rate = Field(default=0.0, ge=0, le=1)
    submit_503_rate: Rate = Field(default=0.0, ge=0, le=1)
    status_429_rate: Rate = Field(default=0.0, ge=0, le=1)
    status_500_rate: Rate = Field(default=0.0, ge=0, le=1)
    status_503_rate: Rate = Field(default=0.0, ge=0, le=1)
    result_429_rate: Rate = Field(default=0.0, ge=0, le=1)
    result_500_rate: Rate = Field(default=0.0, ge=0, le=1)
    result_503_rate: Rate = Field(default=0.0, ge=0, le=1)

    # Injected behaviour faults
    fail_rate: Rate = Field(default=0.0, ge=0, le=1, description="requests that COMPLETE with an error")
    mesh_fail_url_contains: str | None = Field(
        default=None,
        description="image-to-3d requests whose image_url contains this text COMPLETE with an error "
        "(a deterministic per-request failure, e.g. one item of a batch)",
    )
    drop_webhooks: bool = Field(default=False, description="never deliver webhooks")
    stuck: bool = Field(default=False, description="new requests stay IN_QUEUE forever")
    seed: int | None = Field(default=None, description="seed of the sandbox RNG (faults, random seeds)")

    # Misc
    max_step_logs: int = Field(default=20, ge=1, description="at most this many 'step i/N' log lines")
    min_training_images: int = Field(default=1, ge=1)
    max_download_bytes: int = Field(default=512 * 1024 * 1024, ge=1)
    download_timeout: float = Field(default=60.0, gt=0)
    webhook_timeout: float = Field(default=15.0, gt=0)
    webhook_user_id: str = Field(default="sandbox-user", min_length=1)
    verify_downloads: bool = Field(default=True, description="verify TLS of input/webhook URLs")

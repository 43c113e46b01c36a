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
    video_seconds: float = Field(default=3.0, ge=0, description="duration of one stable-video request")
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
    # Gateway (ingress) errors: HTML 502/503/504 from nginx without ``x-fal-request-id``. fal-client
    # retries these itself (its ``_is_ingress_error``), unlike the JSON faults above.
    submit_gateway_rate: Rate = Field(default=0.0, ge=0, le=1)
    status_gateway_rate: Rate = Field(default=0.0, ge=0, le=1)
    result_gateway_rate: Rate = Field(default=0.0, ge=0, le=1)

    # Injected behaviour faults
    fail_rate: Rate = Field(default=0.0, ge=0, le=1, description="requests that COMPLETE with an error")
    final_error_rate: Rate = Field(
        default=0.0,
        ge=0,
        le=1,
        description="requests that COMPLETE with Fal's final error after its own retries: the result GET "
        "answers final_error_type's status (503/504) with {detail, error_type} and x-fal-request-id",
    )
    final_error_type: str = Field(
        default="request_timeout",
        pattern=r"^[a-z0-9_]+$",
        description="error_type of those final errors (request_timeout → 504, runner_scheduling_failure → 503, ...)",
    )
    cancel_ignored: bool = Field(
        default=False,
        description="runners ignore cancel: an IN_PROGRESS request answers 202 CANCELLATION_REQUESTED and then "
        "completes normally (billable), as a Fal runner may",
    )
    legacy_cancel_error: bool = Field(
        default=False,
        description="a cancelled request ends with the sandbox-only error_type request_cancelled (HTTP 400) "
        "instead of Fal's client_cancelled (HTTP 499); a compatibility switch for older product code",
    )
    mesh_fail_url_contains: str | None = Field(
        default=None,
        description="image-to-3d requests whose image_url contains this text COMPLETE with an error "
        "(a deterministic per-request failure, e.g. one item of a batch)",
    )
    drop_webhooks: bool = Field(default=False, description="never deliver webhooks")
    webhook_repeats: int = Field(
        default=1, ge=1, le=20, description="deliver each webhook this many times (same body, same signature)"
    )
    webhook_delay: float = Field(default=0.0, ge=0, description="seconds between completion and the first delivery")
    webhook_repeat_delay: float = Field(default=0.0, ge=0, description="seconds between repeated deliveries")
    stuck: bool = Field(default=False, description="new requests stay IN_QUEUE forever")
    seed: int | None = Field(default=None, description="seed of the sandbox RNG (faults, random seeds)")

    # Realism
    required_key: str | None = Field(
        default=None,
        description="when set, queue calls need 'Authorization: Key <required_key>' (else Fal's 401)",
    )
    strict_inputs: bool = Field(
        default=True, description="reject fields an endpoint's published schema does not have (Fal's 422)"
    )
    step_logs: bool = Field(default=True, description="runners log 'step i/N'; off: progress lines without numbers")
    logs_rewrite: bool = Field(
        default=False,
        description="status logs are a sliding window (the last logs_window lines), not an append-only list",
    )
    logs_window: int = Field(default=2, ge=1, description="lines shown when logs_rewrite is on")

    # Misc
    max_step_logs: int = Field(default=20, ge=1, description="at most this many 'step i/N' log lines")
    min_training_images: int = Field(default=1, ge=1)
    max_download_bytes: int = Field(default=512 * 1024 * 1024, ge=1)
    download_timeout: float = Field(default=60.0, gt=0)
    webhook_timeout: float = Field(default=15.0, gt=0)
    webhook_user_id: str = Field(default="sandbox-user", min_length=1)
    verify_downloads: bool = Field(default=True, description="verify TLS of input/webhook URLs")

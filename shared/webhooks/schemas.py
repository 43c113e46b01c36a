"""Webhook endpoint and delivery payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.schemas import EVENT_TYPES

DeliveryStatus = Literal["pending", "succeeded", "failed"]


class WebhookEndpointCreate(BaseModel):
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="An `http` or `https` URL that must not resolve to a private, loopback, link-local or reserved "
        "address (unless the server allows it for development).",
        examples=["https://example.com/hooks/fotogen"],
    )
    events: list[str] = Field(
        min_length=1,
        max_length=len(EVENT_TYPES) + 1,
        description='Event types to deliver, or `["*"]` for all of them. Known types: '
        + ", ".join(f"`{t}`" for t in EVENT_TYPES)
        + ".",
        examples=[["training.succeeded", "training.failed"]],
    )
    description: str | None = Field(default=None, max_length=500)


class WebhookEndpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(examples=["whe_01hx0000000000000000000000"])
    url: str
    events: list[str]
    description: str | None
    created_at: datetime


class WebhookEndpointCreated(WebhookEndpointOut):
    secret: str = Field(
        description="`whsec_<base64>`: verify deliveries with it (Standard Webhooks). Shown only in this response.",
    )


class WebhookDeliveryOut(BaseModel):
    """One event sent (or being sent) to one endpoint; `attempts` counts HTTP attempts made so far."""

    id: str = Field(description="Also the `webhook-id` header of every attempt.", examples=["whd_01hx0000000000"])
    endpoint_id: str
    event_id: int
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="When the next attempt is due (pending deliveries).")
    last_status_code: int | None
    last_latency_ms: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None

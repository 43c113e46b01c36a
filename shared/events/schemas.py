"""Event payloads as the API, the SSE streams and the webhooks show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

#: Every event type a job can emit (webhook endpoint filters are validated against this list).
EVENT_TYPES: Final[tuple[str, ...]] = (
    "training.queued",
    "training.started",
    "training.progress",
    "training.log",
    "training.succeeded",
    "training.failed",
    "training.canceled",
    "generation.queued",
    "generation.started",
    "generation.succeeded",
    "generation.failed",
    "generation.canceled",
    "mesh.queued",
    "mesh.started",
    "mesh.progress",
    "mesh.succeeded",
    "mesh.failed",
    "mesh.canceled",
    "video.queued",
    "video.started",
    "video.succeeded",
    "video.failed",
    "video.canceled",
)
TERMINAL_SUFFIXES: Final[tuple[str, ...]] = (".succeeded", ".failed", ".canceled")


def is_terminal(event_type: str) -> bool:
    """A job's last event: its stream closes after it."""
    return event_type.endswith(TERMINAL_SUFFIXES)


class EventOut(BaseModel):
    """One entry of a job's history. `id` increases monotonically in commit order: it is the SSE `id:`
    and the value to resume from (`Last-Event-ID`, or `after` when listing)."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="Monotonically increasing event id (SSE `id:`).", examples=[42])
    type: str = Field(
        description="`{job_type}.{what}`: " + ", ".join(f"`{t}`" for t in EVENT_TYPES) + ".",
        examples=["training.progress"],
    )
    job_type: str = Field(description="`training`, `generation`, `mesh` or `video`.", examples=["training"])
    job_id: str = Field(examples=["trn_01hx0000000000000000000000"])
    created_at: datetime
    data: dict[str, Any] = Field(
        description="`job`: the job exactly as `GET` returns it; `progress` and `log` events add `message`."
    )

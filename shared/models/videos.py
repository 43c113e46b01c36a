from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base
from shared.metadata import TaggedMixin, tag_indexes
from shared.models.jobs import JobMixin, JobStatus, status_column


class VideoStatus(JobStatus):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class Video(TaggedMixin, JobMixin, Base):
    """An image-to-video job. ``image`` is the reference as the client gave it, ``image_key`` the stored
    object it resolved to (snapshotted at creation); ``video`` describes the stored MP4 and poster."""

    __tablename__ = "videos"
    __table_args__ = tag_indexes("videos")

    status: Mapped[VideoStatus] = status_column(VideoStatus)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    model_id: Mapped[str] = mapped_column(String(40), nullable=False)
    image: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    image_key: Mapped[str] = mapped_column(String(500), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    seed: Mapped[int | None] = mapped_column(BigInteger)
    video: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

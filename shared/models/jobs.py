"""Job tables. Every job kind shares :class:`JobMixin`: the row is the truth, arq only triggers work.

``step_seq`` names the one scheduled step of a job: the arq job id is ``{kind}:{id}:{step_seq}``, a task
only acts when its seq is current and it holds the lease (``lease_until``), so a repeated or stale arq job
is harmless. ``next_run_at`` tells the reconciler when a step is due.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema
from sqlalchemy import BigInteger, Boolean, Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base
from shared.metadata import TaggedMixin, tag_indexes
from shared.models.base import OwnedMixin, Timestamp, TimestampMixin


class JobStatus(StrEnum):
    """Base of the status enums. Validated and shown in OpenAPI as a literal of its values (inline
    ``{"type": "string", "enum": [...]}``, no shared component): the API contract of a ``Literal``."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls,
            core_schema.literal_schema([m.value for m in cls]),
            serialization=core_schema.plain_serializer_function_ser_schema(str, when_used="json"),
        )


class TrainingStatus(JobStatus):
    CREATED = "created"  # made with ``"start": false``: nothing scheduled until ``POST …/start``
    QUEUED = "queued"
    PREPARING = "preparing"
    TRAINING = "training"
    SAVING = "saving"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class GenerationStatus(JobStatus):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class MeshJobStatus(JobStatus):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


# A mesh item is one provider request of a mesh job: it moves through the same statuses.
MeshItemStatus = MeshJobStatus


def status_column(statuses: type[StrEnum], *, index: bool = True) -> Mapped[Any]:
    """The ``status`` column of a job table: ``VARCHAR(20)`` holding the enum's values (no native Postgres
    enum, no CHECK constraint: the values and the column type are what the migrations created)."""
    return mapped_column(
        Enum(
            statuses,
            native_enum=False,
            create_constraint=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        nullable=False,
        default=statuses("queued"),
        index=index,
    )


class JobMixin(OwnedMixin, TimestampMixin):
    """Columns every job table has; each table declares its own ``status`` (:func:`status_column`)."""

    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0, server_default="0")
    error_code: Mapped[str | None] = mapped_column(String(100))
    error_message: Mapped[str | None] = mapped_column(Text)
    provider_name: Mapped[str | None] = mapped_column(String(50))
    provider_endpoint: Mapped[str | None] = mapped_column(String(200))
    provider_request_id: Mapped[str | None] = mapped_column(String(200))
    step_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    attempt: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    next_run_at: Mapped[datetime | None] = mapped_column(Timestamp, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(Timestamp)
    lease_owner: Mapped[str | None] = mapped_column(String(100))  # the worker id holding the lease
    submit_nonce: Mapped[str | None] = mapped_column(String(40))  # committed before each provider submit
    cancel_requested_at: Mapped[datetime | None] = mapped_column(Timestamp)
    request_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)


class Training(TaggedMixin, JobMixin, Base):
    __tablename__ = "trainings"
    __table_args__ = tag_indexes("trainings")

    status: Mapped[TrainingStatus] = status_column(TrainingStatus)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # No foreign key: a dataset can be deleted once its trainings finished, and they keep its id (handbook §4).
    dataset_id: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    base_model_id: Mapped[str] = mapped_column(ForeignKey("models.id", ondelete="RESTRICT"))
    trainer: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    trigger_word: Mapped[str | None] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    image_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    stage: Mapped[str | None] = mapped_column(String(50))
    snapshot: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    zip_key: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    model_id: Mapped[str | None] = mapped_column(String(40))
    # No FK: the training keeps its history when the model it continued is deleted.
    resume_from_model_id: Mapped[str | None] = mapped_column(String(40))


class Generation(TaggedMixin, JobMixin, Base):
    __tablename__ = "generations"
    __table_args__ = tag_indexes("generations")

    status: Mapped[GenerationStatus] = status_column(GenerationStatus)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # No FK: a finished generation keeps its history when its model is deleted.
    model_id: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    prompt: Mapped[str] = mapped_column(Text, nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    seed: Mapped[int | None] = mapped_column(BigInteger)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # No FK: a deleted character's generations keep its id.
    character_id: Mapped[str | None] = mapped_column(String(40), index=True)


class GenerationImage(Base):
    __tablename__ = "generation_images"
    __table_args__ = (UniqueConstraint("generation_id", "index"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    generation_id: Mapped[str] = mapped_column(ForeignKey("generations.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer, nullable=False)
    # All null for an image withheld as NSFW (the owner's policy): it is stored nowhere.
    storage_key: Mapped[str | None] = mapped_column(String(500))
    thumbnail_key: Mapped[str | None] = mapped_column(String(500))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(50))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    nsfw: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    withheld: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())


class MeshJob(TaggedMixin, JobMixin, Base):
    __tablename__ = "mesh_jobs"
    __table_args__ = tag_indexes("mesh_jobs")

    status: Mapped[MeshJobStatus] = status_column(MeshJobStatus)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    item_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class MeshItem(Base):
    __tablename__ = "mesh_items"
    __table_args__ = (UniqueConstraint("mesh_job_id", "index"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    mesh_job_id: Mapped[str] = mapped_column(ForeignKey("mesh_jobs.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer, nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    input_key: Mapped[str] = mapped_column(String(500), nullable=False)
    status: Mapped[MeshItemStatus] = status_column(MeshItemStatus, index=False)
    error_code: Mapped[str | None] = mapped_column(String(100))
    error_message: Mapped[str | None] = mapped_column(Text)
    provider_request_id: Mapped[str | None] = mapped_column(String(200))
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)

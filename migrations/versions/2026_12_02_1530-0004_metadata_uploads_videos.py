"""metadata and end_user on created resources, single uploads, videos, SDXL / SD 1.5 / SVD base models

``metadata`` is jsonb with a GIN ``jsonb_path_ops`` index (``@>`` containment filters); ``end_user`` has a
btree on ``(owner_id, end_user, id)`` so a filtered newest-first page is an index range scan.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 15:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TAGGED = ("datasets", "trainings", "generations", "mesh_jobs")
NEW_MODELS = ("mdl_sdxl_1_0", "mdl_sd_1_5", "mdl_stable_video_diffusion")


def _tag_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("end_user", sa.String(length=128), nullable=True),
    ]


def _tag_indexes(table: str) -> None:
    op.create_index(
        f"ix_{table}_metadata", table, ["metadata"], postgresql_using="gin", postgresql_ops={"metadata": "jsonb_path_ops"}
    )
    op.create_index(f"ix_{table}_owner_end_user", table, ["owner_id", "end_user", "id"])


def _job_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    ts = sa.DateTime(timezone=True)
    return [
        sa.Column("owner_id", sa.String(length=40), nullable=False),
        sa.Column("progress", sa.Float(), server_default="0", nullable=False),
        sa.Column("error_code", sa.String(length=100), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("provider_name", sa.String(length=50), nullable=True),
        sa.Column("provider_endpoint", sa.String(length=200), nullable=True),
        sa.Column("provider_request_id", sa.String(length=200), nullable=True),
        sa.Column("step_seq", sa.Integer(), server_default="0", nullable=False),
        sa.Column("attempt", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_run_at", ts, nullable=True),
        sa.Column("lease_until", ts, nullable=True),
        sa.Column("cancel_requested_at", ts, nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("started_at", ts, nullable=True),
        sa.Column("finished_at", ts, nullable=True),
        sa.Column("created_at", ts, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", ts, server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    for table in TAGGED:
        for column in _tag_columns():
            op.add_column(table, column)
        _tag_indexes(table)

    ts = sa.DateTime(timezone=True)
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=500), nullable=False),
        sa.Column("expires_at", ts, nullable=True),
        sa.Column("owner_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", ts, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", ts, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
    )
    op.create_index(op.f("ix_uploads_expires_at"), "uploads", ["expires_at"], unique=False)
    op.create_index(op.f("ix_uploads_owner_id"), "uploads", ["owner_id"], unique=False)

    op.create_table(
        "videos",
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("model_id", sa.String(length=40), nullable=False),
        sa.Column("image", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("image_key", sa.String(length=500), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("video", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        *_tag_columns(),
        *_job_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_videos")),
    )
    op.create_index(op.f("ix_videos_next_run_at"), "videos", ["next_run_at"], unique=False)
    op.create_index(op.f("ix_videos_owner_id"), "videos", ["owner_id"], unique=False)
    op.create_index(op.f("ix_videos_status"), "videos", ["status"], unique=False)
    _tag_indexes("videos")

    # The base models this revision adds (``fotogen seed`` upserts the current catalogue).
    models = sa.table(
        "models",
        sa.column("id", sa.String), sa.column("owner_id", sa.String), sa.column("name", sa.String),
        sa.column("type", sa.String), sa.column("category", sa.String), sa.column("description", sa.String),
        sa.column("generation_endpoint", sa.String), sa.column("trainers", postgresql.JSONB),
    )  # fmt: skip
    op.bulk_insert(
        models,
        [
            {"id": "mdl_sdxl_1_0", "owner_id": None, "name": "Stable Diffusion XL 1.0", "type": "base",
             "category": "image", "description": "SDXL base 1.0 text-to-image with LoRAs (Fal's `fal-ai/lora`).",
             "generation_endpoint": "fal-ai/lora", "trainers": {}},
            {"id": "mdl_sd_1_5", "owner_id": None, "name": "Stable Diffusion 1.5", "type": "base",
             "category": "image", "description": "Stable Diffusion v1.5 text-to-image with LoRAs (Fal's `fal-ai/lora`).",
             "generation_endpoint": "fal-ai/lora", "trainers": {}},
            {"id": "mdl_stable_video_diffusion", "owner_id": None, "name": "Stable Video Diffusion", "type": "base",
             "category": "video", "description": "Stable Video Diffusion v1.1 image-to-video: 25 frames at 1024x576.",
             "generation_endpoint": "fal-ai/stable-video", "trainers": {}},
        ],
    )  # fmt: skip


def downgrade() -> None:
    models = sa.table("models", sa.column("id", sa.String))
    op.execute(models.delete().where(models.c.id.in_(NEW_MODELS)))
    op.drop_table("videos")
    op.drop_table("uploads")
    for table in TAGGED:
        op.drop_index(f"ix_{table}_owner_end_user", table_name=table)
        op.drop_index(f"ix_{table}_metadata", table_name=table, postgresql_using="gin")
        op.drop_column(table, "end_user")
        op.drop_column(table, "metadata")

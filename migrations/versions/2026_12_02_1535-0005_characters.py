"""characters (seed 001): the characters table, their training flow's job rows, generations.character_id

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 15:35:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    jsonb = postgresql.JSONB(astext_type=sa.Text())
    op.create_table(
        "characters",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("art_style", sa.String(length=200), nullable=True),
        sa.Column("style_modifiers", jsonb, server_default="[]", nullable=False),
        sa.Column("base_model_id", sa.String(length=40), nullable=False),
        sa.Column("trigger_word", sa.String(length=100), nullable=False),
        sa.Column("reference", jsonb, nullable=True),
        sa.Column("dataset_id", sa.String(length=40), nullable=True),
        sa.Column("model_id", sa.String(length=40), nullable=True),
        sa.Column("training_id", sa.String(length=40), nullable=True),
        sa.Column("metadata", jsonb, server_default="{}", nullable=False),
        sa.Column("end_user", sa.String(length=128), nullable=True),
        sa.Column("owner_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", ts, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", ts, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_characters")),
    )
    op.create_index(op.f("ix_characters_owner_id"), "characters", ["owner_id"], unique=False)
    op.create_index(
        "ix_characters_metadata",
        "characters",
        ["metadata"],
        postgresql_using="gin",
        postgresql_ops={"metadata": "jsonb_path_ops"},
    )
    op.create_index("ix_characters_owner_end_user", "characters", ["owner_id", "end_user", "id"])

    op.create_table(
        "character_jobs",
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("training_id", sa.String(length=40), nullable=False),
        sa.Column("variation_ids", jsonb, server_default="[]", nullable=False),
        sa.Column("variations_added", sa.Integer(), server_default="0", nullable=False),
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
        sa.ForeignKeyConstraint(
            ["id"], ["characters.id"], name=op.f("fk_character_jobs_id_characters"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_character_jobs")),
    )
    op.create_index(op.f("ix_character_jobs_next_run_at"), "character_jobs", ["next_run_at"], unique=False)
    op.create_index(op.f("ix_character_jobs_owner_id"), "character_jobs", ["owner_id"], unique=False)
    op.create_index(op.f("ix_character_jobs_status"), "character_jobs", ["status"], unique=False)

    op.add_column("generations", sa.Column("character_id", sa.String(length=40), nullable=True))
    op.create_index(op.f("ix_generations_character_id"), "generations", ["character_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_generations_character_id"), table_name="generations")
    op.drop_column("generations", "character_id")
    op.drop_table("character_jobs")
    op.drop_index("ix_characters_owner_end_user", table_name="characters")
    op.drop_index("ix_characters_metadata", table_name="characters", postgresql_using="gin")
    op.drop_index(op.f("ix_characters_owner_id"), table_name="characters")
    op.drop_table("characters")

"""trainings: resume_from_model_id (retraining); models: parent_model_id and the stored config's size/sha256

A training can continue an owner's LoRA (``resume_from_model_id``); the model it makes records that LoRA
as ``parent_model_id``. Models expose their stored ``config.json`` as ``{url, size_bytes, sha256}``.
The new training status ``created`` needs no change: ``status`` is a VARCHAR(20) without constraint.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 15:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("trainings", sa.Column("resume_from_model_id", sa.String(length=40), nullable=True))
    op.add_column("models", sa.Column("config_size", sa.BigInteger(), nullable=True))
    op.add_column("models", sa.Column("config_sha256", sa.String(length=64), nullable=True))
    op.add_column("models", sa.Column("parent_model_id", sa.String(length=40), nullable=True))


def downgrade() -> None:
    op.drop_column("models", "parent_model_id")
    op.drop_column("models", "config_sha256")
    op.drop_column("models", "config_size")
    op.drop_column("trainings", "resume_from_model_id")

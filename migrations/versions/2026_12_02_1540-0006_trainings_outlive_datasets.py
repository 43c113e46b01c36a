"""trainings outlive their dataset: drop the foreign key trainings.dataset_id → datasets.id

A person must be able to delete the photos of their face once a model exists: a dataset is deletable once no
training that uses it is running, and finished trainings keep their ``dataset_id`` (now a plain reference that
may name a deleted dataset) while their models keep working.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 15:40:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint("fk_trainings_dataset_id_datasets", "trainings", type_="foreignkey")


def downgrade() -> None:
    # Trainings of deleted datasets cannot keep a foreign key: forget their dataset rather than fail.
    op.execute(
        "DELETE FROM trainings t WHERE NOT EXISTS (SELECT 1 FROM datasets d WHERE d.id = t.dataset_id)"
    )
    op.create_foreign_key(
        "fk_trainings_dataset_id_datasets", "trainings", "datasets", ["dataset_id"], ["id"], ondelete="RESTRICT"
    )

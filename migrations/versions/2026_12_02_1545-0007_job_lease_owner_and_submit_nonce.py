"""job lease owner and submission nonce: faster recovery from dead workers, orphan provider requests

``lease_owner`` records which worker holds a job's lease, so the reconciler can free the lease of a worker
whose liveness key is gone instead of waiting the lease out. ``submit_nonce`` is written (and committed)
before a provider submit and travels in the callback URL: a callback whose nonce or request id is not the
job's current one belongs to an orphan submission, which is canceled.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:45:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOB_TABLES = ("trainings", "generations", "mesh_jobs", "videos", "character_jobs")


def upgrade() -> None:
    for table in JOB_TABLES:
        op.add_column(table, sa.Column("lease_owner", sa.String(length=100), nullable=True))
        op.add_column(table, sa.Column("submit_nonce", sa.String(length=40), nullable=True))


def downgrade() -> None:
    for table in JOB_TABLES:
        op.drop_column(table, "submit_nonce")
        op.drop_column(table, "lease_owner")
